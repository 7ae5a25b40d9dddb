"""`flask cslp rotate-key`: re-encrypt every sealed value not under the current data
key, a batch per transaction, while the app keeps serving (readers open any key still
in the ring)."""

from __future__ import annotations

from sqlalchemy import select

from ...extensions import db
from ...models import ReviewDecision, Submission, SubmissionRevision, Unit, User
from ..base.crypto import keyring
from ..base.forms import registry
from ..records.content import canonical_content, content_digest
from ..records.sealing import (
    open_answers,
    open_decision_words,
    reseal_recovery_key,
    seal_columns,
    seal_decision_words,
)


def rotate_keys(*, batch: int = 500, progress=None) -> dict:
    current = keyring().current
    counts = {"submissions": 0, "revisions": 0, "recovery_keys": 0}
    for model, name in ((Submission, "submissions"), (SubmissionRevision, "revisions")):
        while rows := _stale(model, current, batch):
            for row in rows:
                _reseal_answers(row)
            counts[name] += len(rows)
            db.session.commit()
            if progress:
                progress(name, counts[name])
    while rows := _stale(ReviewDecision, current, batch):
        for row in rows:
            words = open_decision_words(row)
            sealed = seal_decision_words(row.submission_uuid, words["comment"],
                                         words["field_comments"])
            row.sealed, row.key_id = sealed["sealed"], sealed["key_id"]
        counts["decisions"] = counts.get("decisions", 0) + len(rows)
        db.session.commit()
    for user in db.session.scalars(select(User).where(
            User.recovery_key_id.is_not(None), User.recovery_key_id != current)):
        reseal_recovery_key(user)
        counts["recovery_keys"] += 1
    db.session.commit()
    return counts


def _stale(model, current: str, batch: int) -> list:
    return db.session.scalars(select(model).where(
        model.key_id.is_not(None), model.key_id != current).limit(batch)).all()


def _reseal_answers(row) -> None:
    """A record's (or one revision's) answers and keyed digest under the current key."""
    is_current = isinstance(row, Submission)
    record = row if is_current else db.session.get(Submission, row.submission_uuid)
    revision = None if is_current else row.revision
    answers = open_answers(row, record.uuid, revision)
    definition = registry().get(record.form, row.form_version)
    sealed = seal_columns(definition, record.uuid, answers, revision)
    row.sealed, row.key_id = sealed["sealed"], sealed["key_id"]
    unit = db.session.get(Unit, row.unit_id)
    row.content_hash = content_digest(definition, canonical_content(
        form=definition.form, version=definition.version, unit=unit.code,
        answers=answers, attachments=row.attachments), row.key_id)
