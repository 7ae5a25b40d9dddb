"""Sign-in and the signed-in user."""

from marshmallow import fields, validate

from .base import ApiSchema


class LoginSchema(ApiSchema):
    """`password`, or `code`: the one-time sign-in code an administrator handed out."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64,
                                                                    error="field.too_long"))
    password = fields.String(validate=validate.Length(min=1, max=256,
                                                      error="field.too_long"))
    code = fields.String(validate=validate.Length(min=1, max=32, error="field.too_long"))


class NewPasswordSchema(ApiSchema):
    """Her own new password; `current_password` too unless she signed in with a code."""

    password = fields.String(required=True, validate=validate.Length(
        min=8, max=256, error="field.too_short"), load_only=True)
    current_password = fields.String(validate=validate.Length(max=256,
                                                              error="field.too_long"),
                                     load_only=True)


class PasswordSchema(ApiSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=256,
                                                                    error="field.too_long"))


class UnitSummarySchema(ApiSchema):
    code = fields.String()
    name = fields.String()
    level = fields.String()


class SignInCodeSchema(ApiSchema):
    """Shown once, to the administrator: hand it to her on paper (never by the phone
    number the account is for, if someone else may read it)."""

    username = fields.String()
    display_name = fields.String()
    code = fields.String()
    expires_at = fields.String()


class UserSchema(ApiSchema):
    username = fields.String()
    display_name = fields.String()
    phone = fields.String(allow_none=True)
    role = fields.String()
    active = fields.Boolean()
    incident_reviewer = fields.Boolean()
    must_change_password = fields.Boolean(metadata={
        "description": "signed in with a one-time code: every call but POST "
                       "/api/auth/password is refused until she chooses a password"})
    code_expires_at = fields.String(allow_none=True, metadata={
        "description": "when her unused one-time sign-in code stops working"})
    locked = fields.Boolean(metadata={"description": "too many failed sign-ins just now"})
    unit = fields.Nested(UnitSummarySchema)
    sign_in_code = fields.Nested(SignInCodeSchema, allow_none=True, metadata={
        "description": "on creation without a password: her one-time code, shown once"})


class UserListSchema(ApiSchema):
    users = fields.List(fields.Nested(UserSchema))


class MeSchema(UserSchema):
    unit_path = fields.List(fields.Nested(UnitSummarySchema))
    csrf_token = fields.String()
