"""Cases and model groups after approval, as lists read from their timelines: the
follow-ups due on a day (send-reminders reminds the case worker), and the supervisor's
overdue lists (a case with no entry for 30 days, an active group with no meeting this
quarter) and her nudge to whoever follows one. Read from the plain columns only: nothing
here unseals a case."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import or_, select

from ..extensions import db
from ..models import REVIEWER_ROLES, Submission, Unit, User
from ..problems import Problem
from .base.clock import local_today
from .base.units import find_version, in_subtree, resolve_unit
from .records.access import visible_to
from .records.notices import notify
from .records.timeline import CASE_FORM, GROUP_ACTIVE, GROUP_FORM, derive_state, plain_view

# A case with no entry for this many days is on the supervisor's overdue list.
STALE_DAYS = 30


def _with_states(query, today: date) -> list[tuple[Submission, dict]]:
    """Each approved case or group the query finds, with its state (two queries)."""
    parents = list(db.session.scalars(query.where(
        Submission.status == "approved", Submission.parent_uuid.is_(None))))
    entries = defaultdict(list)
    if parents:
        for entry in db.session.scalars(select(Submission).where(
                Submission.parent_uuid.in_([p.uuid for p in parents]))):
            entries[entry.parent_uuid].append(plain_view(entry))
    return [(p, derive_state(plain_view(p), entries[p.uuid], today.isoformat()))
            for p in parents]


def followups_due(today: date) -> list[tuple[Submission, dict, list[int]]]:
    """Open cases whose next follow-up is `today`, with whom to remind: the case worker,
    or, after a transfer nobody of the receiving commune has written in yet, its
    officers."""
    query = select(Submission).where(Submission.form == CASE_FORM)
    due = [(parent, state) for parent, state in _with_states(query, today)
           if not state["closed"] and state["next_followup_date"] == today.isoformat()]
    followers = _followers_of([state for _, state in due], today)
    return [(parent, state, users) for (parent, state), users in zip(due, followers, strict=True)]


def _followers(state: dict, today: date) -> list[int]:
    """Who follows a case or group: its worker (who filed it, or after a transfer who
    first wrote in it at the new holder) if hers is an active officer's account, else the
    officers of the unit holding it (a transfer nobody there has written in yet, a worker
    gone, a record a supervisor or administrator filed for the commune)."""
    return _followers_of([state], today)[0]


def _followers_of(states: list[dict], today: date) -> list[list[int]]:
    """_followers of each state: two queries, and one per distinct holding unit of the
    states without an active worker (a list shares a few)."""
    names = {s["worker"] for s in states if s.get("worker")}
    workers = dict(db.session.execute(select(User.username, User.id).where(
        User.username.in_(names), User.active,
        User.role.not_in(REVIEWER_ROLES))).all()) if names else {}
    units: dict[str, Unit | None] = {}
    for code in {s["holder_unit"] for s in states if s.get("worker") not in workers}:
        units[code] = find_version(code, today) or find_version(code)
    holders = [None if s.get("worker") in workers else units[s["holder_unit"]]
               for s in states]
    wanted = {h.id for h in holders if h is not None}
    officers: dict[int, list[int]] = {}
    if wanted:
        for unit_id, user_id in db.session.execute(
                select(User.unit_id, User.id).where(
                    User.unit_id.in_(wanted), User.active,
                    User.role.not_in(REVIEWER_ROLES)).order_by(User.id)):
            officers.setdefault(unit_id, []).append(user_id)
    return [[workers[s["worker"]]] if s.get("worker") in workers
            else officers.get(holder.id, []) if holder is not None else []
            for s, holder in zip(states, holders, strict=True)]


def overdue(*, actor: User, unit_code: str | None, today: date) -> dict:
    """Her subtree's cases with no entry for STALE_DAYS days and active groups with no
    meeting this quarter, the longest forgotten first; each says whether a nudge would
    reach anyone."""
    root, late = _late(actor, unit_code, today)
    cases, groups = [], []
    followers = _followers_of([state for _, state, _ in late], today)
    for (parent, _state, item), users in zip(late, followers, strict=True):
        # Whether her nudge would reach anyone (else her list says so, not a 409).
        item["nudgeable"] = bool(users)
        (cases if parent.form == CASE_FORM else groups).append(item)
    cases.sort(key=lambda c: (-c["days_without_entry"], c["uuid"]))
    groups.sort(key=lambda g: (g["last_meeting_date"] or "", g["uuid"]))
    return {"unit": root.summary(), "on": today.isoformat(), "stale_days": STALE_DAYS,
            "cases": cases, "groups": groups}


def _late(actor: User, unit_code: str | None, today: date, *where):
    """The unit (hers by default), and the cases and groups of its subtree (and `where`)
    on her overdue lists, each as (record, state, its line of the list)."""
    if actor.role not in REVIEWER_ROLES:
        raise Problem("auth.forbidden")
    root = resolve_unit(unit_code) if unit_code else actor.unit
    if not actor.unit.contains(root):
        raise Problem("scope.forbidden")
    query = select(Submission).where(
        Submission.form.in_((CASE_FORM, GROUP_FORM)), visible_to(actor),
        or_(in_subtree(root, Submission.unit_id),
            in_subtree(root, Submission.holder_unit_id)), *where)
    late = []
    for parent, state in _with_states(query, today):
        holder = parent.holder_unit or parent.unit
        if not root.contains(holder):  # transferred out of her subtree
            continue
        if parent.form == CASE_FORM:
            last = state["last_entry_date"] or parent.record_date.isoformat()
            days = (today - date.fromisoformat(last)).days
            if not state["closed"] and days >= STALE_DAYS:
                late.append((parent, state, {
                    "uuid": str(parent.uuid), "unit": holder.summary(),
                    "record_date": parent.record_date.isoformat(), "status": state["status"],
                    "last_entry_date": state["last_entry_date"], "days_without_entry": days,
                    "next_followup_date": state["next_followup_date"],
                    "worker": state["worker_name"] or state["worker"]}))
        elif state["status"] == GROUP_ACTIVE and state["meetings_this_quarter"] == 0:
            answers = parent.answers or {}
            late.append((parent, state, {
                "uuid": str(parent.uuid), "unit": holder.summary(), "name": answers.get("name"),
                "model_type": answers.get("model_type"), "status": state["status"],
                "last_meeting_date": state["last_meeting_date"], "meetings_this_quarter": 0}))
    return root, late


def nudge(*, actor: User, uuid: str, now: datetime) -> tuple[int, str]:
    """The supervisor's nudge about one case or group of her overdue lists: push and
    in-app to whoever follows it, at most once a day. (Notices made now, the text.) The
    text names no detail of a case: a lock screen shows it."""
    today = local_today(now)
    _, found = _late(actor, None, today, Submission.uuid == UUID(uuid))
    if not found:
        raise Problem("followup.not_overdue")
    [(parent, state, item)] = found
    users = _followers(state, today)
    if not users:
        raise Problem("followup.nobody")
    if parent.form == CASE_FORM:
        title = "Nhắc từ cấp trên: vụ việc cần theo dõi"
        text = (f"Vụ việc tiếp nhận ngày {parent.record_date:%d/%m/%Y} đã "
                f"{item['days_without_entry']} ngày chưa có ghi nhận mới: mở vụ việc và ghi "
                "lần theo dõi.")
    else:
        title = "Nhắc từ cấp trên: mô hình chưa sinh hoạt"
        text = (f"Mô hình “{item['name'] or 'của xã'}” chưa có buổi sinh hoạt nào trong quý "
                "này: khi sinh hoạt, mở mô hình và ghi buổi sinh hoạt.")
    made = notify(users, kind="nudge", now=now,
                  key=f"followup-nudge:{uuid}:{today.isoformat()}", title=title, body=text,
                  url=f"/#/record/{uuid}", tag=f"followup-{uuid}")
    return len(made), text
