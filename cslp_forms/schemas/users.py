"""User management by an administrator."""

from marshmallow import fields, validate

from ..models import ROLES
from .base import ApiSchema

USERNAME = validate.Regexp(r"^[a-z0-9][a-z0-9._-]{2,63}$", error="field.invalid")
PASSWORD = validate.Length(min=8, max=256, error="field.too_short")


class UserCreateSchema(ApiSchema):
    username = fields.String(required=True, validate=USERNAME)
    display_name = fields.String(required=True, validate=validate.Length(
        min=1, max=120, error="field.too_long"))
    # Without a password the answer carries a one-time sign-in code instead.
    password = fields.String(validate=PASSWORD, load_only=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES,
                                                                error="field.not_a_choice"))
    unit = fields.String(required=True)
    incident_reviewer = fields.Boolean(load_default=False)
    phone = fields.String(validate=validate.Length(max=20, error="field.too_long"))


class UserUpdateSchema(ApiSchema):
    display_name = fields.String(validate=validate.Length(min=1, max=120,
                                                          error="field.too_long"))
    password = fields.String(validate=PASSWORD, load_only=True)
    role = fields.String(validate=validate.OneOf(ROLES, error="field.not_a_choice"))
    unit = fields.String()
    active = fields.Boolean()
    incident_reviewer = fields.Boolean()
    phone = fields.String(allow_none=True, validate=validate.Length(
        max=20, error="field.too_long"))


class UserListArgsSchema(ApiSchema):
    unit = fields.String()


class SheetAccountSchema(ApiSchema):
    username = fields.String(required=True, validate=validate.Length(max=64,
                                                                     error="field.too_long"))
    code = fields.String(required=True, validate=validate.Length(max=32,
                                                                 error="field.too_long"))


class SheetSchema(ApiSchema):
    """The accounts (and the codes just given to them) to print, in order."""

    accounts = fields.List(fields.Nested(SheetAccountSchema), required=True,
                           validate=validate.Length(min=1, max=1000, error="field.too_many"))


class ImportArgsSchema(ApiSchema):
    dry_run = fields.Boolean(load_default=False)


class ImportCodeSchema(ApiSchema):
    code = fields.String()
    expires_at = fields.String()


class ImportRowSchema(ApiSchema):
    row = fields.Integer(metadata={"description": "the row number as the sheet shows it"})
    status = fields.String(metadata={
        "description": "new (dry run), created, unchanged (already there: same phone, unit "
                       "and role) or error (skipped)"})
    errors = fields.List(fields.String(), metadata={"description": "in Vietnamese"})
    username = fields.String(allow_none=True)
    display_name = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    sign_in_code = fields.Nested(ImportCodeSchema, metadata={
        "description": "created rows: her one-time code, shown once"})


class ImportSummarySchema(ApiSchema):
    new = fields.Integer()
    created = fields.Integer()
    unchanged = fields.Integer()
    error = fields.Integer()


class ImportResultSchema(ApiSchema):
    dry_run = fields.Boolean()
    rows = fields.List(fields.Nested(ImportRowSchema))
    summary = fields.Nested(ImportSummarySchema)
