"""Administrative units of the union's hierarchy, versioned by validity dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import one_of

LEVELS = ("province", "district", "commune")


class Unit(db.Model):
    """One version of a unit. Codes were reused in 2025, so (code, valid_from) is the
    identity; records point at the version (id) they were filed under, never the code."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("code", "valid_from", name="uq_units_code_valid_from"),
        CheckConstraint(one_of("level", LEVELS), name="level"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
        # Materialised path of ids ("/1/5/23/"): a subtree is one indexed prefix match.
        Index(
            "ix_units_path",
            "path",
            postgresql_ops={"path": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    aliases: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(200))

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def contains(self, other: Unit) -> bool:
        return other.path.startswith(self.path)

    def summary(self) -> dict:
        return {"code": self.code, "name": self.name, "level": self.level}


class UnitSuccession(db.Model):
    """Which unit version took over from which, and when (mergers, splits, renames)."""

    __tablename__ = "unit_successions"
    __table_args__ = (
        UniqueConstraint("old_unit_id", "new_unit_id", name="uq_unit_successions_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    old_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    new_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    effective_date: Mapped[date] = mapped_column(Date)
    legal_basis: Mapped[str | None] = mapped_column(String(300))
