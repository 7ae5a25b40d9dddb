"""`flask cslp purge`: closed survivors' records past the retention period are deleted,
and what was purged is logged."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from ...extensions import db
from ...models import PurgeLog, ReviewDecision, Submission, SubmissionRevision
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
