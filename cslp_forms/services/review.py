"""Review up the hierarchy: the approval chain of a record, decisions (approve, return,
reject) as a state machine with compare-and-set, the reviewer's queue, a record's
history with field-level diffs, and which communes have sent what."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import (
    LEVELS,
    ReviewDecision,
    Submission,
    SubmissionRevision,
    Unit,
    User,
)
from ..models.types import iso
from ..problems import Problem
from . import push
from .facts import set_facts_status
from .forms import registry
from .privacy import is_sensitive, open_answers, require_details, seal_decision_words
from .submissions import can_see, decision_payload, record_payload, stamp_changes
from .units import ancestors, in_subtree, resolve_unit, valid_on

REVIEWER_ROLES = ("supervisor", "admin")
STATUS_WORDS = {"approved": "đã được duyệt", "returned": "đang được trả lại cho cán bộ sửa",
                "rejected": "đã bị từ chối"}
DECISION_WORDS = {"approve": "duyệt", "return": "trả lại", "reject": "từ chối"}
OPEN_STATUSES = ("submitted", "in_review")


def review_chain(form: str, version: int, unit: Unit, lineage: list[Unit] | None = None
                 ) -> list[Unit]:
    """The units that approve a record filed under `unit`, in order. A step at or below
    the unit's own level moves up to the nearest unit above it; a province's own record
    is reviewed by the province."""
    definition = registry().get(form, version)
    lineage = lineage or ancestors(unit)
    above = lineage[:-1]
    chain: list[Unit] = []
    for level in definition.review_chain:
        fitting = [a for a in above if LEVELS.index(a.level) <= LEVELS.index(level)]
        if fitting and fitting[-1] not in chain:
            chain.append(fitting[-1])
    return chain or [lineage[0]]


def _load(uuid: uuid_lib.UUID, actor: User) -> Submission:
    submission = db.session.get(Submission, uuid)
    if submission is None or not can_see(actor, submission):
        raise Problem("review.not_allowed")
    return submission


def decide(uuid: uuid_lib.UUID, *, actor: User, decision: str, revision: int,
           comment: str | None, field_comments: dict | None, now: datetime,
           rollups: dict | None = None, stamps: list | None = None) -> Submission:
    """Apply one decision. 403 outside her subtree or when another unit must decide,
    409 when the state does not allow it or the revision is not the current one.
    With `rollups` and `stamps`, the rollup moves and the change stamp are left for the
    caller to write once for several decisions (see approve_many); nothing is written
    or collected before every check has passed."""
    if actor.role not in REVIEWER_ROLES:
        raise Problem("review.not_allowed", "Cán bộ cơ sở không duyệt phiếu.")
    submission = _load(uuid, actor)
    if is_sensitive(submission):
        require_details(actor, submission, "change")
    if submission.status not in OPEN_STATUSES:
        raise Problem("review.invalid_transition",
                      f"Phiếu {STATUS_WORDS.get(submission.status, '')}; không thể "
                      f"{DECISION_WORDS[decision]} nữa. Hãy tải lại danh sách.",
                      status_now=submission.status)
    if revision != submission.revision:
        raise Problem("review.stale", "Phiếu vừa được sửa; hãy xem bản mới rồi quyết định.",
                      revision_now=submission.revision)
    chain = review_chain(submission.form, submission.form_version, submission.unit)
    step = submission.review_step
    if step >= len(chain) or chain[step].id != actor.unit_id:
        waiting = chain[min(step, len(chain) - 1)]
        raise Problem("review.not_allowed", f"Phiếu đang chờ {waiting.name} duyệt.")
    if decision in ("return", "reject") and not (comment or "").strip():
        raise Problem("request.invalid", errors=[{
            "field": "comment", "code": "field.required",
            "message": "Cần ghi lý do khi trả lại hoặc không chấp nhận phiếu."}])
    values: dict = {"updated_at": now}
    if decision == "approve" and step + 1 < len(chain):
        values |= {"status": "in_review", "review_step": step + 1,
                   "awaiting_unit_id": chain[step + 1].id}
    elif decision == "approve":
        values |= {"status": "approved", "awaiting_unit_id": None}
    elif decision == "return":
        values |= {"status": "returned", "review_step": 0, "awaiting_unit_id": None}
    else:
        values |= {"status": "rejected", "awaiting_unit_id": None}
    # Compare-and-set: two reviewers deciding at once cannot both win.
    changed = db.session.execute(
        update(Submission).where(Submission.uuid == uuid, Submission.revision == revision,
                                 Submission.status == submission.status,
                                 Submission.review_step == step)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Problem("review.stale", "Phiếu vừa được người khác xử lý; hãy tải lại.")
    # Reports follow the state.
    set_facts_status(uuid, values.get("status", submission.status), rollups)
    words = {"comment": (comment or "").strip() or None,
             "field_comments": field_comments or None}
    if is_sensitive(submission):
        words = seal_decision_words(uuid, **words)
    db.session.add(ReviewDecision(
        submission_uuid=uuid, revision=revision, step=step, unit_id=actor.unit_id,
        actor_id=actor.id, decision=decision, created_at=now, **words))
    if stamps is None:
        stamp_changes([uuid])
    else:
        stamps.append(uuid)
    _tell_author(submission, values["status"], revision, actor, now)
    db.session.flush()
    db.session.refresh(submission)
    return submission


def initial_review(form: str, version: int, unit: Unit, lineage: list[Unit]) -> dict:
    """Columns a (re)submitted record starts its review with."""
    chain = review_chain(form, version, unit, lineage)
    return {"review_step": 0, "awaiting_unit_id": chain[0].id}


def queue(*, actor: User, unit_code: str | None, form: str | None, status: str | None,
          period: str | None, limit: int, offset: int) -> dict:
    """Records in her subtree; those waiting for her own decision first."""
    if actor.role not in REVIEWER_ROLES:
        raise Problem("review.not_allowed", "Cán bộ cơ sở không duyệt phiếu.")
    root = actor.unit
    if unit_code:
        root = resolve_unit(unit_code)
        if not actor.unit.contains(root):
            raise Problem("review.not_allowed")
    query = select(Submission).where(in_subtree(root, Submission.unit_id))
    if form:
        query = query.where(Submission.form == form)
    if status:
        query = query.where(Submission.status == status)
    if period:
        query = query.where(Submission.period == period)
    mine = (Submission.awaiting_unit_id == actor.unit_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = list(db.session.scalars(
        query.order_by(mine.desc(), Submission.updated_at.desc(), Submission.uuid)
        .limit(limit).offset(offset)))
    return {"records": [summary(s, actor) for s in rows], "total": total}


def summary(submission: Submission, actor: User) -> dict:
    """One line of the queue: never a sensitive record's details (its category is plain)."""
    answers = submission.answers or {}
    title = next((answers[k] for k in ("title_content", "name") if answers.get(k)), "")
    return {
        "uuid": str(submission.uuid), "form": submission.form,
        "version": submission.form_version, "unit": submission.unit.summary(),
        "author": submission.author.display_name, "status": submission.status,
        "revision": submission.revision, "record_date": submission.record_date.isoformat(),
        "period": submission.period, "title": title,
        "awaiting": submission.awaiting_unit.summary() if submission.awaiting_unit else None,
        "awaiting_me": submission.awaiting_unit_id == actor.unit_id,
        "can_decide": (submission.awaiting_unit_id == actor.unit_id
                       and (not is_sensitive(submission) or actor.incident_reviewer)),
        "updated_at": iso(submission.updated_at),
    }


