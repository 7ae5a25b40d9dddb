"""A user's notifications (the in-app list) and the devices she subscribed for push."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..models import Notification, PushSubscription, User
from ..models.types import iso, utcnow
from ..problems import invalid

INBOX_SIZE = 100


def subscribe(user: User, *, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Store a device's subscription (the same endpoint again just moves to this user).
    Only on a known push service: the server must not be made to post to addresses a
    user chose. Beyond PUSH_MAX_SUBSCRIPTIONS her oldest device is dropped."""
    config = current_app.config
    address = urlsplit(endpoint)
    if address.scheme.lower() not in config["PUSH_ENDPOINT_SCHEMES"]:
        raise invalid("endpoint", "field.invalid", "push.https_only")
    if not _known_host(address.hostname or "", config["PUSH_HOSTS"]):
        raise invalid("endpoint", "field.invalid", "push.unknown_service")
    db.session.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint))
    keep = int(config["PUSH_MAX_SUBSCRIPTIONS"]) - 1
    older = select(PushSubscription.id).where(PushSubscription.user_id == user.id).order_by(
        PushSubscription.created_at.desc(), PushSubscription.id.desc()).offset(keep)
    db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(older))
                       .execution_options(synchronize_session=False))
    subscription = PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
    db.session.add(subscription)
    db.session.flush()
    return subscription


def _known_host(host: str, known) -> bool:
    host = host.lower()
    return any(host == k or (k.startswith("*.") and host.endswith(k[1:])) for k in known)


def unsubscribe(user: User, endpoint: str) -> bool:
    return db.session.execute(delete(PushSubscription).where(
        PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id)).rowcount > 0


def inbox(user: User) -> dict:
    """Her latest notifications, newest first, and how many she has not read."""
    rows = db.session.scalars(select(Notification).where(
        Notification.user_id == user.id).order_by(Notification.id.desc()).limit(INBOX_SIZE))
    unread = db.session.scalar(select(func.count()).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))
    return {"unread": unread, "notifications": [{
        "id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "url": n.url,
        "created_at": iso(n.created_at), "read": n.read_at is not None} for n in rows]}


def mark_read(user: User, ids: list[int]) -> None:
    db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.id.in_(ids),
        Notification.read_at.is_(None)).values(read_at=utcnow()))
