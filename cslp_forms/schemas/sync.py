"""The sync envelope: a batch of items, each one record as the phone holds it."""

from marshmallow import ValidationError, fields, validate

from .base import DB_INT, ApiSchema

MAX_BATCH = 100
# More answers than any form has questions (the largest has under 40; repeat rows are
# one answer) is refused as one error before each unknown key costs one. (JSON keys are
# always strings: `answers` needs no key field, which would cost a call per key.)
MAX_ANSWERS = 500


def _raise(code):
    raise ValidationError(code)
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="field.invalid_type")


class SyncItemSchema(ApiSchema):
    uuid = fields.UUID(required=True)
    form = fields.String(required=True, validate=validate.Length(min=1, max=32,
                                                                error="field.invalid"))
    version = fields.Integer(required=True, strict=True,
                             validate=validate.Range(min=1, max=10_000, error="field.invalid"))
    unit = fields.String(required=True, validate=validate.Length(min=1, max=10,
                                                                error="field.invalid_unit"))
    base_revision = fields.Integer(required=True, allow_none=True, strict=True,
                                   validate=DB_INT)
    answers = fields.Dict(required=True, validate=validate.Length(
        max=MAX_ANSWERS, error="field.too_many"))
    attachments = fields.List(fields.String(validate=SHA256), load_default=list,
                              validate=validate.Length(max=20, error="field.too_many"))
    # The phone's clock when she last changed the record; a clock set to year 1 or 9999
    # is not a time we can store.
    client_time = fields.AwareDateTime(load_default=None, allow_none=True,
                                       validate=lambda t: 2000 <= t.year <= 2100
                                       or _raise("field.invalid"))


class SyncBatchSchema(ApiSchema):
    """Only the outer shape: items are checked one by one so one bad item never fails
    the batch."""

    items = fields.List(fields.Raw(allow_none=True), required=True)


class SyncResultSchema(ApiSchema):
    uuid = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(
        ["accepted", "duplicate", "conflict", "rejected", "locked"]))
    revision = fields.Integer()
    errors = fields.List(fields.Dict())
    server = fields.Dict()
    missing_attachments = fields.List(fields.String())


class SyncResponseSchema(ApiSchema):
    results = fields.List(fields.Nested(SyncResultSchema))


class ChangesArgsSchema(ApiSchema):
    cursor = fields.String(load_default="0")
    limit = fields.Integer(load_default=100, validate=validate.Range(
        min=1, max=500, error="field.invalid"))


class RecordSchema(ApiSchema):
    uuid = fields.String()
    form = fields.String()
    version = fields.Integer()
    unit = fields.Dict()
    author = fields.String()
    author_name = fields.String()
    status = fields.String()
    revision = fields.Integer()
    record_date = fields.String()
    period = fields.String()
    answers = fields.Dict()
    attachments = fields.List(fields.String())
    missing_attachments = fields.List(fields.String())
    awaiting = fields.Dict(allow_none=True)
    review = fields.Dict(allow_none=True)
    stub = fields.Boolean(metadata={"description": "a survivor's record she may not read "
                                                   "in full: answers are empty"})
    category = fields.List(fields.String(), allow_none=True,
                           metadata={"description": "a stub's case category"})
    created_at = fields.String()
    updated_at = fields.String()


class RecordDetailSchema(RecordSchema):
    """One record as GET /api/submissions/<uuid> and a decision answer it."""

    chain = fields.List(fields.Dict(), metadata={"description": "the units that approve it"})
    can_decide = fields.Boolean()


class ChangeSchema(RecordSchema):
    change = fields.Integer()


class ChangesResponseSchema(ApiSchema):
    changes = fields.List(fields.Nested(ChangeSchema))
    cursor = fields.String()
    has_more = fields.Boolean()