def record_detail(uuid: uuid_lib.UUID, *, actor: User) -> dict:
    submission = db.session.get(Submission, uuid)
    if submission is None or not can_see(actor, submission):
        raise Problem("submission.not_found")
    require_details(actor, submission, "read")
    payload = record_payload(submission)
    chain = review_chain(submission.form, submission.form_version, submission.unit)
    payload["chain"] = [u.summary() for u in chain]
    payload["can_decide"] = (actor.role in REVIEWER_ROLES and submission.status in OPEN_STATUSES
                             and submission.awaiting_unit_id == actor.unit_id)
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


def completeness(*, actor: User, unit_code: str | None, period: str, day) -> dict:
    """For a period (YYYY-MM): each commune under her unit with its counts by form; the
    ones that sent nothing are flagged."""
    if actor.role not in REVIEWER_ROLES:
        raise Problem("review.not_allowed")
    root = resolve_unit(unit_code) if unit_code else actor.unit
    if not actor.unit.contains(root):
        raise Problem("review.not_allowed")
    communes = [u for u in db.session.scalars(
        select(Unit).where(Unit.path.like(f"{root.path}%"), Unit.level == "commune",
                           valid_on(day)).order_by(Unit.path))]
    if root.level == "commune":
        communes = [root]
    counts = db.session.execute(
        select(Submission.unit_id, Submission.form, func.count())
        .where(in_subtree(root, Submission.unit_id), Submission.period == period,
               Submission.status != "rejected")
        .group_by(Submission.unit_id, Submission.form)).all()
    by_unit: dict[int, dict[str, int]] = {}
    for unit_id, form, n in counts:
        by_unit.setdefault(unit_id, {})[form] = n
    forms = [d.form for d in registry().current()]
    rows = []
    for unit in communes:
        got = by_unit.get(unit.id, {})
        rows.append({"unit": unit.summary(), "counts": {f: got.get(f, 0) for f in forms},
                     "total": sum(got.values()), "missing": not got})
    return {"unit": root.summary(), "period": period, "forms": forms, "units": rows,
            "missing": sum(1 for r in rows if r["missing"])}



