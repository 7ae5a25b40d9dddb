"""Survivors' data: which answers of a sensitive form stay readable (for statistics), the
sealing and opening of the rest, who may read details (need to know), and the access log.
Sensitive values never go into a log line or an error message."""

from __future__ import annotations

import json
import uuid as uuid_lib

from flask import g, has_request_context, request

from ..extensions import db
from ..models import AccessLog, Submission, Unit, User
from ..problems import Problem
from .crypto import keyring
from .forms import FormDefinition, registry

# FORMS.md 4C: "true if any services.status = da_nhan", the plan's target indicator;
# kept readable so statistics never need to open a record.
ACCESS_FLAG = "accessed_any_service"


def plain_part(definition: FormDefinition, answers: dict) -> dict:
    plain = {k: answers[k] for k in definition.data.get("plain_fields", []) if k in answers}
    services = answers.get("services")
    if isinstance(services, list):
        plain[ACCESS_FLAG] = any(isinstance(s, dict) and s.get("status") == "da_nhan"
                                 for s in services)
    return plain


def _aad(uuid: uuid_lib.UUID, revision: int | None) -> bytes:
    # Binds a sealed value to its record (and revision): it cannot be moved to another.
    return f"{uuid}:{revision if revision is not None else 'current'}".encode()


def seal_columns(definition: FormDefinition, uuid: uuid_lib.UUID, answers: dict,
                 revision: int | None = None) -> dict:
    """The answer columns to store: everything readable for an ordinary form; the plain
    part plus a sealed copy of everything for a sensitive one."""
    if not definition.sensitive:
        return {"answers": answers, "sealed": None, "key_id": None}
    data = json.dumps(answers, sort_keys=True, ensure_ascii=False).encode()
    kid, blob = keyring().seal(data, _aad(uuid, revision))
    return {"answers": plain_part(definition, answers), "sealed": blob, "key_id": kid}


def open_answers(row, uuid: uuid_lib.UUID, revision: int | None = None) -> dict:
    if row.sealed is None:
        return row.answers
    return json.loads(keyring().open(row.key_id, row.sealed, _aad(uuid, revision)))


def seal_decision_words(uuid: uuid_lib.UUID, comment: str | None,
                        field_comments: dict | None) -> dict:
    """The columns of a decision on a sensitive record: its words sealed."""
    data = json.dumps({"comment": comment, "field_comments": field_comments},
                      ensure_ascii=False).encode()
    kid, blob = keyring().seal(data, f"{uuid}:decision".encode())
    return {"comment": None, "field_comments": None, "sealed": blob, "key_id": kid}


def open_decision_words(row) -> dict:
    if row.sealed is None:
        return {"comment": row.comment, "field_comments": row.field_comments}
    return json.loads(keyring().open(row.key_id, row.sealed,
                                     f"{row.submission_uuid}:decision".encode()))


def content_digest(definition: FormDefinition, canonical: bytes, kid: str | None) -> str:
    """SHA-256 of the content; for a sensitive form a keyed hash, so the digest of a
    short, guessable record does not give it away."""
    import hashlib

    if definition.sensitive:
        return keyring().mac(kid or keyring().current, canonical)
    return hashlib.sha256(canonical).hexdigest()


def is_sensitive(submission: Submission) -> bool:
    definition = registry().get(submission.form, submission.form_version)
    return bool(definition and definition.sensitive)


def can_read_details(user: User, submission: Submission) -> bool:
    """Ordinary records: whoever may see them. Sensitive ones: the author (the case
    worker), and supervisors of the record's unit chain who hold the incident-reviewer
    permission."""
    if submission.author_id == user.id:
        return True
    if user.role == "officer" or not user.unit.contains(submission.unit):
        return False
    return not is_sensitive(submission) or user.incident_reviewer


def screen() -> str | None:
    if not has_request_context():
        return "cli"
    value = request.headers.get("X-CSLP-Screen") or request.endpoint or ""
    return value[:40] or None


def log_access(user: User, uuid, action: str, *, allowed: bool = True) -> None:
    db.session.add(AccessLog(user_id=user.id, submission_uuid=uuid, action=action,
                             screen=screen(), allowed=allowed))


def require_details(user: User, submission: Submission, action: str) -> None:
    """Raise unless she may read this record's details. Sensitive reads are logged; a
    refusal is logged after the request, whatever happens to its transaction."""
    allowed = can_read_details(user, submission)
    if is_sensitive(submission):
        if allowed:
            log_access(user, submission.uuid, action)
        else:
            g.setdefault("cslp_refusals", []).append(
                AccessLog(user_id=user.id, submission_uuid=submission.uuid, action=action,
                          screen=screen(), allowed=False))
    if not allowed:
        raise Problem("incident.not_permitted" if user.unit.contains(submission.unit)
                      and user.role != "officer" else "submission.not_found")


