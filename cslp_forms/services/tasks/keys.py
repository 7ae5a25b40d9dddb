"""`flask cslp rotate-key`: re-encrypt every sealed value not under the current data
key, a batch per transaction, while the app keeps serving (readers open any key still
in the ring; workers notice the new key file before their next seal, see base/crypto).
`flask cslp remove-key`: take a retired key out only once nothing is sealed under it."""

from __future__ import annotations

from sqlalchemy import func, select

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

SEALED = ((Submission, "submissions"), (SubmissionRevision, "revisions"),
          (ReviewDecision, "decisions"))


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


def sealed_under(kid: str) -> dict:
    """How many values are still sealed under a key, per table."""
    counts = {name: db.session.scalar(select(func.count()).select_from(model).where(
        model.key_id == kid)) for model, name in SEALED}
    counts["recovery_keys"] = db.session.scalar(select(func.count()).select_from(User).where(
        User.recovery_key_id == kid))
    return counts


def retire_key(kid: str, *, batch: int = 500) -> dict:
    """Re-seal whatever a worker still wrote under `kid` (a request that sealed just before
    the rotation and committed after it) and answer what is left under it: all zero
    means the key may go."""
    rotate_keys(batch=batch)
    return sealed_under(kid)


def _stale(model, current: str, batch: int) -> list:
    # FOR UPDATE (PostgreSQL; SQLite writers hold the database lock anyway): an officer's
    # edit of the same record waits for this batch, or this batch for her edit, so
    # neither writes over the other's answers.
    return db.session.scalars(select(model).where(
        model.key_id.is_not(None), model.key_id != current).limit(batch)
        .with_for_update()).all()


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
