"""POST /api/sync and GET /api/sync/changes: exactly-once storage of what phones send,
and the pull feed of what changed in a caller's scope."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import date, datetime
from typing import NamedTuple

from marshmallow import ValidationError
from sqlalchemy import select, update

from ..extensions import db
from ..models import LOCKED_STATUSES, Submission, SubmissionRevision, Unit, User
from ..problems import field_error, field_errors, has_bad_text
from ..schemas.sync import load_item
from .base.clock import local_today
from .base.forms import FormDefinition, accepts_new_records, registry
from .base.sql import insert_rows, inserted_keys
from .base.units import ancestors
from .records.access import can_read_details, log_access, may_add_entries, visible_to
from .records.chain import initial_review
from .records.changes import stamp_changes
from .records.content import canonical_content, content_digest
from .records.facts import NewFacts, record_facts, write_rollups
from .records.notices import alert_urgent
from .records.payloads import (
    latest_decisions,
    missing_attachments,
    present_attachments,
    record_payload,
)
from .records.sealing import ACCESS_FLAG, plain_part, seal_columns
from .records.timeline import (
    any_service_reached,
    entries_of,
    entry_refusal,
    holder_of,
    plain_view,
)

# A rejected item lists at most this many errors, and a batch this many in all (in the
# order of its items); what is left out is counted in one last entry of the same shape,
# `{"field": "item", "code": "sync.errors_left_out", "message": "Còn N lỗi …"}`. A real
# record has a few dozen errors at worst; without a cap, 250,000 unknown keys made a
# 24 MB answer. Every rejected item keeps at least that last entry.
MAX_ERRORS_PER_ITEM = 50
MAX_ERRORS_PER_BATCH = 1000


class _Batch:
    """State shared by the items of one batch: the caller, the clock, and lookups made
    once per batch instead of once per item."""

    def __init__(self, user: User, now: datetime):
        self.user = user
        self.now = now
        self.today = local_today(now)
        self.changed: list[uuid_lib.UUID] = []
        self._versions: dict[str, list[Unit]] = {}
        # New records waiting for the one INSERT of the batch, by UUID, and their facts.
        self.pending: dict[str, tuple[int, _New]] = {}
        # Rollup rows the batch moves, written after all its records: see write_rollups.
        self.rollups: dict[str, dict] = {}
        self.facts = NewFacts(self.rollups)
        # The revisions kept for history, inserted together at the end of the batch.
        self.revisions: list[dict] = []
        self._levels: dict[str, set[str]] | None = None
        self._lineage: dict[int, list[Unit]] = {}
        self._reviews: dict[tuple, dict] = {}

    def unit(self, code: str, day: date) -> Unit | None:
        """find_version(code, day) or find_version(code), from one query per code."""
        own = self.user.unit
        if code == own.code and own.is_valid_on(day):  # her own commune, most often
            return own
        if code not in self._versions:
            self._versions[code] = list(db.session.scalars(select(Unit).where(
                Unit.code == code)))
        versions = self._versions[code]
        on_day = [u for u in versions if u.is_valid_on(day)]
        if on_day:
            return on_day[0]
        # The current version, else the latest that existed.
        return min(versions, default=None, key=lambda u: (u.valid_to is not None,
                                                          -u.valid_from.toordinal()))

    def review(self, definition: FormDefinition, unit: Unit) -> dict:
        key = (definition.form, definition.version, unit.id)
        if key not in self._reviews:
            if unit.id not in self._lineage:
                self._lineage[unit.id] = ancestors(unit)
            self._reviews[key] = initial_review(definition.form, definition.version, unit,
                                                self._lineage[unit.id], author=self.user)
        return self._reviews[key]

    def unit_levels(self) -> dict[str, set[str]]:
        if self._levels is None:
            self._levels = {}
            for code, level in db.session.execute(select(Unit.code, Unit.level)):
                self._levels.setdefault(code, set()).add(level)
        return self._levels


def apply_sync_batch(items: list, *, user: User, now: datetime) -> list[dict]:
    """One result per item, in order. Invalid items are `rejected`; none fails the
    batch. Call it again with the same items and nothing is stored twice."""
    batch = _Batch(user, now)
    results: list[dict | None] = [None] * len(items)
    # Rows are written in UUID order, whatever the order of the batch, so two batches
    # touching the same records never wait on each other in a circle (deadlock).
    # New records are inserted together, in one statement (still in UUID order); an item
    # naming a record still waiting for that statement first has it run, so the items
    # of a batch see each other as if they had been stored one by one. Their facts and
    # the revisions kept for history follow in one statement each, then the rollup rows
    # in key order, and the access-log rows are flushed together at the end, not one by
    # one before each next query.
    # Entries on a case or group come after the other records, in the order of their
    # dates (then UUIDs: any two batches holding the same entries take them in the same
    # order), each seeing those before it: a closure sent with the visit that reached a
    # service sees the service.
    with db.session.no_autoflush:
        for index in sorted(range(len(items)), key=lambda i: _order_key(items[i])):
            if _sort_key(items[index]) in batch.pending or (
                    _order_key(items[index])[0] and batch.pending):
                _insert_pending(batch, results)
            outcome = _apply_item(items[index], batch)
            if isinstance(outcome, _New):
                batch.pending[str(outcome.uuid)] = (index, outcome)
            else:
                results[index] = outcome
        _insert_pending(batch, results)
        batch.facts.write()
        if batch.revisions:
            insert_rows(SubmissionRevision, batch.revisions)
        write_rollups(batch.rollups)
    # Change numbers follow the order she sent the records in.
    position = {r["uuid"]: i for i, r in reversed(list(enumerate(results)))}
    stamp_changes(sorted(batch.changed, key=lambda u: position.get(str(u), 0)))
    _cap_batch_errors(results)
    return results


def _cap_batch_errors(results: list[dict]) -> None:
    """At most MAX_ERRORS_PER_BATCH errors listed across the batch, first items first."""
    budget = MAX_ERRORS_PER_BATCH
    for result in results:
        if "errors" not in result:
            continue
        errors, left_out = result["errors"], result.pop("_left_out", 0)
        keep = min(len(errors), budget)
        budget -= keep
        left_out += len(errors) - keep
        result["errors"] = errors[:keep]
        if left_out:
            result["errors"].append(field_error("item", "sync.errors_left_out",
                                                "sync.errors_left_out", count=left_out))


class _New(NamedTuple):
    """A valid new record, waiting for the batch's INSERT."""

    uuid: uuid_lib.UUID
    row: dict
    values: dict
    canonical: bytes
    definition: FormDefinition
    answers: dict


