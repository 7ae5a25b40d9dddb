"""Push subscriptions as the browser gives them, and the in-app list."""

from marshmallow import fields, validate

from .base import DB_INT, ApiSchema

URL = validate.Regexp(r"^https://[^\s]{1,990}$", error="field.invalid")


class KeysSchema(ApiSchema):
    p256dh = fields.String(required=True, validate=validate.Length(min=10, max=200,
                                                                  error="field.invalid"))
    auth = fields.String(required=True, validate=validate.Length(min=8, max=100,
                                                                error="field.invalid"))


class SubscriptionSchema(ApiSchema):
    """PushSubscription.toJSON(): {endpoint, expirationTime, keys: {p256dh, auth}}."""

    endpoint = fields.String(required=True, validate=validate.Length(
        min=10, max=1000, error="field.invalid"))
    expirationTime = fields.Raw(load_default=None, allow_none=True)  # noqa: N815
    keys = fields.Nested(KeysSchema, required=True)


class UnsubscribeSchema(ApiSchema):
    endpoint = fields.String(required=True, validate=validate.Length(max=1000))


class ReadSchema(ApiSchema):
    ids = fields.List(fields.Integer(strict=True, validate=DB_INT), required=True,
                      validate=validate.Length(max=500, error="field.too_many"))


class VapidKeySchema(ApiSchema):
    public_key = fields.String()


class NotificationListSchema(ApiSchema):
    notifications = fields.List(fields.Dict())
    unread = fields.Integer()
