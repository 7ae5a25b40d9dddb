"""The sync envelope: a batch of items, each one record as the phone holds it."""

import uuid as uuid_lib

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


_ITEM = SyncItemSchema()
_ITEM_KEYS = frozenset(_ITEM.load_fields)
_CLIENT_TIME = _ITEM.fields["client_time"]
_SHA256 = SHA256.regex.match
_DB_INT_MAX = DB_INT.max


def load_item(raw):
    """`SyncItemSchema().load(raw)`: the same result, or the same ValidationError. An
    item as phones send it is checked here by hand, at a fraction of the schema's cost
    (a batch holds up to a hundred); anything else is the schema's to load or refuse."""
    item = _plain_item(raw)
    return _ITEM.load(raw) if item is None else item


def _plain_item(raw) -> dict | None:
    """The loaded item when every field holds what the schema accepts; else None."""
    if type(raw) is not dict or not _ITEM_KEYS.issuperset(raw) \
            or "base_revision" not in raw:
        return None
    uuid, form, version, unit = (raw.get("uuid"), raw.get("form"), raw.get("version"),
                                 raw.get("unit"))
    base, answers, parent = raw["base_revision"], raw.get("answers"), raw.get("parent")
    attachments = raw.get("attachments", ())
    if not (type(uuid) is str and type(form) is str and 0 < len(form) <= 32
            and type(version) is int and 1 <= version <= 10_000
            and type(unit) is str and 0 < len(unit) <= 10
            and (base is None or type(base) is int and 1 <= base <= _DB_INT_MAX)
            and type(answers) is dict and len(answers) <= MAX_ANSWERS
            and (parent is None or type(parent) is str)
            and type(attachments) in (list, tuple) and len(attachments) <= 20
            and all(type(a) is str and _SHA256(a) is not None for a in attachments)):
        return None
    try:
        uuid = uuid_lib.UUID(uuid)
        parent = None if parent is None else uuid_lib.UUID(parent)
        client_time = raw.get("client_time")
        if client_time is not None:
            client_time = _CLIENT_TIME.deserialize(client_time, "client_time", raw)
    except (ValueError, ValidationError):
        return None
    return {"uuid": uuid, "form": form, "version": version, "unit": unit,
            "base_revision": base, "answers": dict(answers), "parent": parent,
            "attachments": list(attachments), "client_time": client_time}


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
