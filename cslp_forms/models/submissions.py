"""Submitted records, every revision of them, their photos, and the change counter that
orders what /api/sync/changes hands out."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..extensions import db
from .types import JsonDoc, UTCDateTime, one_of, utcnow
from .units import Unit
from .users import User

STATUSES = ("submitted", "in_review", "approved", "returned", "rejected")
# Waiting for a reviewer's decision.
OPEN_STATUSES = ("submitted", "in_review")
# What reports and deadlines can count (returned and rejected records never are).
COUNTED_STATUSES = ("approved", *OPEN_STATUSES)
# Final states: the record can no longer change.
LOCKED_STATUSES = ("approved", "rejected")


class Submission(db.Model):
    """A record as it stands now, keyed by the UUID the phone minted."""

    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint(one_of("status", STATUSES), name="status"),
        CheckConstraint("revision >= 1", name="revision"),
        Index("ix_submissions_form_period", "form", "period"),
        Index("ix_submissions_unit_form_period", "unit_id", "form", "period"),
        # Her records, and her cases and groups among them, read from the index alone on
        # PostgreSQL (the entries on those are in her pull: services/records/access.py).
        Index("ix_submissions_author_form", "author_id", "form", postgresql_include=["uuid"]),
    )

    uuid: Mapped[uuid_lib.UUID] = mapped_column(Uuid, primary_key=True)
    form: Mapped[str] = mapped_column(String(32))
    form_version: Mapped[int] = mapped_column(Integer)
    # Indexed by ix_submissions_unit_form_period, whose first column it is.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # Indexed by ix_submissions_author_form, whose first column it is.
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    record_date: Mapped[date] = mapped_column(Date, index=True)
    period: Mapped[str] = mapped_column(String(7))
    # For a sensitive form only the definition's plain_fields; the full answers are in
    # `sealed` (AES-GCM under the data key `key_id`): see services/records/sealing.py.
    answers: Mapped[dict] = mapped_column(JsonDoc)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_id: Mapped[str | None] = mapped_column(String(32))
    attachments: Mapped[list] = mapped_column(JsonDoc)
    status: Mapped[str] = mapped_column(String(12), default="submitted", index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    client_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set from the change counter as the last step of the writing transaction.
    change_seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    # Review: which step of the form's approval chain the record waits for, and the unit
    # that must decide it (None once returned, approved or rejected).
    review_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    awaiting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # An entry (a record of an entry form: definitions/README.md) names the approved case
    # or group it belongs to; an ordinary record has none.
    parent_uuid: Mapped[uuid_lib.UUID | None] = mapped_column(ForeignKey("submissions.uuid"),
                                                              index=True)
    # A transferred case, and each of its entries: the unit that holds it now (None: the
    # unit it was filed under). A cache of the timeline's approved transfers, kept so that
    # who may see it is one indexed comparison (services/records/access.py).
    holder_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    holder_unit: Mapped[Unit | None] = relationship(foreign_keys=[holder_unit_id])
    author: Mapped[User] = relationship()
    awaiting_unit: Mapped[Unit | None] = relationship(foreign_keys=[awaiting_unit_id])
    parent: Mapped[Submission | None] = relationship(remote_side=[uuid],
                                                      foreign_keys=[parent_uuid])

    @property
    def locked(self) -> bool:
        return self.status in LOCKED_STATUSES


DECISIONS = ("approve", "return", "reject")


class ReviewDecision(db.Model):
    """One decision by a reviewer; append-only. The submission caches the state."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        CheckConstraint(one_of("decision", DECISIONS), name="decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_uuid: Mapped[uuid_lib.UUID] = mapped_column(ForeignKey("submissions.uuid"),
                                                           index=True)
    revision: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(String(2000))
    field_comments: Mapped[dict | None] = mapped_column(JsonDoc)
    # On a sensitive record the reviewer's words are details: sealed like its answers,
    # `comment` and `field_comments` then stay empty.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship()


class SubmissionRevision(db.Model):
    """Every accepted revision, kept for history and field-level diffs."""

    __tablename__ = "submission_revisions"
    __table_args__ = (
        UniqueConstraint("submission_uuid", "revision", name="uq_submission_revisions_rev"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_uuid: Mapped[uuid_lib.UUID] = mapped_column(ForeignKey("submissions.uuid"))
    revision: Mapped[int] = mapped_column(Integer)
    form_version: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    answers: Mapped[dict] = mapped_column(JsonDoc)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    key_id: Mapped[str | None] = mapped_column(String(32))
    attachments: Mapped[list] = mapped_column(JsonDoc)
    content_hash: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attachment(db.Model):
    """A photo, addressed by the SHA-256 of its bytes (so uploading twice is harmless)."""

    __tablename__ = "attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttachmentUpload(db.Model):
    """Who sent which photo. A hash is no secret (it is in every record that lists it),
    so reading a photo needs a record whose author actually uploaded it."""

    __tablename__ = "attachment_uploads"

    sha256: Mapped[str] = mapped_column(ForeignKey("attachments.sha256"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AccessLog(db.Model):
    """Who read, exported or changed a sensitive record, when, from which screen.
    Append-only: the app has no way to edit it (and the database refuses, see 0005)."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submission_uuid: Mapped[uuid_lib.UUID | None] = mapped_column(Uuid, index=True)
    action: Mapped[str] = mapped_column(String(16))
    screen: Mapped[str | None] = mapped_column(String(40))
    allowed: Mapped[bool] = mapped_column(default=True)

    user: Mapped[User] = relationship()


class PurgeLog(db.Model):
    """What the retention purge removed (the record itself is gone)."""

    __tablename__ = "purge_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_uuid: Mapped[uuid_lib.UUID] = mapped_column(Uuid)
    form: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    last_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Counter(db.Model):
    """Named monotonic counters. Bumping one locks its row until commit, so change
    numbers become visible in the order they were handed out."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
