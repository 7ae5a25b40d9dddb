"""The access-log search and the phone's recovery key."""

from marshmallow import fields, validate

from .base import ApiSchema


class AccountAuditQuerySchema(ApiSchema):
    user = fields.String()
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()
    limit = fields.Integer(load_default=200, validate=validate.Range(
        min=1, max=1000, error="field.invalid"))


class AccessQuerySchema(AccountAuditQuerySchema):
    record = fields.UUID()


class AccountAuditEntrySchema(ApiSchema):
    at = fields.String()
    actor = fields.String(allow_none=True)
    user = fields.String()
    change = fields.String()
    before = fields.String(allow_none=True)
    after = fields.String(allow_none=True)


class AccessEntrySchema(ApiSchema):
    at = fields.String()
    user = fields.String()
    record = fields.String(allow_none=True)
    action = fields.String()
    screen = fields.String(allow_none=True)
    allowed = fields.Boolean()


class AccessListSchema(ApiSchema):
    entries = fields.List(fields.Nested(AccessEntrySchema))


class RecoveryKeySchema(ApiSchema):
    key = fields.String(metadata={"description": "base64 of 32 random bytes"})


class AccountAuditListSchema(ApiSchema):
    entries = fields.List(fields.Nested(AccountAuditEntrySchema))
