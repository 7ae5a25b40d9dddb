"""Photos: checked against their hash, recognised by content (not by name), stored once.

The phone uploads a record's photos before the record itself, so the server holds photos
no record lists yet ("pending"). Each person's pending photos are capped
(CSLP_UPLOAD_PENDING_BYTES), and `flask cslp purge` removes photos that no record or
revision lists once CSLP_UPLOAD_GRACE_DAYS have passed since their last upload (a phone
still holding the record uploads the photo again when the server says it is missing)."""

from __future__ import annotations

import hashlib
import re

from flask import current_app
from sqlalchemy import Text, cast, select

from ..extensions import db
from ..models import Attachment, AttachmentUpload, Submission, SubmissionRevision, User
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
    _check_quota(sha256, len(data), user)
    inserted = db.session.execute(insert_ignoring_conflict(Attachment, {
        "sha256": sha256, "content_type": content_type, "size": len(data), "data": data,
    }, key=["sha256"])).first()
    db.session.execute(insert_ignoring_conflict(AttachmentUpload, {
        "sha256": sha256, "user_id": user.id}, key=["sha256", "user_id"]))
    return inserted is not None


def listed_photos(authors=None) -> set[str]:
    """Hashes some record or earlier revision lists (of these authors' records, or all)."""
    listed: set[str] = set()
    for model in (Submission, SubmissionRevision):
        query = select(model.attachments).where(cast(model.attachments, Text) != "[]")
        if authors is not None:
            query = query.where(model.author_id.in_(authors))
        for hashes in db.session.scalars(query):
            listed.update(hashes or ())
    return listed


def _check_quota(sha256: str, size: int, user: User) -> None:
    """Refuse a photo that would take her pending photos (uploaded, listed by none of her
    records) over the cap. Sending a photo she already sent is always fine."""
    limit = int(current_app.config["UPLOAD_PENDING_BYTES"])
    mine = db.session.execute(
        select(Attachment.sha256, Attachment.size).join(
            AttachmentUpload, AttachmentUpload.sha256 == Attachment.sha256)
        .where(AttachmentUpload.user_id == user.id)).all()
    if any(h == sha256 for h, _ in mine):
        return
    if size + sum(s for _, s in mine) <= limit:
        return  # the cheap answer for nearly everyone: all she ever sent fits anyway
    listed = listed_photos(authors=[user.id])
    pending = sum(s for h, s in mine if h not in listed)
    if pending + size > limit:
        raise Problem("attachment.quota", max_bytes=limit)


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