def search_access_log(*, record=None, user=None, from_=None, to=None, limit=200) -> list:
    from sqlalchemy import select

    from ..models.types import iso

    query = select(AccessLog).order_by(AccessLog.id.desc()).limit(limit)
    if record is not None:
        query = query.where(AccessLog.submission_uuid == record)
    if user:
        query = query.join(User, User.id == AccessLog.user_id).where(
            User.username == user.strip().lower())
    if from_ is not None:
        query = query.where(AccessLog.at >= from_)
    if to is not None:
        query = query.where(AccessLog.at <= to)
    return [{"at": iso(e.at), "user": e.user.username,
             "record": str(e.submission_uuid) if e.submission_uuid else None,
             "action": e.action, "screen": e.screen, "allowed": e.allowed}
            for e in db.session.scalars(query)]


def recovery_key(user: User) -> str:
    """The secret that also wraps her phone's incident key (see static/pwa/js/vault.js):
    made once, kept sealed, handed only to a signed-in session."""
    import base64
    import secrets

    aad = f"recovery:{user.id}".encode()
    if user.recovery_sealed is None:
        user.recovery_key_id, user.recovery_sealed = keyring().seal(secrets.token_bytes(32),
                                                                    aad)
        db.session.flush()
    return base64.b64encode(keyring().open(user.recovery_key_id, user.recovery_sealed,
                                           aad)).decode()


def rotate_keys(*, batch: int = 500, progress=None) -> dict:
    """Re-encrypt every sealed value not under the current key, `batch` rows per
    transaction, so the app keeps serving (readers open any key still in the ring)."""
    from sqlalchemy import select

    from ..models import SubmissionRevision
    from .sync import canonical_content

    ring = keyring()
    counts = {"submissions": 0, "revisions": 0, "recovery_keys": 0}
    for model, name in ((Submission, "submissions"), (SubmissionRevision, "revisions")):
        while True:
            rows = db.session.scalars(select(model).where(
                model.key_id.is_not(None), model.key_id != ring.current).limit(batch)).all()
            if not rows:
                break
            for row in rows:
                is_current = model is Submission
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
            counts[name] += len(rows)
            db.session.commit()
            if progress:
                progress(name, counts[name])
    from ..models import ReviewDecision

    while True:
        rows = db.session.scalars(select(ReviewDecision).where(
            ReviewDecision.key_id.is_not(None), ReviewDecision.key_id != ring.current)
            .limit(batch)).all()
        if not rows:
            break
        for row in rows:
            words = open_decision_words(row)
            sealed = seal_decision_words(row.submission_uuid, words["comment"],
                                         words["field_comments"])
            row.sealed, row.key_id = sealed["sealed"], sealed["key_id"]
        counts["decisions"] = counts.get("decisions", 0) + len(rows)
        db.session.commit()
    for user in db.session.scalars(select(User).where(
            User.recovery_key_id.is_not(None), User.recovery_key_id != ring.current)):
        aad = f"recovery:{user.id}".encode()
        secret = ring.open(user.recovery_key_id, user.recovery_sealed, aad)
        user.recovery_key_id, user.recovery_sealed = ring.seal(secret, aad)
        counts["recovery_keys"] += 1
    db.session.commit()
    return counts


def purge_closed_incidents(*, now, retention_days: int) -> list[dict]:
    """Delete closed sensitive records not changed for `retention_days`; returns what
    was purged (and logs it in purge_log)."""
    from datetime import timedelta

    from sqlalchemy import delete, select

    from ..models import PurgeLog, ReviewDecision, SubmissionRevision

    cutoff = now - timedelta(days=retention_days)
    sensitive = [d.form for d in registry().definitions.values() if d.sensitive]
    purged = []
    for row in db.session.scalars(select(Submission).where(
            Submission.form.in_(sensitive), Submission.updated_at < cutoff)).all():
        if (row.answers or {}).get("case_status") != "da_dong":
            continue
        db.session.add(PurgeLog(submission_uuid=row.uuid, form=row.form, unit_id=row.unit_id,
                                last_changed_at=row.updated_at, purged_at=now))
        for model, column in ((ReviewDecision, ReviewDecision.submission_uuid),
                              (SubmissionRevision, SubmissionRevision.submission_uuid)):
            db.session.execute(delete(model).where(column == row.uuid))
        purged.append({"uuid": str(row.uuid), "unit": row.unit.code,
                       "last_changed_at": row.updated_at.isoformat()})
        db.session.delete(row)
    db.session.flush()
    return purged


def write_refusals(response):
    """after_request: the refused reads of this request, in a transaction of their own."""
    refusals = g.pop("cslp_refusals", None)
    if refusals:
        db.session.rollback()
        db.session.add_all(refusals)
        db.session.commit()
    return response
