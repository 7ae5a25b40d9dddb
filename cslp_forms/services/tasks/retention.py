"""`flask cslp purge`: closed survivors' records past the retention period are deleted,
and what was purged is logged; photos that no record lists are removed after a grace
period."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from ...extensions import db
from ...models import (
    Attachment,
    AttachmentUpload,
    PurgeLog,
    ReviewDecision,
    Submission,
    SubmissionRevision,
)
from ..attachments import listed_photos
from ..base.forms import registry

CLOSED = "da_dong"


def purge_closed_incidents(*, now, retention_days: int) -> list[dict]:
    """Delete closed sensitive records not changed for `retention_days`; returns what
    was purged (and logs it in purge_log)."""
    cutoff = now - timedelta(days=retention_days)
    sensitive = [d.form for d in registry().definitions.values() if d.sensitive]
    purged = []
    for row in db.session.scalars(select(Submission).where(
            Submission.form.in_(sensitive), Submission.updated_at < cutoff)).all():
        if row.parent_uuid is not None or (row.answers or {}).get("case_status") != CLOSED:
            continue
        db.session.add(PurgeLog(submission_uuid=row.uuid, form=row.form, unit_id=row.unit_id,
                                last_changed_at=row.updated_at, purged_at=now))
        # The case's timeline goes with it.
        entries = db.session.scalars(select(Submission).where(
            Submission.parent_uuid == row.uuid)).all()
        for doomed in [*entries, row]:
            for model, column in ((ReviewDecision, ReviewDecision.submission_uuid),
                                  (SubmissionRevision, SubmissionRevision.submission_uuid)):
                db.session.execute(delete(model).where(column == doomed.uuid))
        for entry in entries:
            db.session.delete(entry)
        db.session.flush()
        purged.append({"uuid": str(row.uuid), "unit": row.unit.code,
                       "last_changed_at": row.updated_at.isoformat()})
        db.session.delete(row)
    db.session.flush()
    return purged


def purge_unlisted_photos(*, now, grace_days: int) -> dict:
    """Delete photos that no record or revision lists and nobody has uploaded for
    `grace_days` (junk, or photos of drafts deleted on the phone; a phone that still holds
    the record sends the photo again when the server reports it missing). Returns how
    many photos and bytes went."""
    cutoff = now - timedelta(days=grace_days)
    last_upload = (select(AttachmentUpload.sha256,
                          func.max(AttachmentUpload.created_at).label("at"))
                   .group_by(AttachmentUpload.sha256).subquery())
    candidates = db.session.execute(
        select(Attachment.sha256, Attachment.size)
        .outerjoin(last_upload, last_upload.c.sha256 == Attachment.sha256)
        .where(Attachment.created_at < cutoff,
               (last_upload.c.at < cutoff) | last_upload.c.at.is_(None))).all()
    if not candidates:
        return {"photos": 0, "bytes": 0}
    listed = listed_photos()
    gone = [(sha, size) for sha, size in candidates if sha not in listed]
    hashes = [sha for sha, _ in gone]
    for i in range(0, len(hashes), 500):
        chunk = hashes[i:i + 500]
        db.session.execute(delete(AttachmentUpload).where(AttachmentUpload.sha256.in_(chunk)))
        db.session.execute(delete(Attachment).where(Attachment.sha256.in_(chunk)))
    db.session.flush()
    return {"photos": len(gone), "bytes": sum(size for _, size in gone)}
