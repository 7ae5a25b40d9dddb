"""Review up the hierarchy: decisions (approve, return, reject) as a state machine with
compare-and-set, one at a time or several approvals at once, the reviewer's queue, and a
record's detail and history with field-level diffs."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime

from sqlalchemy import case, func, or_, select, update

from ..extensions import db
from ..models import (
    OPEN_STATUSES,
    REVIEWER_ROLES,
    ReviewDecision,
    Submission,
    SubmissionRevision,
    User,
)
from ..models.types import iso
from ..problems import DECISION_WORDS, STATUS_WORDS, Problem, invalid, say
from .base.clock import local_today
from .base.units import in_subtree, resolve_unit
from .records.access import can_see, require_details
from .records.chain import chain_of
from .records.changes import stamp_changes
from .records.content import record_title
from .records.facts import set_facts_status, write_rollups
from .records.notices import tell_author
from .records.payloads import decision_payload, record_payload
from .records.sealing import is_sensitive, open_answers, seal_decision_words
from .records.timeline import entry_form_of, on_entry_approved, with_timeline


def _load(uuid: uuid_lib.UUID, actor: User) -> Submission:
    submission = db.session.get(Submission, uuid)
    if submission is None or not can_see(actor, submission):
        raise Problem("review.not_allowed")
    return submission


def decide(uuid: uuid_lib.UUID, *, actor: User, decision: str, revision: int,
           comment: str | None, field_comments: dict | None, now: datetime) -> Submission:
    """Apply one decision. 403 outside her subtree or when another unit must decide,
    409 when the state does not allow it or the revision is not the current one."""
    rollups: dict = {}
    moved: list = []
    submission = _apply(uuid, actor=actor, decision=decision, revision=revision,
                        comment=comment, field_comments=field_comments, now=now,
                        rollups=rollups, moved=moved)
    write_rollups(rollups)
    stamp_changes([uuid, *(u for u in moved if u != uuid)])
    return submission


def approve_many(items: list[dict], *, actor: User, now: datetime) -> list[dict]:
    """Approve several records ({uuid, revision}) at once; each gets its own result, and
    one refused leaves the others approved."""
    # Locks in the order a sync batch takes them: the records in UUID order, then the
    # rollup rows in key order, then the change counter (services/sync.py), so a
    # reviewer and the phones (or another reviewer) never wait in a circle.
    results: list[dict | None] = [None] * len(items)
    rollups: dict = {}
    approved = []
    moved: list = []
    for index, item in sorted(enumerate(items), key=lambda p: str(p[1]["uuid"])):
        try:
            with db.session.begin_nested():
                _apply(item["uuid"], actor=actor, decision="approve",
                       revision=item["revision"], comment=None, field_comments=None,
                       now=now, rollups=rollups, moved=moved)
            approved.append(item["uuid"])
            results[index] = {"uuid": str(item["uuid"]), "ok": True}
        except Problem as problem:
            results[index] = {"uuid": str(item["uuid"]), "ok": False, "code": problem.code,
                              "detail": problem.detail or problem.title}
    write_rollups(rollups)
    stamp_changes(list(dict.fromkeys([*approved, *moved])))
    return results


def _apply(uuid: uuid_lib.UUID, *, actor: User, decision: str, revision: int,
           comment: str | None, field_comments: dict | None, now: datetime,
           rollups: dict, moved: list) -> Submission:
    """Check and store one decision; the rollup moves it makes go into `rollups`, for the
    caller to write once (nothing is written or collected before every check passed)."""
    submission, step, chain = _checked(uuid, actor=actor, decision=decision,
                                       revision=revision, comment=comment)
    values = {"updated_at": now, **_next_state(decision, step, chain)}
    # Compare-and-set: two reviewers deciding at once cannot both win.
    changed = db.session.execute(
        update(Submission).where(Submission.uuid == uuid, Submission.revision == revision,
                                 Submission.status == submission.status,
                                 Submission.review_step == step)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Problem("review.stale", say("review.taken"))
    # Reports follow the state.
    set_facts_status(uuid, values["status"], rollups)
    words = {"comment": (comment or "").strip() or None,
             "field_comments": field_comments or None}
    if is_sensitive(submission):
        words = seal_decision_words(uuid, **words)
    db.session.add(ReviewDecision(
        submission_uuid=uuid, revision=revision, step=step, unit_id=actor.unit_id,
        actor_id=actor.id, decision=decision, created_at=now, **words))
    tell_author(submission, values["status"], revision, actor, now)
    db.session.flush()
    db.session.refresh(submission)
    if values["status"] == "approved":
        # An approved transfer moves its case (records/timeline.py).
        moved += on_entry_approved(submission, now)
    return submission


def _checked(uuid: uuid_lib.UUID, *, actor: User, decision: str, revision: int,
             comment: str | None) -> tuple[Submission, int, list]:
    """The record, its step and chain, once she may take this decision on this revision
    now: 403 outside her subtree or when another unit must decide, 409 when its state
    does not allow it or it was edited since."""
    if actor.role not in REVIEWER_ROLES:
        raise Problem("review.not_allowed", say("review.officer"))
    submission = _load(uuid, actor)
    if submission.author_id == actor.id:
        raise Problem("review.not_allowed", say("review.own_record"))
    if is_sensitive(submission):
        require_details(actor, submission, "change")
    if submission.status not in OPEN_STATUSES:
        raise Problem("review.invalid_transition",
                      say("review.final", status=STATUS_WORDS.get(submission.status, ""),
                          decision=DECISION_WORDS[decision]),
                      status_now=submission.status)
    if revision != submission.revision:
        raise Problem("review.stale", say("review.edited"),
                      revision_now=submission.revision)
    chain = chain_of(submission)
    step = submission.review_step
    if step >= len(chain) or chain[step].id != actor.unit_id:
        waiting = chain[min(step, len(chain) - 1)]
        raise Problem("review.not_allowed", say("review.waiting_for", unit=waiting.name))
    if decision in ("return", "reject") and not (comment or "").strip():
        raise invalid("comment", "field.required", "review.reason_required")
    return submission, step, chain


def _next_state(decision: str, step: int, chain: list) -> dict:
    """The state columns after a decision: approval moves up the chain, then ends it."""
    if decision == "approve" and step + 1 < len(chain):
        return {"status": "in_review", "review_step": step + 1,
                "awaiting_unit_id": chain[step + 1].id}
    if decision == "approve":
        return {"status": "approved", "awaiting_unit_id": None}
    if decision == "return":
        return {"status": "returned", "review_step": 0, "awaiting_unit_id": None}
    return {"status": "rejected", "awaiting_unit_id": None}


def queue(*, actor: User, unit_code: str | None, form: str | None, status: str | None,
          period: str | None, limit: int, offset: int, waiting: str | None = None) -> dict:
    """Records in her subtree; those waiting for her own decision first. `waiting` "me"
    keeps only those, "others" only the rest (decided, or at another unit's step). A page
    is `limit` rows from `offset`; `next_offset` is where the next page starts (None after
    the last one)."""
    if actor.role not in REVIEWER_ROLES:
        raise Problem("review.not_allowed", say("review.officer"))
    root = actor.unit
    if unit_code:
        root = resolve_unit(unit_code)
        if not actor.unit.contains(root):
            raise Problem("review.not_allowed")
    query = select(Submission).where(in_subtree(root, Submission.unit_id))
    if form:
        query = query.where(Submission.form == form)
    else:
        # Routine entries on cases and groups need nobody's decision: they are on the
        # timeline, not in the queue (unless she asks for an entry form).
        query = query.where(or_(Submission.parent_uuid.is_(None),
                                Submission.status != "approved"))
    if status:
        query = query.where(Submission.status == status)
    if period:
        query = query.where(Submission.period == period)
    mine = (Submission.awaiting_unit_id == actor.unit_id)
    if waiting == "me":
        query = query.where(mine)
    elif waiting == "others":
        query = query.where(or_(Submission.awaiting_unit_id.is_(None),
                                Submission.awaiting_unit_id != actor.unit_id))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    # Hers first: a CASE, not `mine DESC`, which puts the records awaiting nobody (NULL)
    # first on PostgreSQL.
    hers_first = case((mine, 0), else_=1)
    rows = list(db.session.scalars(
        query.order_by(hers_first, Submission.updated_at.desc(), Submission.uuid)
        .limit(limit).offset(offset)))
    following = offset + len(rows)
    return {"records": [summary(s, actor) for s in rows], "total": total,
            "offset": offset, "next_offset": following if following < total else None}


def summary(submission: Submission, actor: User) -> dict:
    """One line of the queue: never a sensitive record's details (its category is plain)."""
    title = record_title(submission.answers)
    return {
        "uuid": str(submission.uuid), "form": submission.form,
        "version": submission.form_version, "unit": submission.unit.summary(),
        "author": submission.author.display_name, "status": submission.status,
        "revision": submission.revision, "record_date": submission.record_date.isoformat(),
        "period": submission.period, "title": title,
        "awaiting": submission.awaiting_unit.summary() if submission.awaiting_unit else None,
        "awaiting_me": submission.awaiting_unit_id == actor.unit_id,
        "can_decide": (submission.awaiting_unit_id == actor.unit_id
                       and submission.author_id != actor.id
                       and (not is_sensitive(submission) or actor.incident_reviewer)),
        "updated_at": iso(submission.updated_at),
        "parent": str(submission.parent_uuid) if submission.parent_uuid else None,
        "kind": (submission.answers or {}).get("entry_kind") if submission.parent_uuid
        else None,
    }


def record_detail(uuid: uuid_lib.UUID, *, actor: User) -> dict:
    submission = db.session.get(Submission, uuid)
    if submission is None or not can_see(actor, submission):
        raise Problem("submission.not_found")
    require_details(actor, submission, "read")
    payload = record_payload(submission)
    chain = chain_of(submission)
    payload["chain"] = [u.summary() for u in chain]
    payload["can_decide"] = (actor.role in REVIEWER_ROLES and submission.author_id != actor.id
                             and submission.status in OPEN_STATUSES
                             and submission.awaiting_unit_id == actor.unit_id)
    if submission.parent_uuid is None and entry_form_of(submission.form):
        payload = with_timeline(payload, submission, actor, local_today())
    return payload


def _diff(before: dict, after: dict) -> list[dict]:
    keys = sorted(set(before) | set(after))
    return [{"field": k, "before": before.get(k), "after": after.get(k)}
            for k in keys if before.get(k) != after.get(k)]


def history(uuid: uuid_lib.UUID, *, actor: User) -> dict:
    """Every revision (with what changed from the one before) and every decision, oldest
    first."""
    submission = db.session.get(Submission, uuid)
    if submission is None or not can_see(actor, submission):
        raise Problem("submission.not_found")
    require_details(actor, submission, "history")
    events = []
    previous: dict = {}
    revisions = db.session.scalars(select(SubmissionRevision).where(
        SubmissionRevision.submission_uuid == uuid).order_by(SubmissionRevision.revision))
    for rev in revisions:
        author = db.session.get(User, rev.author_id)
        answers = open_answers(rev, uuid, rev.revision)
        events.append({"kind": "revision", "revision": rev.revision, "at": iso(rev.created_at),
                       "by": author.display_name, "changes": _diff(previous, answers)})
        previous = answers
    decisions = db.session.scalars(select(ReviewDecision).where(
        ReviewDecision.submission_uuid == uuid).order_by(ReviewDecision.id))
    events += [{"kind": "decision", **decision_payload(d)} for d in decisions]
    events.sort(key=lambda e: (e["at"], 0 if e["kind"] == "revision" else 1))
    return {"uuid": str(uuid), "status": submission.status, "events": events}
