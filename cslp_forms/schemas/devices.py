"""A phone's health report (POST /api/devices/health) and what a supervisor reads back
(GET /api/devices). Counts, ages and technical facts only: no field can carry a record's
content, and unknown keys are refused."""

from marshmallow import fields, validate

from ..models import DEVICE_BUCKETS, DEVICE_RISKS
from .base import ApiSchema

# Ten years in seconds: an age past it is a broken clock, not a record.
AGE = validate.Range(min=0, max=10 * 366 * 86400, error="field.invalid")
COUNT = validate.Range(min=0, max=1_000_000, error="field.invalid")
BYTES = validate.Range(min=0, max=2**53, error="field.invalid")
SHORT = validate.Length(max=40, error="field.too_long")


class BucketSchema(ApiSchema):
    count = fields.Integer(strict=True, required=True, validate=COUNT)
    age_seconds = fields.Integer(strict=True, load_default=None, allow_none=True,
                                 validate=AGE, metadata={
                                     "description": "age of the oldest, by the phone's clock"})


def _empty_bucket() -> dict:
    return {"count": 0, "age_seconds": None}


# One {count, age_seconds} per record state the phone counts; a missing one is zero.
RecordCountsSchema = ApiSchema.from_dict(
    {b: fields.Nested(BucketSchema, load_default=_empty_bucket) for b in DEVICE_BUCKETS},
    name="RecordCountsSchema")


class StorageSchema(ApiSchema):
    persisted = fields.Boolean(load_default=None, allow_none=True)
    quota = fields.Integer(strict=True, load_default=None, allow_none=True, validate=BYTES)
    usage = fields.Integer(strict=True, load_default=None, allow_none=True, validate=BYTES)


class PushStateSchema(ApiSchema):
    available = fields.Boolean(load_default=False)
    subscribed = fields.Boolean(load_default=False)


class HealthReportSchema(ApiSchema):
    device_id = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]{8,64}$", error="field.invalid"), metadata={
            "description": "minted on the phone once, kept in its storage"})
    app_version = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=64, error="field.too_long"))
    records = fields.Nested(RecordCountsSchema, load_default=lambda: {
        b: _empty_bucket() for b in DEVICE_BUCKETS})
    last_sync_age_seconds = fields.Integer(strict=True, load_default=None, allow_none=True,
                                           validate=AGE)
    storage = fields.Nested(StorageSchema, load_default=lambda: {
        "persisted": None, "quota": None, "usage": None})
    background_sync = fields.Boolean(load_default=False)
    push = fields.Nested(PushStateSchema, load_default=lambda: {
        "available": False, "subscribed": False})
    browser = fields.String(load_default=None, allow_none=True, validate=SHORT)
    os = fields.String(load_default=None, allow_none=True, validate=SHORT)


class DeviceListArgsSchema(ApiSchema):
    unit = fields.String(validate=validate.Length(min=1, max=16, error="field.invalid"))


class DeviceNudgeSchema(ApiSchema):
    username = fields.String(required=True, validate=validate.Length(
        min=1, max=64, error="field.invalid"))


class AgedBucketSchema(ApiSchema):
    count = fields.Integer()
    age_days = fields.Float(allow_none=True, metadata={"description": "as of now"})


class DeviceSchema(ApiSchema):
    device_id = fields.String()
    user = fields.Dict(metadata={"description": "{username, display_name}"})
    unit = fields.Dict(metadata={"description": "{code, name, parent}"})
    app_version = fields.String(allow_none=True)
    current_version = fields.Boolean(metadata={"description": "runs the shell served now"})
    records = fields.Dict(keys=fields.String(validate=validate.OneOf(DEVICE_BUCKETS)),
                          values=fields.Nested(AgedBucketSchema))
    last_sync_days = fields.Float(allow_none=True)
    reported_at = fields.DateTime()
    storage = fields.Nested(StorageSchema)
    background_sync = fields.Boolean()
    push = fields.Nested(PushStateSchema)
    browser = fields.String(allow_none=True)
    os = fields.String(allow_none=True)
    risk = fields.List(fields.String(validate=validate.OneOf(DEVICE_RISKS)),
                       metadata={"description": "riskiest first"})


class DeviceListSchema(ApiSchema):
    devices = fields.List(fields.Nested(DeviceSchema))


class DeviceReportedSchema(ApiSchema):
    device_id = fields.String()
    received_at = fields.DateTime()


class DeviceNudgedSchema(ApiSchema):
    notified = fields.Integer(metadata={"description": "0: she was already nudged today"})
    message = fields.String()
