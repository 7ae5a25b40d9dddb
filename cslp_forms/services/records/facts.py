"""The report facts of a record: what the dashboard groups by and sums, taken from the
plaintext answers when a revision is accepted, and kept in step with the review state.
Indicators read only these columns, never the answers (incident answers are encrypted at
rest and their free text must never reach an aggregate)."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import date

from sqlalchemy import Integer, String, cast, func, select, update

from ...extensions import db
from ...models import COUNTED_STATUSES, ReportFact, ReportRollup
from ...models.reports import ROLLUP_KEY, ROLLUP_SUMS
from ..base.periods import cutoff_period
from ..base.sql import adding_upsert, insert_ignoring_conflict, insert_rows
from .content import reached_a_service

LAW_DAY_TYPES = ("ngay_phap_luat",)
LAW_DAY_CAMPAIGNS = ("ngay_phap_luat_9_11",)

_ACTIVITY_NUMBERS = {
    "participants_total": "participants_total",
    "participants_female": "participants_female",
    "participants_male": "participants_male",
    "participants_minority": "participants_ethnic_minority",
    "recommendations_made": "recommendations_made",
    "recommendations_accepted": "recommendations_accepted",
    "petitions_received": "petitions_received",
    "petitions_handled": "petitions_handled",
    "petitions_referred": "petitions_referred",
    "petitions_guided": "petitions_guided",
    "consultations": "consultations",
    "mediations": "mediations",
    "mediations_success": "mediations_success",
}


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def fact_values(form: str, answers: dict, record_date: date) -> dict:
    """The columns of a record's facts (without its uuid, unit and status). Pure."""
    values: dict = {"form": form, "record_date": record_date,
                    "period": record_date.strftime("%Y-%m"),
                    "cutoff_period": cutoff_period(record_date), "law_day": False}
    if form == "activity":
        kind, campaign = _str(answers.get("activity_type")), _str(answers.get("campaign"))
        values |= {"kind": kind, "campaign": campaign, "lead_role": _str(answers.get("lead_role")),
                   "law_day": kind in LAW_DAY_TYPES or campaign in LAW_DAY_CAMPAIGNS,
                   "supervised_unit": _str(answers.get("supervised_unit"))}
        values |= {column: _int(answers.get(key)) for column, key in _ACTIVITY_NUMBERS.items()}
    elif form == "model_group":
        values |= {"kind": _str(answers.get("model_type")),
                   "model_status": _str(answers.get("status")),
                   "established_date": _date(answers.get("established_date")),
                   "trained_tot": answers.get("trained_tot") is True,
                   "members_total": _int(answers.get("members_total")),
                   "tot_trained_count": _int(answers.get("tot_trained_count"))}
    elif form == "incident":
        categories = answers.get("case_category") or []
        values |= {
            "domestic_violence": "bao_luc_gia_dinh" in categories,
            "trafficking_return": "nan_nhan_mua_ban_tro_ve" in categories,
            "child_abuse": "xam_hai_tre_em" in categories,
            "survivor_female": answers.get("survivor_sex") == "nu",
            # Only an explicit yes lets a case into statistics (Primero's rule).
            "consent_reporting": answers.get("consent_reporting") is True,
            "service_reached": reached_a_service(answers),
        }
    elif form == "incident_entry":  # counted under its case's categories and consent
        values |= {"kind": _str(answers.get("entry_kind")),
                   "service_reached": reached_a_service(answers)}
    elif form == "model_group_entry":
        values |= {"kind": _str(answers.get("entry_kind")),
                   "model_status": _str(answers.get("group_status")),
                   "participants_total": _int(answers.get("participants_total")),
                   "participants_female": _int(answers.get("participants_female")),
                   "members_total": _int(answers.get("members_total")),
                   "tot_trained_count": _int(answers.get("tot_trained_count"))}
    return values


def _old_facts(uuid: uuid_lib.UUID) -> dict | None:
    row = db.session.execute(select(ReportFact.__table__).where(
        ReportFact.submission_uuid == uuid)).mappings().first()
    return dict(row) if row else None


def rollup_key(fact: dict) -> str:
    """The rollup row a fact adds to (the same text rollup_insert() builds in SQL)."""
    parts = [fact.get(k) for k in ROLLUP_KEY]
    return "|".join("" if v is None else str(int(v)) if isinstance(v, bool) else str(v)
                    for v in parts)


def _share(fact: dict | None, sign: int) -> dict | None:
    """One activity's share (+1 or -1) of its rollup row; None if it counts nowhere."""
    if not fact or fact.get("form") != "activity" or fact.get("status") not in COUNTED_STATUSES:
        return None
    row = {"key": rollup_key(fact), **{k: fact.get(k) for k in ROLLUP_KEY}, "n": sign,
           **{m: sign * int(fact.get(m) or 0) for m in ROLLUP_SUMS}}
    row["law_day"] = bool(row["law_day"])
    return row


