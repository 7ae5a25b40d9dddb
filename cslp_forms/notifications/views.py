"""Thin views over services/push.py."""

from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from ..extensions import db
from ..models import Notification
from ..models.types import iso, utcnow
from ..schemas.base import load_json
from ..schemas.notifications import ReadSchema, SubscriptionSchema, UnsubscribeSchema
from ..services import push
from . import bp


@bp.get("/push/vapid-public-key")
def vapid_public_key():
    return {"public_key": push.public_key()}


@bp.post("/push/subscriptions")
@login_required
def create_subscription():
    data = load_json(SubscriptionSchema())
    push.subscribe(current_user, endpoint=data["endpoint"], p256dh=data["keys"]["p256dh"],
                   auth=data["keys"]["auth"])
    db.session.commit()
    return {"subscribed": True}, 201


@bp.delete("/push/subscriptions")
@login_required
def delete_subscription():
    data = load_json(UnsubscribeSchema())
    removed = push.unsubscribe(current_user, data["endpoint"])
    db.session.commit()
    return {"removed": removed}


@bp.get("/notifications")
@login_required
def list_notifications():
    rows = db.session.scalars(select(Notification).where(
        Notification.user_id == current_user.id).order_by(Notification.id.desc()).limit(100))
    unread = db.session.scalar(select(func.count()).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None)))
    return {"unread": unread, "notifications": [{
        "id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "url": n.url,
        "created_at": iso(n.created_at), "read": n.read_at is not None} for n in rows]}


@bp.post("/notifications/read")
@login_required
def mark_read():
    data = load_json(ReadSchema())
    db.session.execute(update(Notification).where(
        Notification.user_id == current_user.id, Notification.id.in_(data["ids"]),
        Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return {"ok": True}
