"""Photos: checked against their hash, recognised by content (not by name), stored once."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import Text, cast, select

from ..extensions import db
from ..models import Attachment, AttachmentUpload, Submission, User
from ..problems import Problem, say
from .base.sql import insert_ignoring_conflict
from .records.access import visible_to

MAX_BYTES = 5 * 1024 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sniff_image(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _check_name(sha256: str) -> None:
    if not SHA256.match(sha256):
        raise Problem("attachment.bad_hash", say("attachment.hash_format"))


def store_attachment(sha256: str, data: bytes, *, user: User) -> bool:
    """Store the photo; True when it is new. Sending it again is harmless."""
    _check_name(sha256)
    if len(data) > MAX_BYTES:
        raise Problem("attachment.too_large", max_bytes=MAX_BYTES)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Problem("attachment.hash_mismatch")
    content_type = sniff_image(data)
    if content_type is None:
        raise Problem("attachment.unsupported_type")
    inserted = db.session.execute(insert_ignoring_conflict(Attachment, {
        "sha256": sha256, "content_type": content_type, "size": len(data), "data": data,
    }, key=["sha256"])).first()
    db.session.execute(insert_ignoring_conflict(AttachmentUpload, {
        "sha256": sha256, "user_id": user.id}, key=["sha256", "user_id"]))
    return inserted is not None


def read_attachment(sha256: str, *, user: User) -> Attachment:
    """The photo, for whoever uploaded it, or who may see a record that lists it and whose
    author uploaded it (listing a hash one never sent grants nothing)."""
    _check_name(sha256)
    attachment = db.session.get(Attachment, sha256)
    if attachment is None:
        raise Problem("attachment.not_found")
    uploader = select(AttachmentUpload.user_id).where(AttachmentUpload.sha256 == sha256)
    if user.id not in db.session.scalars(uploader).all():
        # The hash is hex only, so it needs no LIKE escaping; one form for both databases.
        listed = select(Submission.uuid).where(
            visible_to(user), Submission.author_id.in_(uploader),
            cast(Submission.attachments, Text).like(f'%"{sha256}"%'))
        if db.session.scalar(listed.limit(1)) is None:
            raise Problem("attachment.not_found")
    return attachment
