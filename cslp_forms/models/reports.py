"""Reporting: the plan's targets per unit and year, one narrow row of facts per record
(what the dashboard sums, in plain indexed columns), and the log of incident exports."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .submissions import STATUSES
from .types import JsonDoc, UTCDateTime, one_of, utcnow
from .units import Unit
from .users import User

INDICATORS = tuple(f"K{n:02d}" for n in range(1, 15))
# How a target is read: a number of things in the year, a percentage, or at least this
# many per unit and per month (the monthly Law Day rule).
TARGET_BASES = ("count", "percent", "per_unit_month")


class ReportTarget(db.Model):
    """One indicator's target for one unit and year, seeded from the plan and editable by
    the administrator."""

    __tablename__ = "report_targets"
    __table_args__ = (
        UniqueConstraint("unit_id", "year", "indicator", name="uq_report_targets_key"),
        CheckConstraint(one_of("basis", TARGET_BASES), name="basis"),
        CheckConstraint("value >= 0", name="value"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(4))
    basis: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    # e.g. {"places": ["945", "31630"]} for supervision, {"levels": [...]} for Law Day.
    detail: Mapped[dict | None] = mapped_column(JsonDoc)
    note: Mapped[str | None] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    updated_by: Mapped[User | None] = relationship()


COVERED = ["status", "unit_id", "kind", "campaign", "law_day", "period", "cutoff_period",
           "lead_role", "participants_total", "participants_female", "participants_male",
           "participants_minority", "recommendations_made", "recommendations_accepted",
           "petitions_received", "petitions_handled", "petitions_referred",
           "petitions_guided", "consultations", "mediations", "mediations_success"]
COVERED_OTHERS = ["status", "unit_id", "kind", "model_status", "established_date",
                  "trained_tot", "members_total", "tot_trained_count", "domestic_violence",
                  "trafficking_return", "child_abuse", "survivor_female", "consent_reporting",
                  "service_reached", "submission_uuid"]


class ReportFact(db.Model):
    """What the dashboard counts about one record, kept beside it: the grouping keys and
    the numbers, never free text. Incident answers are encrypted at rest (issue 8), so
    the consent flag and the categories must live in plain columns like these."""

    __tablename__ = "report_facts"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status"),
        # A year of a form is one range of this index; on PostgreSQL it also carries what
        # the activity figures read, so the province's year is read from the index alone.
        Index("ix_report_facts_form_date", "form", "record_date",
              postgresql_include=COVERED),
        # (PostgreSQL allows 32 columns an index: models and cases get one of their own;
        # it carries the UUID, which K05 joins their entries by.)
        Index("ix_report_facts_others", "form", "record_date",
              postgresql_include=COVERED_OTHERS,
              postgresql_where=text("form IN ('model_group', 'incident')")),
        Index("ix_report_facts_supervised", "supervised_unit", "record_date",
              postgresql_where=text("supervised_unit IS NOT NULL")),
        Index("ix_report_facts_unit_date", "unit_id", "record_date"),
    )

    submission_uuid: Mapped[uuid_lib.UUID] = mapped_column(
        Uuid, ForeignKey("submissions.uuid", ondelete="CASCADE"), primary_key=True)
    form: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    record_date: Mapped[date] = mapped_column(Date)
    # Calendar month and the union's cut-off month (15th to 14th) the record falls in.
    period: Mapped[str] = mapped_column(String(7))
    cutoff_period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(12))
    # activity: activity_type; model group: model_type.
    kind: Mapped[str | None] = mapped_column(String(48))
    campaign: Mapped[str | None] = mapped_column(String(40))
    lead_role: Mapped[str | None] = mapped_column(String(16))
    law_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # model group
    model_status: Mapped[str | None] = mapped_column(String(16))
    established_date: Mapped[date | None] = mapped_column(Date)
    trained_tot: Mapped[bool | None] = mapped_column(Boolean)
    # incident: categories, the survivor's sex, consent to statistics, ≥1 service received
    domestic_violence: Mapped[bool | None] = mapped_column(Boolean)
    trafficking_return: Mapped[bool | None] = mapped_column(Boolean)
    child_abuse: Mapped[bool | None] = mapped_column(Boolean)
    survivor_female: Mapped[bool | None] = mapped_column(Boolean)
    consent_reporting: Mapped[bool | None] = mapped_column(Boolean)
    service_reached: Mapped[bool | None] = mapped_column(Boolean)
    # numbers
    participants_total: Mapped[int | None] = mapped_column(Integer)
    participants_female: Mapped[int | None] = mapped_column(Integer)
    participants_male: Mapped[int | None] = mapped_column(Integer)
    participants_minority: Mapped[int | None] = mapped_column(Integer)
    recommendations_made: Mapped[int | None] = mapped_column(Integer)
    recommendations_accepted: Mapped[int | None] = mapped_column(Integer)
    petitions_received: Mapped[int | None] = mapped_column(Integer)
    petitions_handled: Mapped[int | None] = mapped_column(Integer)
    petitions_referred: Mapped[int | None] = mapped_column(Integer)
    petitions_guided: Mapped[int | None] = mapped_column(Integer)
    consultations: Mapped[int | None] = mapped_column(Integer)
    mediations: Mapped[int | None] = mapped_column(Integer)
    mediations_success: Mapped[int | None] = mapped_column(Integer)
    members_total: Mapped[int | None] = mapped_column(Integer)
    tot_trained_count: Mapped[int | None] = mapped_column(Integer)
    supervised_unit: Mapped[str | None] = mapped_column(String(10))
    # An entry's case or group: its figures count in the period of the entry's date,
    # under the parent's categories and consent (services/reports/indicators.py).
    parent_uuid: Mapped[uuid_lib.UUID | None] = mapped_column(Uuid, index=True)


ROLLUP_KEY = ("unit_id", "status", "period", "cutoff_period", "kind", "campaign", "lead_role",
              "law_day")
ROLLUP_SUMS = ("participants_total", "participants_female", "participants_male",
               "participants_minority", "recommendations_made", "recommendations_accepted",
               "petitions_received", "petitions_handled", "petitions_referred",
               "petitions_guided", "consultations", "mediations", "mediations_success")


class ReportRollup(db.Model):
    """Activities summed by unit, state, month (calendar and cut-off) and type: what the
    province's dashboard reads instead of a million rows. Every period is whole months,
    so the sums are exact. Kept by services/records/facts.py as facts change; activities only
    (models and cases are few, and cases can be purged), and only the states a report
    can count (approved, submitted, in review)."""

    __tablename__ = "report_rollups"
    __table_args__ = (
        Index("ix_report_rollups_period", "period", "unit_id"),
        Index("ix_report_rollups_cutoff", "cutoff_period", "unit_id"),
    )

    # The key columns joined by "|": one row per combination, found by ON CONFLICT.
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    status: Mapped[str] = mapped_column(String(12))
    period: Mapped[str] = mapped_column(String(7))
    cutoff_period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str | None] = mapped_column(String(48))
    campaign: Mapped[str | None] = mapped_column(String(40))
    lead_role: Mapped[str | None] = mapped_column(String(16))
    law_day: Mapped[bool] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)
    participants_total: Mapped[int] = mapped_column(Integer)
    participants_female: Mapped[int] = mapped_column(Integer)
    participants_male: Mapped[int] = mapped_column(Integer)
    participants_minority: Mapped[int] = mapped_column(Integer)
    recommendations_made: Mapped[int] = mapped_column(Integer)
    recommendations_accepted: Mapped[int] = mapped_column(Integer)
    petitions_received: Mapped[int] = mapped_column(Integer)
    petitions_handled: Mapped[int] = mapped_column(Integer)
    petitions_referred: Mapped[int] = mapped_column(Integer)
    petitions_guided: Mapped[int] = mapped_column(Integer)
    consultations: Mapped[int] = mapped_column(Integer)
    mediations: Mapped[int] = mapped_column(Integer)
    mediations_success: Mapped[int] = mapped_column(Integer)


class ExportLog(db.Model):
    """Every export of incident records: who, when, which filters, with or without the
    restricted free text. Append-only."""

    __tablename__ = "export_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    form: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(8))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    filters: Mapped[dict] = mapped_column(JsonDoc)
    privileged: Mapped[bool] = mapped_column(Boolean)
    rows: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User] = relationship()