def _insert_pending(batch: _Batch, results: list) -> None:
    """INSERT … ON CONFLICT (uuid) DO NOTHING RETURNING uuid for every waiting record:
    those returned are accepted; the others existed already (a resend, or not hers)."""
    if not batch.pending:
        return
    waiting = [batch.pending[key] for key in sorted(batch.pending)]
    batch.pending = {}
    stored = inserted_keys(Submission, [new.row for _, new in waiting], key="uuid")
    for index, new in waiting:
        if new.uuid in stored:
            results[index] = _accepted(new.uuid, 1, new.values, new.definition, new.answers,
                                       batch)
        else:
            results[index] = _existing(new.uuid, new.canonical, new.definition, batch)


def _order_key(raw) -> tuple:
    """Records first, by UUID; then entries (items naming a parent), by date and UUID."""
    if isinstance(raw, dict) and raw.get("parent") is not None:
        answers = raw.get("answers") if isinstance(raw.get("answers"), dict) else {}
        day = answers.get("entry_date")
        return (1, day if isinstance(day, str) else "", _sort_key(raw))
    return (0, "", _sort_key(raw))


def _sort_key(raw) -> str:
    value = raw.get("uuid") if isinstance(raw, dict) else None
    if not isinstance(value, str):
        return ""
    try:
        return str(uuid_lib.UUID(value))
    except ValueError:
        return ""


def _rejected(uuid, errors) -> dict:
    """Its first MAX_ERRORS_PER_ITEM errors, and how many more (for _cap_batch_errors)."""
    return {"uuid": uuid, "status": "rejected", "errors": errors[:MAX_ERRORS_PER_ITEM],
            "_left_out": max(0, len(errors) - MAX_ERRORS_PER_ITEM)}


