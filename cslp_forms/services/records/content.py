"""What a record's content is and says: its canonical bytes and their digest, its title,
and whether a case reached a support service."""

from __future__ import annotations

import hashlib
import json

from ..base.crypto import keyring
from ..base.forms import FormDefinition

# The answers a record is named by in lists, the first one given.
TITLE_FIELDS = ("title_content", "name")
# FORMS.md 4C: a case reached a service when any of its services has this status.
SERVICE_REACHED = "da_nhan"


def canonical_content(*, form: str, version: int, unit: str, answers: dict,
                      attachments: list[str], parent=None) -> bytes:
    """The canonical JSON of what the officer sent: equal content, equal bytes, whatever
    the key order or the attachment order. An entry's parent is part of its content."""
    content = {"form": form, "version": version, "unit": unit, "answers": answers,
               "attachments": sorted(set(attachments))}
    if parent is not None:
        content["parent"] = str(parent)
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def content_digest(definition: FormDefinition, canonical: bytes, kid: str | None) -> str:
    """SHA-256 of the content; for a sensitive form a keyed hash, so the digest of a
    short, guessable record does not give it away."""
    if definition.sensitive:
        return keyring().mac(kid or keyring().current, canonical)
    return hashlib.sha256(canonical).hexdigest()


def record_title(answers: dict | None) -> str:
    """The line a record is listed by (never a case's details: those answers are not
    among the plain ones a sensitive record keeps readable)."""
    answers = answers or {}
    return next((answers[k] for k in TITLE_FIELDS if answers.get(k)), "")


def reached_a_service(answers: dict) -> bool:
    """The plan's target (II.6): the survivor reached at least one support service."""
    services = answers.get("services")
    return isinstance(services, list) and any(
        isinstance(s, dict) and s.get("status") == SERVICE_REACHED for s in services)
