"""Who may see what: the records in a user's scope, who may read a record's details
(need to know for survivors' records), and the access log of sensitive reads, changes
and refusals."""

from __future__ import annotations

from functools import lru_cache

from flask import has_request_context, request
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from ...extensions import db
from ...models import AccessLog, Submission, UnitSuccession, User
from ...models.types import iso
from ...problems import Problem
from ..base.effects import after_end
from ..base.forms import registry
from ..base.sql import in_query
from ..base.units import in_subtree
from .sealing import is_sensitive

# The records a commune's officers share, whoever filed them: its model groups and their
# entries (not survivors' records: those are need to know), including those of the
# communes it succeeded in a reorganisation.
COMMUNE_FORMS = ("model_group", "model_group_entry")


def _succeeded_by(unit_id: int):
    """The units `unit_id` succeeded in a reorganisation (a merged commune's groups are
    its own)."""
    return select(UnitSuccession.old_unit_id).where(UnitSuccession.new_unit_id == unit_id)


def _succeeded(user: User) -> set[int]:
    return {user.unit_id, *db.session.scalars(_succeeded_by(user.unit_id))}


def visible_to(user: User):
    """Records a user may read: an officer her own, the entries others add to a case or
    group of hers, and the cases (with their entries) transferred to her unit; a
    supervisor or administrator those filed under her unit's subtree, or held there."""
    if user.role == "officer":
        parents = tuple(sorted({d.parent_form for d in registry().definitions.values()}
                               - {None}))
        return _officer_scope(user.id, user.unit_id, parents,
                              db.session.get_bind().dialect.name)
    return or_(in_subtree(user.unit, Submission.unit_id),
               in_subtree(user.unit, Submission.holder_unit_id))


@lru_cache(maxsize=4096)
def _officer_scope(user_id: int, unit_id: int, parent_forms: tuple[str, ...], dialect: str):
    # Built once per officer, then shared (SQL expressions are immutable): her every
    # pull filters by it, and building it cost 0.35 ms of a 4.9 ms month-end pull.
    # Each arm of the OR is one an index finds (her records, those held by her unit, her
    # commune's groups and those of the communes it succeeded, the entries on her cases
    # and groups), so that a pull reads her part of the table, not all of it.
    parent = aliased(Submission)
    hers = select(parent.uuid).where(parent.author_id == user_id,
                                     parent.form.in_(parent_forms))
    return or_(Submission.author_id == user_id,
               Submission.holder_unit_id == unit_id,
               and_(Submission.form.in_(COMMUNE_FORMS), Submission.unit_id == unit_id),
               and_(Submission.form.in_(COMMUNE_FORMS),
                    in_query(dialect, Submission.unit_id, _succeeded_by(unit_id))),
               and_(Submission.holder_unit_id.is_(None),
                    in_query(dialect, Submission.parent_uuid, hers)))


def _officer_holds(user: User, submission: Submission) -> bool:
    """Her case or group (or an entry on it) that nobody transferred away, or one that
    was transferred to her unit."""
    if submission.holder_unit_id is not None:
        return submission.holder_unit_id == user.unit_id
    if submission.form in COMMUNE_FORMS and submission.unit_id in _succeeded(user):
        return True
    parent = submission.parent
    return parent is not None and parent.author_id == user.id


def can_see(user: User, submission: Submission) -> bool:
    if user.role == "officer":
        return submission.author_id == user.id or _officer_holds(user, submission)
    return user.unit.contains(submission.unit) or (
        submission.holder_unit is not None and user.unit.contains(submission.holder_unit))


def can_read_details(user: User, submission: Submission) -> bool:
    """Ordinary records: whoever may see them. Sensitive ones: the author, the case
    worker who holds the case (her entries' timeline included), and supervisors of the
    record's unit chain (or its holder's) who hold the incident-reviewer permission."""
    if submission.author_id == user.id:
        return True
    if user.role == "officer":
        return _officer_holds(user, submission)
    if not can_see(user, submission):
        return False
    return not is_sensitive(submission) or user.incident_reviewer


def may_add_entries(user: User, submission: Submission) -> bool:
    """Who may add to a case's or group's timeline: the officer who holds it (after a
    transfer, the receiving commune's, no longer the sender), or a supervisor who may
    read it and whose subtree holds it now."""
    if user.role == "officer":
        if submission.holder_unit_id is not None:
            return submission.holder_unit_id == user.unit_id
        return submission.author_id == user.id or (
            submission.form in COMMUNE_FORMS and submission.unit_id in _succeeded(user))
    holder = submission.holder_unit or submission.unit
    return can_read_details(user, submission) and user.unit.contains(holder)


def screen() -> str | None:
    """Where a sensitive read came from: the endpoint (the server's own knowledge), then,
    after "|", the screen the client says it showed it on (a claim, never trusted)."""
    if not has_request_context():
        return "cli"
    claim = "".join(c for c in request.headers.get("X-CSLP-Screen", "") if c.isprintable())
    value = (request.endpoint or "") + (f"|{claim}" if claim else "")
    return value[:40] or None


def log_access(user: User, uuid, action: str) -> None:
    """A sensitive read, change or export, in the transaction that does it."""
    db.session.add(AccessLog(user_id=user.id, submission_uuid=uuid, action=action,
                             screen=screen(), allowed=True))


def _log_refusal(user: User, uuid, action: str) -> None:
    """A refused read is logged whatever happens to the transaction that refused it."""
    row = {"user_id": user.id, "submission_uuid": uuid, "action": action,
           "screen": screen(), "allowed": False}

    def write(session: Session) -> None:
        with session.begin():
            session.add(AccessLog(**row))

    after_end(write)


def require_details(user: User, submission: Submission, action: str) -> None:
    """Raise unless she may read this record's details. Sensitive reads are logged, and
    so are refusals."""
    allowed = can_read_details(user, submission)
    if is_sensitive(submission):
        if allowed:
            log_access(user, submission.uuid, action)
        else:
            _log_refusal(user, submission.uuid, action)
    if not allowed:
        raise Problem("incident.not_permitted" if user.unit.contains(submission.unit)
                      and user.role != "officer" else "submission.not_found")


def search_access_log(*, record=None, user=None, from_=None, to=None, limit=200) -> list:
    query = select(AccessLog).order_by(AccessLog.id.desc()).limit(limit)
    if record is not None:
        query = query.where(AccessLog.submission_uuid == record)
    if user:
        query = query.join(User, User.id == AccessLog.user_id).where(
            User.username == user.strip().lower())
    if from_ is not None:
        query = query.where(AccessLog.at >= from_)
    if to is not None:
        query = query.where(AccessLog.at <= to)
    return [{"at": iso(e.at), "user": e.user.username,
             "record": str(e.submission_uuid) if e.submission_uuid else None,
             "action": e.action, "screen": e.screen, "allowed": e.allowed}
            for e in db.session.scalars(query)]
