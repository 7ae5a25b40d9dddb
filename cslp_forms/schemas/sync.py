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
    parent = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "an entry (a record of a form with `parent_form`): the UUID of the "
                       "approved case or group it belongs to"})
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
    parent = fields.String(allow_none=True, metadata={
        "description": "an entry: the UUID of the case or group it belongs to"})
    holder_unit = fields.Dict(allow_none=True, metadata={
        "description": "a transferred case (and its entries): the unit holding it now"})


class CaseStateSchema(ApiSchema):
    """The derived state of a case (`kind: case`) or a model group (`kind: group`): never
    typed, computed from the approved record and its approved entries (the phone computes
    the same with static/pwa/js/timeline.js)."""

    kind = fields.String(metadata={"description": "case or group"})
    status = fields.String(allow_none=True, metadata={
        "description": "case: moi, dang_ho_tro, da_chuyen_tuyen, da_dong; group: "
                       "dang_hoat_dong, tam_ngung, giai_the, sap_nhap"})
    closed = fields.Boolean(metadata={"description": "case: closed (only a reopening "
                                                     "entry is accepted)"})
    active = fields.Boolean(metadata={"description": "group: status is dang_hoat_dong"})
    services_reached = fields.List(fields.Dict(), metadata={
        "description": "case: one row per service type received (status da_nhan), "
                       "{service_type, provider, date}, earliest first"})
    first_service_date = fields.String(allow_none=True)
    open_referrals = fields.List(fields.Dict(), metadata={
        "description": "case: referrals ({service_type, provider, date, uuid}) not yet "
                       "followed by that service received or declined"})
    next_followup_date = fields.String(allow_none=True, metadata={
        "description": "case: the follow-up due (none once done or closed)"})
    holder_unit = fields.String(metadata={"description": "the unit code holding it now"})
    holders = fields.List(fields.Dict(), metadata={
        "description": "case: who held it when, [{unit, from, to}]"})
    worker = fields.String(allow_none=True, metadata={
        "description": "case: the case worker (username) of the holder unit"})
    worker_name = fields.String(allow_none=True)
    last_entry_date = fields.String(allow_none=True)
    entries = fields.Integer(metadata={"description": "approved entries"})
    pending = fields.List(fields.Dict(), metadata={
        "description": "entries waiting for review or returned: {uuid, kind, status, "
                       "record_date}"})
    last_meeting_date = fields.String(allow_none=True)
    meetings_total = fields.Integer()
    meetings_this_quarter = fields.Integer(metadata={
        "description": "group: meetings dated in the current quarter"})
    members_total = fields.Integer(allow_none=True)
    members_female = fields.Integer(allow_none=True)
    members_male = fields.Integer(allow_none=True)
    tot_trained_count = fields.Integer()


class RecordDetailSchema(RecordSchema):
    """One record as GET /api/submissions/<uuid> and a decision answer it."""

    chain = fields.List(fields.Dict(), metadata={"description": "the units that approve it"})
    can_decide = fields.Boolean()
    timeline = fields.List(fields.Nested(RecordSchema), metadata={
        "description": "a case or group: the entries she may read, oldest first (by "
                       "entry date)"})
    state = fields.Nested(CaseStateSchema, metadata={
        "description": "a case or group: its derived state"})


class ChangeSchema(RecordSchema):
    change = fields.Integer()


class ChangesResponseSchema(ApiSchema):
    changes = fields.List(fields.Nested(ChangeSchema))
    cursor = fields.String()
    has_more = fields.Boolean()
