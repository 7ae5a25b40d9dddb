"""A case's or a group's timeline: its entries (records of an entry form naming it as
`parent`), the state derived from the approved record and its approved entries (one pure
function, `derive_state`, which static/pwa/js/timeline.js repeats for the phone; the
vectors in tests/vectors/timeline/ hold both to the same results), the rules an entry must
keep given that state, and what an approved entry changes (a transfer moves the case)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select, update

from ...extensions import db
from ...models import REVIEWER_ROLES, Submission, Unit, UnitSuccession, User
from ..base.forms import registry
from ..base.units import find_version
from .access import can_read_details, log_access
from .content import SERVICE_REACHED
from .notices import notify
from .payloads import latest_decisions, missing_attachments, record_payload
from .sealing import ACCESS_FLAG, is_sensitive

CASE_FORM = "incident"
GROUP_FORM = "model_group"
# A case's status values (the intake's `case_status` list).
CLOSED = "da_dong"
SUPPORTED = "dang_ho_tro"
REFERRED = "da_chuyen_tuyen"
NEW = "moi"
# A case with no service received closes only with one of these reasons (they say why);
# `an_toan_on_dinh` ("safe and stable") needs a service reached.
CLOSURE_WITHOUT_SERVICE = ("tu_choi_ho_tro", "mat_lien_lac", "chuyen_noi_khac", "khac")
REFERRED_STATUS = "da_chuyen"
DECLINED_STATUS = "tu_choi"
GROUP_ACTIVE = "dang_hoat_dong"


# --- the derivation (pure: JSON in, JSON out; timeline.js is the same) ----------------

def _quarter(day: str) -> tuple[str, str]:
    year, month = int(day[0:4]), int(day[5:7])
    first = (month - 1) // 3 * 3 + 1
    last = first + 2
    return f"{year:04d}-{first:02d}-01", f"{year:04d}-{last:02d}-31"


def _date_of(value, fallback: str) -> str:
    return value if isinstance(value, str) and value else fallback


def _ordered(timeline: list[dict]) -> list[dict]:
    """Oldest first, by entry date; entries of one day in the order they arrived."""
    return sorted(timeline, key=lambda e: (e["record_date"], e.get("created_at") or "",
                                           e["uuid"]))


def _pending(entries: list[dict]) -> list[dict]:
    return [{"uuid": e["uuid"], "kind": (e.get("answers") or {}).get("entry_kind"),
             "status": e["status"], "record_date": e["record_date"]}
            for e in entries if e["status"] in ("submitted", "in_review", "returned")]


def derive_state(record: dict, timeline: list[dict], today: str) -> dict:
    """The current state of an approved case or group, from the record and its entries
    as the API returns them (`record_payload`); only approved entries count. `today` is
    "YYYY-MM-DD" (for "meetings this quarter"). Pure."""
    entries = _ordered(timeline)
    approved = [e for e in entries if e["status"] == "approved"]
    if record["form"] == GROUP_FORM:
        return _group_state(record, approved, entries, today)
    return _case_state(record, approved, entries)


def _case_state(record: dict, approved: list[dict], entries: list[dict]) -> dict:
    answers = record.get("answers") or {}
    status = answers.get("case_status") or NEW
    holder = record["unit"]["code"]
    holders = [{"unit": holder, "from": record["record_date"], "to": None}]
    worker, worker_name = record["author"], record.get("author_name")
    reached: dict[str, dict] = {}
    referrals: list[dict] = []
    next_date = None
    last_entry = None

    def services(rows, day: str, source: str) -> None:
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, dict) or not row.get("service_type"):
                continue
            when = _date_of(row.get("date"), day)
            kind = row["service_type"]
            if row.get("status") == SERVICE_REACHED:
                known = reached.get(kind)
                if known is None or when < known["date"]:
                    reached[kind] = {"service_type": kind, "provider": row.get("provider"),
                                     "date": when}
                for ref in referrals:
                    if ref["service_type"] == kind and ref["date"] <= when:
                        ref["open"] = False
            elif row.get("status") == REFERRED_STATUS:
                referrals.append({"service_type": kind, "provider": row.get("provider"),
                                  "date": when, "uuid": source, "open": True})
            elif row.get("status") == DECLINED_STATUS:
                for ref in referrals:
                    if ref["service_type"] == kind and ref["date"] <= when:
                        ref["open"] = False

    services(answers.get("services"), record["record_date"], record["uuid"])
    for row in answers.get("followups") or []:
        if isinstance(row, dict) and isinstance(row.get("next_date"), str):
            next_date = row["next_date"]
    for entry in approved:
        a = entry.get("answers") or {}
        kind, day = a.get("entry_kind"), entry["record_date"]
        last_entry = day
        if next_date is not None and (day >= next_date or kind == "followup"):
            next_date = None  # the follow-up that was due has happened (maybe early)
        if kind == "closure":
            status = CLOSED
        elif kind == "reopening":
            status = SUPPORTED
        elif kind == "transfer" and a.get("transfer_unit"):
            holders[-1]["to"] = day
            holder = a["transfer_unit"]
            holders.append({"unit": holder, "from": day, "to": None})
            worker, worker_name = None, None
        elif status != CLOSED:
            status = REFERRED if kind == "referral" else SUPPORTED
        if kind == "referral" and a.get("referral_service"):
            referrals.append({"service_type": a["referral_service"],
                              "provider": a.get("referral_to"), "date": day,
                              "uuid": entry["uuid"], "open": True})
        services(a.get("services"), day, entry["uuid"])
        if isinstance(a.get("next_followup_date"), str):
            next_date = a["next_followup_date"]
        if worker is None and kind != "transfer" and entry["unit"]["code"] == holder:
            # After a transfer: the first officer of the receiving unit to write.
            worker, worker_name = entry["author"], entry.get("author_name")
    closed = status == CLOSED
    services_reached = sorted(reached.values(), key=lambda s: (s["date"], s["service_type"]))
    return {
        "kind": "case",
        "status": status,
        "closed": closed,
        "services_reached": services_reached,
        "first_service_date": services_reached[0]["date"] if services_reached else None,
        "open_referrals": [] if closed else [
            {k: r[k] for k in ("service_type", "provider", "date", "uuid")}
            for r in referrals if r["open"]],
        "next_followup_date": None if closed else next_date,
        "holder_unit": holder,
        "holders": holders,
        "worker": worker,
        "worker_name": worker_name,
        "last_entry_date": last_entry,
        "entries": len(approved),
        "pending": _pending(entries),
    }


def _group_state(record: dict, approved: list[dict], entries: list[dict],
                 today: str) -> dict:
    answers = record.get("answers") or {}
    start, end = _quarter(today)
    meetings = [row["date"] for row in answers.get("meetings") or []
                if isinstance(row, dict) and isinstance(row.get("date"), str)]
    status = answers.get("status")
    members = {k: answers.get(k) for k in ("members_total", "members_female", "members_male")}
    trained = answers.get("tot_trained_count") or 0
    last_entry = None
    for entry in approved:
        a = entry.get("answers") or {}
        kind, day = a.get("entry_kind"), entry["record_date"]
        last_entry = day
        if kind == "meeting":
            meetings.append(day)
        elif kind == "status" and a.get("group_status"):
            status = a["group_status"]
        elif kind == "membership":
            members = {k: a.get(k) for k in members}
        elif kind == "training" and isinstance(a.get("tot_trained_count"), int):
            trained += a["tot_trained_count"]
    return {
        "kind": "group",
        "status": status,
        "active": status == GROUP_ACTIVE,
        "last_meeting_date": max(meetings) if meetings else None,
        "meetings_total": len(meetings),
        "meetings_this_quarter": sum(1 for d in meetings if start <= d <= end),
        **members,
        "tot_trained_count": trained,
        "holder_unit": record["unit"]["code"],
        "last_entry_date": last_entry,
        "entries": len(approved),
        "pending": _pending(entries),
    }


# --- the rules an entry keeps, given its parent's state -------------------------------

def entry_refusal(record: dict, timeline: list[dict], answers: dict,
                  any_service: bool) -> tuple[str, str] | None:
    """(field, code) when this entry may not be added to the case or group now; `timeline`
    is its other entries (their plain answers suffice), `any_service` whether a service
    was received (the intake's or an entry's plain flag). Pure."""
    if record["form"] != CASE_FORM:
        return None
    state = derive_state(record, timeline, record["record_date"])
    kind = answers.get("entry_kind")
    if state["closed"] and kind != "reopening":
        return "entry_kind", "entry.case_closed"
    if kind == "reopening" and not state["closed"]:
        return "entry_kind", "entry.case_not_closed"
    if kind == "closure" and not any_service \
            and answers.get("closure_reason") not in CLOSURE_WITHOUT_SERVICE:
        return "closure_reason", "entry.closure_needs_reason"
    if kind == "transfer" and answers.get("transfer_unit") == state["holder_unit"]:
        return "transfer_unit", "entry.same_unit"
    return None


# --- reading and writing timelines ----------------------------------------------------

def entry_form_of(form: str) -> bool:
    """Whether records of `form` have a timeline (some entry form names it parent)."""
    return any(d.parent_form == form for d in registry().definitions.values())


def holder_of(parent: Submission, day: date | None = None) -> Unit:
    """The unit an entry dated `day` is filed under: the one holding the case or group,
    or, once that unit has ended in a reorganisation, the one that succeeded it (a group
    of a merged commune belongs to the successor)."""
    unit = parent.holder_unit or parent.unit
    while day is not None and unit.valid_to is not None and unit.valid_to < day:
        successors = list(db.session.scalars(select(Unit).join(
            UnitSuccession, UnitSuccession.new_unit_id == Unit.id).where(
            UnitSuccession.old_unit_id == unit.id, UnitSuccession.effective_date <= day)))
        if len(successors) != 1:  # a split: the case stays where it was
            break
        unit = successors[0]
    return unit


def plain_view(submission: Submission) -> dict:
    """A record as derive_state reads it, from its plain columns only (no unsealing):
    enough for the status, the holder and the dates."""
    return {"uuid": str(submission.uuid), "form": submission.form,
            "status": submission.status, "record_date": submission.record_date.isoformat(),
            "created_at": submission.created_at.isoformat() if submission.created_at else "",
            "unit": submission.unit.summary(), "author": submission.author.username,
            "author_name": submission.author.display_name,
            "answers": submission.answers or {}}


def entries_of(parent_uuid, *, exclude=None) -> list[Submission]:
    query = select(Submission).where(Submission.parent_uuid == parent_uuid)
    if exclude is not None:
        query = query.where(Submission.uuid != exclude)
    return list(db.session.scalars(query))


def any_service_reached(parent: Submission, entries: list[Submission]) -> bool:
    """From the plain flag each record keeps (sealing.plain_part), without unsealing."""
    rows = [parent, *(e for e in entries if e.status == "approved")]
    return any((r.answers or {}).get(ACCESS_FLAG) is True for r in rows)


def timeline(parent: Submission, actor: User) -> list[dict]:
    """Her view of the entries, oldest first: need to know applies to each entry (the
    sending officer of a transferred case keeps what she wrote, not what came after),
    and every sensitive entry she reads is in the access log."""
    rows = [e for e in entries_of(parent.uuid) if can_read_details(actor, e)]
    missing = missing_attachments(rows)
    reviews = latest_decisions(e.uuid for e in rows)
    out = []
    for entry in rows:
        if is_sensitive(entry):
            log_access(actor, entry.uuid, "read")
        out.append(record_payload(entry, missing[entry.uuid], reviews.get(entry.uuid)))
    return _ordered(out)


def with_timeline(payload: dict, parent: Submission, actor: User, today: date) -> dict:
    """A case's or group's API payload with its `timeline` and derived `state`."""
    entries = timeline(parent, actor)
    return {**payload, "timeline": entries,
            "state": derive_state(payload, entries, today.isoformat())}


def on_entry_approved(entry: Submission, now: datetime) -> list:
    """What an entry's final approval changes beyond itself; returns the records it
    changed (for the pull feed). A transfer moves the case, with all its entries, to the
    receiving commune, whose officers are told."""
    answers = entry.answers or {}
    if entry.parent_uuid is None or answers.get("entry_kind") != "transfer":
        return []
    unit = find_version(answers.get("transfer_unit") or "", entry.record_date) \
        or find_version(answers.get("transfer_unit") or "")
    if unit is None:
        return []
    parent = entry.parent
    moved = [parent.uuid, *(e.uuid for e in entries_of(parent.uuid))]
    db.session.execute(
        update(Submission)
        .where(or_(Submission.uuid == parent.uuid, Submission.parent_uuid == parent.uuid))
        .values(holder_unit_id=unit.id, updated_at=now)
        .execution_options(synchronize_session=False))
    officers = db.session.scalars(select(User.id).where(
        User.unit_id == unit.id, User.active, User.role.not_in(REVIEWER_ROLES))).all()
    notify(officers, kind="transfer", now=now, key=f"transfer:{entry.uuid}",
           title="Vụ việc được chuyển đến xã",
           body=f"Một vụ việc từ {parent.unit.name} được chuyển cho {unit.name} "
                "tiếp tục hỗ trợ. Mở để xem.",
           url=f"/#/record/{parent.uuid}", tag=f"record-{parent.uuid}")
    db.session.expire(parent)
    return moved
