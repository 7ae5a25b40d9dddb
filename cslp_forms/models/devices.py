"""What each phone last said about its own health (issue 18): counts and ages of the
records it holds, its last sync, storage and push. Never a record's content."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import JsonDoc, UTCDateTime, utcnow
from .users import User

# The phone's record states a report counts, in the order a supervisor reads them.
DEVICE_BUCKETS = ("draft", "queued", "rejected", "conflict", "returned")
# What can put a phone's records at risk, riskiest first (services/devices.py decides).
DEVICE_RISKS = ("unsent_old", "rejected_unfixed", "storage_not_persisted", "no_sync_14d",
                "stale_app")


class DeviceHealth(db.Model):
    """One row per device and user, replaced by each report (idempotent per device)."""

    __tablename__ = "device_health"
    __table_args__ = (UniqueConstraint("device_id", "user_id", name="uq_device_health_device"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    app_version: Mapped[str | None] = mapped_column(String(64))
    # {bucket: {"count": n, "age_seconds": s | None}}: ages as the phone measured them
    # against its own clock at `reported_at`, so a phone whose clock is wrong still gives
    # the right ages; they grow from `received_at` on.
    records: Mapped[dict] = mapped_column(JsonDoc)
    last_sync_age_seconds: Mapped[int | None] = mapped_column(Integer)
    # persisted, quota and usage (bytes), background_sync, push_available,
    # push_subscribed, browser, os.
    facts: Mapped[dict] = mapped_column(JsonDoc)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user: Mapped[User] = relationship()
