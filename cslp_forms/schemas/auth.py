"""Sign-in and the signed-in user."""

from marshmallow import fields, validate

from .base import ApiSchema


class LoginSchema(ApiSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64,
                                                                    error="field.too_long"))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256,
                                                                    error="field.too_long"))


class PasswordSchema(ApiSchema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=256,
                                                                    error="field.too_long"))


class UnitSummarySchema(ApiSchema):
    code = fields.String()
    name = fields.String()
    level = fields.String()


class UserSchema(ApiSchema):
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    active = fields.Boolean()
    incident_reviewer = fields.Boolean()
    unit = fields.Nested(UnitSummarySchema)


class UserListSchema(ApiSchema):
    users = fields.List(fields.Nested(UserSchema))


class MeSchema(UserSchema):
    unit_path = fields.List(fields.Nested(UnitSummarySchema))
    csrf_token = fields.String()
