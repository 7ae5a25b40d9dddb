"""Survivors' data at rest: which answers of a sensitive form stay readable (for
statistics), the sealing and opening of the rest, of a reviewer's words on such a record,
and of each officer's recovery key. Sensitive values never go into a log line or an
error message."""

from __future__ import annotations

import base64
import json
import secrets
import uuid as uuid_lib

from ...extensions import db
from ...models import Submission, User
from ..base.crypto import keyring
from ..base.forms import FormDefinition, registry
from .content import reached_a_service

# Kept readable so statistics never need to open a record (FORMS.md 4C).
ACCESS_FLAG = "accessed_any_service"


def plain_part(definition: FormDefinition, answers: dict) -> dict:
    plain = {k: answers[k] for k in definition.data.get("plain_fields", []) if k in answers}
    if isinstance(answers.get("services"), list):
        plain[ACCESS_FLAG] = reached_a_service(answers)
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


def is_sensitive(submission: Submission) -> bool:
    definition = registry().get(submission.form, submission.form_version)
    return bool(definition and definition.sensitive)


def _recovery_aad(user: User) -> bytes:
    return f"recovery:{user.id}".encode()


def recovery_key(user: User) -> str:
    """The secret that also wraps her phone's incident key (see static/pwa/js/vault.js):
    made once, kept sealed, handed only to a signed-in session."""
    if user.recovery_sealed is None:
        user.recovery_key_id, user.recovery_sealed = keyring().seal(secrets.token_bytes(32),
                                                                    _recovery_aad(user))
        db.session.flush()
    return base64.b64encode(keyring().open(user.recovery_key_id, user.recovery_sealed,
                                           _recovery_aad(user))).decode()


def reseal_recovery_key(user: User) -> None:
    """Her recovery key under the current data key (key rotation)."""
    ring = keyring()
    secret = ring.open(user.recovery_key_id, user.recovery_sealed, _recovery_aad(user))
    user.recovery_key_id, user.recovery_sealed = ring.seal(secret, _recovery_aad(user))