_FORM_NAMES = {"activity": "hoạt động", "model_group": "mô hình", "incident": "vụ việc",
               "report": "kế hoạch, báo cáo"}


def _tell_author(submission: Submission, status: str, revision: int, actor: User,
                 now: datetime) -> None:
    """A return, or the final approval, reaches the officer's phone."""
    what = _FORM_NAMES.get(submission.form, "")
    if status == "returned":
        push.notify([submission.author_id], kind="returned", now=now,
                    key=f"returned:{submission.uuid}:{revision}",
                    title="Phiếu bị trả lại để sửa",
                    body=f"Phiếu {what} ngày {submission.record_date:%d/%m/%Y} được "
                         f"{actor.unit.name} trả lại. Mở để xem ý kiến và sửa.",
                    url=f"/#/edit/{submission.uuid}", tag=f"record-{submission.uuid}")
    elif status == "approved":
        push.notify([submission.author_id], kind="approved", now=now,
                    key=f"approved:{submission.uuid}:{revision}",
                    title="Phiếu đã được duyệt",
                    body=f"Phiếu {what} ngày {submission.record_date:%d/%m/%Y} đã được duyệt.",
                    url=f"/#/record/{submission.uuid}", tag=f"record-{submission.uuid}")


def alert_urgent(submission: Submission, now: datetime) -> None:
    """A new or updated incident marked immediate danger: its district's supervisors are
    told at once (no details: the unit and that it is urgent)."""
    if submission.awaiting_unit_id is None:
        return
    reviewers = db.session.scalars(select(User.id).where(
        User.unit_id == submission.awaiting_unit_id, User.active,
        User.role.in_(REVIEWER_ROLES))).all()
    push.notify(reviewers, kind="urgent", now=now, key=f"urgent:{submission.uuid}",
                title="Vụ việc khẩn cấp mới",
                body=f"{submission.unit.name}: một vụ việc có nguy hiểm tức thời cần xử lý ngay.",
                url=f"/#/review/{submission.uuid}", tag=f"urgent-{submission.uuid}")
