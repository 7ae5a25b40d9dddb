"""Reporting deadlines as data: what counts, for which units, the period, the due date and
when to remind. Seeded from the plan; the province administrator edits them."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import JsonDoc, one_of

PERIOD_TYPES = ("month", "year", "window")


class DeadlineRule(db.Model):
    __tablename__ = "deadline_rules"
    __table_args__ = (
        CheckConstraint(one_of("period_type", PERIOD_TYPES), name="period_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str | None] = mapped_column(String(200))
    # What counts: records of `form` whose answers meet `condition` ({field, in | eq}),
    # dated inside the period, not rejected or returned.
    form: Mapped[str] = mapped_column(String(32))
    condition: Mapped[dict | None] = mapped_column(JsonDoc)
    # A year rule may count records by an answer naming the year they are for (a 2025 plan
    # signed in December 2024 counts for 2025) instead of by the record's date.
    period_field: Mapped[str | None] = mapped_column(String(40))
    unit_levels: Mapped[list] = mapped_column(JsonDoc)
    # month: each calendar month, due `due_offset_days` after its last day; year: due on
    # `due_md` (MM-DD); window: from `start_md` to `end_md` each year, due at its end.
    period_type: Mapped[str] = mapped_column(String(8))
    due_offset_days: Mapped[int] = mapped_column(Integer, default=0)
    due_md: Mapped[str | None] = mapped_column(String(5))
    start_md: Mapped[str | None] = mapped_column(String(5))
    end_md: Mapped[str | None] = mapped_column(String(5))
    # Days before the due date to remind (0: on the day; -1: the day after, overdue).
    reminder_days: Mapped[list] = mapped_column(JsonDoc)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