def _apply_item(raw, batch: _Batch) -> dict | _New:
    """The item's result, or the new record it is, waiting for the batch's INSERT."""
    if not isinstance(raw, dict):
        return _rejected(None, field_errors({"item": ["field.invalid_type"]}))
    if has_bad_text(raw):
        safe_uuid = raw.get("uuid") if isinstance(raw.get("uuid"), str) \
            and not has_bad_text(raw.get("uuid")) else None
        return _rejected(safe_uuid, field_errors({"item": ["field.invalid_text"]}))
    given_uuid = raw.get("uuid") if isinstance(raw.get("uuid"), str) else None
    try:
        item = load_item(raw)
    except ValidationError as err:
        return _rejected(given_uuid, field_errors(err.messages))
    uuid = item["uuid"]
    definition = registry().get(item["form"], item["version"])
    if definition is None:
        code = "form.unknown_version" if registry().has_form(item["form"]) else "form.unknown"
        name = "version" if code == "form.unknown_version" else "form"
        return _rejected(str(uuid), field_errors({name: [code]}))
    # A draft on a version whose transition window has closed; a record the server
    # already holds is still answered as a duplicate.
    if item["base_revision"] is None and not accepts_new_records(definition, batch.now) \
            and db.session.get(Submission, uuid) is None:
        return _rejected(str(uuid), field_errors({"version": ["form.version_expired"]}))

    answers, attachments = item["answers"], item["attachments"]
    errors = definition.validate(answers, attachments)
    day = _record_date(definition, answers) or batch.today
    parent, entry_errors = _parent(definition, item, answers, batch)
    if entry_errors:
        return _rejected(str(uuid), errors + entry_errors)
    # An entry is filed under the unit that holds its case or group now.
    unit = holder_of(parent, day) if parent is not None else batch.unit(item["unit"], day)
    if parent is not None and item["unit"] != unit.code:
        errors += [field_error("unit", "entry.wrong_unit")]
    elif unit is None or unit.level not in definition.unit_levels:
        errors += field_errors({"unit": ["field.invalid_unit"]})
    elif not batch.user.unit.contains(unit):
        errors += field_errors({"unit": ["scope.forbidden"]})
    errors += _unit_answer_errors(definition, answers, batch)
    if errors:
        return _rejected(str(uuid), errors)

    canonical = canonical_content(form=definition.form, version=definition.version,
                                  unit=unit.code, answers=answers, attachments=attachments,
                                  parent=item["parent"])
    sealed = seal_columns(definition, uuid, answers)
    digest = content_digest(definition, canonical, sealed["key_id"])
    values = {
        "form_version": definition.version, "unit_id": unit.id, "record_date": day,
        "period": day.strftime("%Y-%m"), **sealed,
        "attachments": sorted(set(attachments)), "content_hash": digest,
        "client_time": item.get("client_time"), "updated_at": batch.now,
        # A new revision starts its review from the first step of the chain; a routine
        # entry on a case or group needs none and stands approved.
        "status": "submitted", **batch.review(definition, unit),
    }
    if parent is not None:
        values |= {"parent_uuid": parent.uuid, "holder_unit_id": parent.holder_unit_id}
        if not definition.needs_review(answers):
            values |= {"status": "approved", "review_step": 0, "awaiting_unit_id": None}
    if item["base_revision"] is None:
        return _New(uuid, {"uuid": uuid, "form": definition.form, "author_id": batch.user.id,
                           "revision": 1, "created_at": batch.now,
                           **values}, values, canonical, definition, answers)
    else:
        base = item["base_revision"]
        stored = db.session.execute(
            update(Submission)
            .where(Submission.uuid == uuid, Submission.revision == base,
                   Submission.form == definition.form,
                   Submission.author_id == batch.user.id,
                   Submission.status.not_in(LOCKED_STATUSES),
                   Submission.parent_uuid.is_(None) if parent is None
                   else Submission.parent_uuid == parent.uuid)
            .values(revision=base + 1, **values)
            .execution_options(synchronize_session=False))
        if stored.rowcount == 1:
            return _accepted(uuid, base + 1, values, definition, answers, batch)
    return _existing(uuid, canonical, definition, batch)


def _accepted(uuid, revision: int, values: dict, definition: FormDefinition, answers: dict,
              batch: _Batch) -> dict:
    """Keep the revision for history and mark the record changed for the pull feed."""
    batch.revisions.append(dict(
        submission_uuid=uuid, revision=revision, form_version=values["form_version"],
        unit_id=values["unit_id"], **seal_columns(definition, uuid, answers, revision),
        attachments=values["attachments"], content_hash=values["content_hash"],
        author_id=batch.user.id, client_time=values["client_time"], created_at=batch.now))
    if definition.sensitive:
        log_access(batch.user, uuid, "change")
    if values["answers"].get("immediate_danger") is True:
        alert_urgent(db.session.get(Submission, uuid, populate_existing=True), batch.now)
    # Reports: the dashboard's columns, from the plaintext answers of this revision (the
    # stored answers of a sensitive form are only its plain part).
    if revision == 1:  # a new record: its facts are written with the batch's others
        batch.facts.add(uuid, form=definition.form, unit_id=values["unit_id"],
                        record_date=values["record_date"], answers=answers,
                        status=values["status"], parent_uuid=values.get("parent_uuid"))
    else:
        batch.facts.write()
        record_facts(uuid, form=definition.form, unit_id=values["unit_id"],
                     record_date=values["record_date"], answers=answers,
                     status=values["status"], rollups=batch.rollups,
                     parent_uuid=values.get("parent_uuid"))
    batch.changed.append(uuid)
    result = {"uuid": str(uuid), "status": "accepted", "revision": revision}
    present = present_attachments(values["attachments"])
    missing = [h for h in values["attachments"] if h not in present]
    if missing:
        result["missing_attachments"] = missing
    return result


