"""Notifications: stored once per dedupe key (in-app list), and pushed to every device the
user subscribed, through pywebpush, many at a time. A 404 or 410 from a push service
removes that subscription; 429 and 5xx are retried with backoff."""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from flask import current_app, g
from py_vapid import Vapid
from py_vapid.utils import b64urlencode
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select

from ..extensions import db
from ..models import Notification, PushSubscription, User
from ..models.types import utcnow
from ..problems import Problem
from .submissions import insert_ignoring_conflict

log = logging.getLogger(__name__)
RETRIES = 3


def vapid_path() -> Path:
    return Path(current_app.instance_path) / "vapid_private.pem"


def generate_vapid(path: Path | None = None) -> Path:
    path = path or vapid_path()
    vapid = Vapid()
    vapid.generate_keys()
    vapid.save_key(str(path))
    path.chmod(0o600)
    return path


def vapid() -> Vapid:
    """The server's VAPID key: CSLP_VAPID_PRIVATE_KEY, else instance/, made on first use."""
    cached = current_app.extensions.get("cslp_vapid")
    if cached:
        return cached
    pem = current_app.config.get("VAPID_PRIVATE_KEY")
    if pem:
        key = Vapid.from_pem(pem.encode() if isinstance(pem, str) else pem)
    else:
        if not vapid_path().exists():
            generate_vapid()
        key = Vapid.from_file(str(vapid_path()))
    current_app.extensions["cslp_vapid"] = key
    return key


def public_key() -> str:
    """The applicationServerKey for pushManager.subscribe (uncompressed P-256, base64url)."""
    raw = vapid().public_key.public_bytes(serialization.Encoding.X962,
                                          serialization.PublicFormat.UncompressedPoint)
    return b64urlencode(raw)


def subscribe(user: User, *, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Store a device's subscription (the same endpoint again just moves to this user).
    Only https endpoints: the server must not be made to post to arbitrary addresses."""
    scheme = endpoint.split(":", 1)[0].lower()
    if scheme not in current_app.config["PUSH_ENDPOINT_SCHEMES"]:
        raise Problem("request.invalid", errors=[{
            "field": "endpoint", "code": "field.invalid",
            "message": "Địa chỉ nhận thông báo phải là https."}])
    db.session.execute(delete(PushSubscription).where(PushSubscription.endpoint == endpoint))
    subscription = PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
    db.session.add(subscription)
    db.session.flush()
    return subscription


def unsubscribe(user: User, endpoint: str) -> bool:
    return db.session.execute(delete(PushSubscription).where(
        PushSubscription.endpoint == endpoint, PushSubscription.user_id == user.id)).rowcount > 0


def notify(user_ids, *, kind: str, key: str, title: str, body: str, url: str, tag: str,
           now=None) -> list[int]:
    """Store one notification per user (once per `key`); returns the ids made now. Texts
    are written for the phone's lock screen: never a survivor's details."""
    made = []
    for user_id in set(user_ids):
        row = db.session.execute(insert_ignoring_conflict(Notification, {
            "user_id": user_id, "kind": kind, "dedupe_key": f"{key}:{user_id}",
            "title": title[:120], "body": body[:300], "url": url, "tag": tag,
            "created_at": now or utcnow(), "push_attempts": 0}, key=["dedupe_key"])).first()
        if row is not None:
            made.append(db.session.scalar(select(Notification.id).where(
                Notification.dedupe_key == f"{key}:{user_id}")))
    if made:
        g.setdefault("cslp_new_notifications", []).extend(made)
    return made


_local = threading.local()


def _session() -> requests.Session:
    # One HTTP session per pool thread: connections to a push service are reused.
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def _send_one(info: dict, payload: str, key: Vapid, subject: str, timeout: float) -> str:
    """'ok', 'gone' (404/410: drop the subscription) or 'failed'."""
    for attempt in range(RETRIES):
        try:
            # pywebpush adds aud/exp to the claims it is given: a fresh dict every call.
            webpush(info, payload, vapid_private_key=key, vapid_claims={"sub": subject},
                    timeout=timeout, ttl=24 * 3600, requests_session=_session())
            return "ok"
        except WebPushException as err:
            status = err.response.status_code if err.response is not None else None
            if status in (404, 410):
                return "gone"
            if status is not None and status != 429 and status < 500:
                return "failed"
        except Exception as err:  # noqa: BLE001  (network trouble: retry, then give up)
            log.warning("push failed: %s", type(err).__name__)
        time.sleep(min(0.2 * 2**attempt, 2))
    return "failed"


def deliver(notification_ids: list[int]) -> dict:
    """Push these notifications to every subscribed device of their users, concurrently."""
    if not notification_ids:
        return {"sent": 0, "gone": 0, "failed": 0}
    rows = db.session.scalars(select(Notification).where(
        Notification.id.in_(notification_ids))).all()
    subs = db.session.scalars(select(PushSubscription).where(
        PushSubscription.user_id.in_({n.user_id for n in rows}))).all()
    jobs = []
    for n in rows:
        payload = json.dumps({"title": n.title, "body": n.body, "url": n.url, "tag": n.tag},
                             ensure_ascii=False)
        jobs += [(n, s, payload) for s in subs if s.user_id == n.user_id]
    key, subject = vapid(), current_app.config["VAPID_SUBJECT"]
    timeout = float(current_app.config["PUSH_TIMEOUT"])
    infos = [({"endpoint": s.endpoint, "keys": {"p256dh": s.p256dh, "auth": s.auth}}, p)
             for _, s, p in jobs]
    with ThreadPoolExecutor(max_workers=int(current_app.config["PUSH_WORKERS"])) as pool:
        outcomes = list(pool.map(lambda a: _send_one(a[0], a[1], key, subject, timeout), infos))
    counts = {"sent": 0, "gone": 0, "failed": 0}
    now = utcnow()
    gone = set()
    for (n, s, _), outcome in zip(jobs, outcomes, strict=True):
        n.push_attempts += 1
        if outcome == "ok":
            n.pushed_at = n.pushed_at or now
            counts["sent"] += 1
        elif outcome == "gone":
            gone.add(s.id)
            counts["gone"] += 1
        else:
            counts["failed"] += 1
    if gone:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
    db.session.flush()
    return counts


def deliver_new() -> dict:
    """After the request committed: push what it created (the in-app list has it anyway)."""
    ids = g.pop("cslp_new_notifications", [])
    if not ids:
        return {"sent": 0, "gone": 0, "failed": 0}
    try:
        counts = deliver(ids)
        db.session.commit()
        return counts
    except Exception:  # noqa: BLE001  (a push service's trouble never fails her request)
        log.exception("push delivery failed")
        db.session.rollback()
        return {"sent": 0, "gone": 0, "failed": len(ids)}