def _bump(fact: dict | None, sign: int, pending: dict | None = None) -> None:
    """Add (+1) or take away (-1) one activity's share of its rollup row: at once, or
    into `pending` (rollup key -> row) for write_rollups() to write later."""
    share = _share(fact, sign)
    if share is None:
        return
    if pending is None:
        write_rollups({share["key"]: share})
        return
    held = pending.setdefault(share["key"], {**share, "n": 0, **dict.fromkeys(ROLLUP_SUMS, 0)})
    for m in ("n", *ROLLUP_SUMS):
        held[m] += share[m]


def write_rollups(pending: dict) -> None:
    """Upsert the rollup rows in `pending`, in key order. A sync batch writes them after
    all its records, so any two transactions lock the rollup rows they share in the same
    order and never deadlock on them (a batch's activities come in UUID order, which
    says nothing about the order of their rows)."""
    rows = [pending[key] for key in sorted(pending)
            if any(pending[key][m] for m in ("n", *ROLLUP_SUMS))]  # not an edit in place
    if rows:
        db.session.execute(adding_upsert(ReportRollup, key="key", sums=("n", *ROLLUP_SUMS)),
                           rows)


def record_facts(uuid: uuid_lib.UUID, *, form: str, unit_id: int, record_date: date,
                 answers: dict, status: str, rollups: dict | None = None,
                 parent_uuid: uuid_lib.UUID | None = None) -> None:
    """Store (or replace) a record's facts, and move its share of the rollups; call with
    the plaintext answers of the revision just accepted. With `rollups`, the moves are
    collected there for write_rollups() instead of written at once."""
    values = {**fact_values(form, answers, record_date), "unit_id": unit_id, "status": status,
              "parent_uuid": parent_uuid}
    old = _old_facts(uuid)
    if old is None:
        db.session.execute(insert_ignoring_conflict(
            ReportFact, {"submission_uuid": uuid, **values}, key=["submission_uuid"]))
    else:
        empty = {c.key: None for c in ReportFact.__table__.columns
                 if c.nullable and c.key not in values}
        db.session.execute(update(ReportFact).where(ReportFact.submission_uuid == uuid)
                           .values(**empty, **values)
                           .execution_options(synchronize_session=False))
    _bump(old, -1, rollups)
    _bump(values, +1, rollups)


class NewFacts:
    """The facts of records inserted in this transaction (which have none yet), written
    together in one INSERT; their shares of the rollups go into `rollups`, the batch's
    rows for write_rollups()."""

    def __init__(self, rollups: dict):
        self.rows: list[dict] = []
        self.rollups = rollups

    def add(self, uuid: uuid_lib.UUID, *, form: str, unit_id: int, record_date: date,
            answers: dict, status: str, parent_uuid: uuid_lib.UUID | None = None) -> None:
        values = {**fact_values(form, answers, record_date), "unit_id": unit_id,
                  "status": status, "parent_uuid": parent_uuid}
        self.rows.append({"submission_uuid": uuid, **values})
        _bump(values, +1, self.rollups)

    def write(self) -> None:
        if self.rows:
            # Every row names every column (a form's facts leave others empty).
            columns = sorted({k for row in self.rows for k in row})
            insert_rows(ReportFact, [{k: row.get(k) for k in columns} for row in self.rows])
        self.rows = []


def set_facts_status(uuid: uuid_lib.UUID, status: str, rollups: dict | None = None) -> None:
    """The record's facts follow its review state; with `rollups`, the rollup moves are
    collected there for write_rollups() (several decisions in one transaction)."""
    old = _old_facts(uuid)
    db.session.execute(update(ReportFact).where(ReportFact.submission_uuid == uuid)
                       .values(status=status).execution_options(synchronize_session=False))
    if old and old["status"] != status:
        _bump(old, -1, rollups)
        _bump({**old, "status": status}, +1, rollups)


def rollup_insert():
    """INSERT INTO report_rollups SELECT … FROM report_facts GROUP BY …: every rollup row
    from the facts (for a rebuild, the migration, or generated data)."""
    f = ReportFact.__table__.c
    text_of = {"unit_id": cast(f.unit_id, String), "law_day": cast(cast(f.law_day, Integer),
                                                                    String)}
    key = None
    for name in ROLLUP_KEY:
        part = text_of.get(name, func.coalesce(f[name], ""))
        key = part if key is None else key + "|" + part
    columns = ["key", *ROLLUP_KEY, "n", *ROLLUP_SUMS]
    query = (select(key, *[f[k] for k in ROLLUP_KEY], func.count(),
                    *[func.coalesce(func.sum(f[m]), 0) for m in ROLLUP_SUMS])
             .where(f.form == "activity", f.status.in_(COUNTED_STATUSES))
             .group_by(*[f[k] for k in ROLLUP_KEY]))
    return ReportRollup.__table__.insert().from_select(columns, query)