def _existing(uuid, canonical: bytes, definition: FormDefinition, batch: _Batch) -> dict:
    """This item did not store anything: a resend, a stale edit, a record that is final,
    or a UUID that is not hers (told apart from one that does not exist by nothing)."""
    db.session.flush()
    current = db.session.get(Submission, uuid, populate_existing=True)
    if current is None or current.author_id != batch.user.id:
        return _rejected(str(uuid), field_errors({"uuid": ["sync.unknown_record"]}))
    if current.form != definition.form:
        return _rejected(str(uuid), field_errors({"form": ["field.invalid"]}))
    if current.content_hash == content_digest(definition, canonical, current.key_id):
        return {"uuid": str(uuid), "status": "duplicate", "revision": current.revision}
    # An entry is never rewritten: other content under its UUID is a conflict.
    status = "locked" if current.locked and current.parent_uuid is None else "conflict"
    if definition.sensitive:
        log_access(batch.user, uuid, "read")
    return {"uuid": str(uuid), "status": status, "revision": current.revision,
            "server": record_payload(current)}


def _parent(definition: FormDefinition, item: dict, answers: dict,
            batch: _Batch) -> tuple[Submission | None, list]:
    """An entry's case or group, once she may add this entry to it now; else the errors
    that say why not. An ordinary record has no parent."""
    given = item["parent"]
    if definition.parent_form is None:
        return None, [] if given is None else [field_error("parent", "field.not_relevant")]
    if given is None:
        return None, [field_error("parent", "field.required")]
    parent = db.session.get(Submission, given)
    if parent is None or parent.form != definition.parent_form \
            or parent.parent_uuid is not None or not can_read_details(batch.user, parent):
        return None, [field_error("parent", "entry.parent_not_found")]
    if not may_add_entries(batch.user, parent):
        return None, [field_error("parent", "entry.not_holder")]
    if parent.status != "approved":
        return None, [field_error("parent", "entry.parent_not_approved")]
    others = entries_of(parent.uuid, exclude=item["uuid"])
    refusal = entry_refusal(plain_view(parent), [plain_view(e) for e in others], answers,
                            any_service_reached(parent, others)
                            or plain_part(definition, answers).get(ACCESS_FLAG) is True)
    if refusal:
        return None, [field_error(*refusal)]
    return parent, []


def _record_date(definition: FormDefinition, answers: dict) -> date | None:
    value = answers.get(definition.date_field)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _unit_answer_errors(definition: FormDefinition, answers: dict, batch: _Batch) -> list:
    errors = []
    for name, spec in definition.unit_fields():
        code = answers.get(name)
        if isinstance(code, str) and code:
            levels = batch.unit_levels().get(code, set())
            allowed = set(spec.get("levels") or levels)
            if not levels & allowed:
                errors += field_errors({name: ["field.invalid_unit"]})
    return errors


def changes_since(*, user: User, cursor: int, limit: int) -> dict:
    """Records in the caller's scope changed after `cursor`, oldest change first."""
    rows = list(db.session.scalars(
        select(Submission).where(visible_to(user), Submission.change_seq > cursor)
        .order_by(Submission.change_seq).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    missing = missing_attachments(rows)
    reviews = latest_decisions(s.uuid for s in rows)
    # Sensitive records travel as stubs: the phone keeps no details once the server has
    # them, and opens them one at a time (GET /api/submissions/<uuid>, logged).
    changes = [{**record_payload(s, missing[s.uuid], reviews.get(s.uuid), details=False),
                "change": s.change_seq} for s in rows]
    next_cursor = rows[-1].change_seq if rows else cursor
    return {"changes": changes, "cursor": str(next_cursor), "has_more": has_more}
