"""Thin views over services/notifications.py (and the VAPID key of base/push.py)."""

from flask_login import current_user, login_required

from ..extensions import db
from ..schemas.base import load_json
from ..schemas.notifications import ReadSchema, SubscriptionSchema, UnsubscribeSchema
from ..services import notifications
from ..services.base import push
from . import bp


@bp.get("/push/vapid-public-key")
def vapid_public_key():
    return {"public_key": push.public_key()}


@bp.post("/push/subscriptions")
@login_required
def create_subscription():
    data = load_json(SubscriptionSchema())
    notifications.subscribe(current_user, endpoint=data["endpoint"],
                            p256dh=data["keys"]["p256dh"], auth=data["keys"]["auth"])
    db.session.commit()
    return {"subscribed": True}, 201


@bp.delete("/push/subscriptions")
@login_required
def delete_subscription():
    data = load_json(UnsubscribeSchema())
    removed = notifications.unsubscribe(current_user, data["endpoint"])
    db.session.commit()
    return {"removed": removed}


@bp.get("/notifications")
@login_required
def list_notifications():
    return notifications.inbox(current_user)


@bp.post("/notifications/read")
@login_required
def mark_read():
    data = load_json(ReadSchema())
    notifications.mark_read(current_user, data["ids"])
    db.session.commit()
    return {"ok": True}
