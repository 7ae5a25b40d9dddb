"""The access-log search and the phone's recovery key."""

from marshmallow import fields, validate

from .base import ApiSchema


class AccountAuditQuerySchema(ApiSchema):
    user = fields.String()
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()
    limit = fields.Integer(load_default=200, validate=validate.Range(
        min=1, max=1000, error="field.invalid"))


class AdminAuditQuerySchema(ApiSchema):
    target = fields.String(validate=validate.Length(max=120, error="field.too_long"),
                           metadata={"description": "what changed: user:<username>, "
                                                    "target:<year>/<unit>/<indicator>, "
                                                    "rule:<code>, form:<form>/<version>"})
    kind = fields.String(validate=validate.OneOf(("user", "target", "rule", "form"),
                                                 error="field.not_a_choice"))
    actor = fields.String(validate=validate.Length(max=64, error="field.too_long"))
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()
    limit = fields.Integer(load_default=200, validate=validate.Range(
        min=1, max=1000, error="field.invalid"))


class AdminAuditEntrySchema(ApiSchema):
    at = fields.String()
    actor = fields.String(allow_none=True)
    action = fields.String(metadata={"description": "created, password, sign_in_code, role, "
                                                    "incident_reviewer, active, unit, "
                                                    "display_name, phone, lockout_lifted, "
                                                    "target_set, target_removed, rule, "
                                                    "form_version"})
    target = fields.String()
    before = fields.String(allow_none=True, metadata={"description": "text, or JSON"})
    after = fields.String(allow_none=True)


class AdminAuditListSchema(ApiSchema):
    entries = fields.List(fields.Nested(AdminAuditEntrySchema))


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
