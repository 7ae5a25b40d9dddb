"""Form versions published on screen by a province administrator (the repo's own
definitions stay files in cslp_forms/definitions). A row never changes: the database
refuses UPDATE and DELETE (migration 0015), so the table is also the audit of publishing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JsonDoc, UTCDateTime, utcnow
from .users import User


class FormVersion(db.Model):
    """One published version: the definition exactly as served (canonical JSON), its
    SHA-256, who published it from which version, and the plain-language changes."""

    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[str] = mapped_column(Text)
    definition_hash: Mapped[str] = mapped_column(String(64))
    base_version: Mapped[int] = mapped_column(Integer)
    base_hash: Mapped[str] = mapped_column(String(64))
    changes: Mapped[list] = mapped_column(JsonDoc)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    published_by: Mapped[User] = relationship()
