"""Review decisions, the queue and completeness."""

from marshmallow import fields, validate

from ..models import DECISIONS, STATUSES
from .base import DB_INT, ApiSchema

PERIOD = validate.Regexp(r"^[0-9]{4}-(0[1-9]|1[0-2])$", error="field.invalid")


class DecisionSchema(ApiSchema):
    decision = fields.String(required=True, validate=validate.OneOf(
        DECISIONS, error="field.not_a_choice"))
    revision = fields.Integer(required=True, strict=True, validate=DB_INT)
    comment = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=2000, error="field.too_long"))
    field_comments = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                                 values=fields.String(validate=validate.Length(
                                     max=500, error="field.too_long")),
                                 load_default=None, allow_none=True)


class BulkItemSchema(ApiSchema):
    uuid = fields.UUID(required=True)
    revision = fields.Integer(required=True, strict=True, validate=DB_INT)


class BulkApproveSchema(ApiSchema):
    decision = fields.String(required=True, validate=validate.OneOf(
        ["approve"], error="field.not_a_choice"))
    items = fields.List(fields.Nested(BulkItemSchema), required=True,
                        validate=validate.Length(min=1, max=100, error="field.too_many"))


class QueueArgsSchema(ApiSchema):
    unit = fields.String()
    form = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES, error="field.not_a_choice"))
    period = fields.String(validate=PERIOD)
    limit = fields.Integer(load_default=50, validate=validate.Range(
        min=1, max=200, error="field.invalid"))
    offset = fields.Integer(load_default=0, validate=validate.Range(
        min=0, max=10**6, error="field.invalid"))


class CompletenessArgsSchema(ApiSchema):
    unit = fields.String()
    period = fields.String(required=True, validate=PERIOD)


class ReviewSummarySchema(ApiSchema):
    uuid = fields.String()
    form = fields.String()
    version = fields.Integer()
    unit = fields.Dict()
    author = fields.String()
    status = fields.String()
    revision = fields.Integer()
    record_date = fields.String()
    period = fields.String()
    title = fields.String()
    awaiting = fields.Dict(allow_none=True)
    awaiting_me = fields.Boolean()
    can_decide = fields.Boolean()
    updated_at = fields.String()
    parent = fields.String(allow_none=True, metadata={
        "description": "an entry: the case or group it belongs to"})
    kind = fields.String(allow_none=True, metadata={
        "description": "an entry: its entry_kind (closure, reopening, transfer, status…)"})


class QueueSchema(ApiSchema):
    records = fields.List(fields.Nested(ReviewSummarySchema))
    total = fields.Integer()


class BulkResultSchema(ApiSchema):
    results = fields.List(fields.Dict())


class HistorySchema(ApiSchema):
    uuid = fields.String()
    status = fields.String()
    events = fields.List(fields.Dict())


class CompletenessSchema(ApiSchema):
    unit = fields.Dict()
    period = fields.String()
    forms = fields.List(fields.String())
    units = fields.List(fields.Dict())
    missing = fields.Integer()
