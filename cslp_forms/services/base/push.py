"""Push delivery: the server's VAPID key, and sending stored notifications to every device
their user subscribed, through pywebpush, many at a time. A 404 or 410 from a push service
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
from flask import current_app
from py_vapid import Vapid
from py_vapid.utils import b64urlencode
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ...models import Notification, PushSubscription
from ...models.types import utcnow

log = logging.getLogger(__name__)
RETRIES = 3
CHUNK = 500  # notification ids per query


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


def deliver(session: Session, notification_ids: list[int]) -> dict:
    """Push these notifications to every subscribed device of their users, concurrently.
    No transaction is open while the push services are asked: the rows are read first,
    and what came of each push is written after, in a short transaction of its own."""
    if not notification_ids:
        return {"sent": 0, "gone": 0, "failed": 0}
    with session.begin():
        rows = [n for start in range(0, len(notification_ids), CHUNK)
                for n in session.scalars(select(Notification).where(
                    Notification.id.in_(notification_ids[start:start + CHUNK])))]
        subs = session.scalars(select(PushSubscription).where(
            PushSubscription.user_id.in_({n.user_id for n in rows}))).all()
        jobs = []
        for n in rows:
            payload = json.dumps({"title": n.title, "body": n.body, "url": n.url,
                                  "tag": n.tag}, ensure_ascii=False)
            jobs += [(n.id, s.id, {"endpoint": s.endpoint,
                                   "keys": {"p256dh": s.p256dh, "auth": s.auth}}, payload)
                     for s in subs if s.user_id == n.user_id]
    if not jobs:
        return {"sent": 0, "gone": 0, "failed": 0}
    key, subject = vapid(), current_app.config["VAPID_SUBJECT"]
    timeout = float(current_app.config["PUSH_TIMEOUT"])
    with ThreadPoolExecutor(max_workers=int(current_app.config["PUSH_WORKERS"])) as pool:
        outcomes = list(pool.map(lambda j: _send_one(j[2], j[3], key, subject, timeout), jobs))
    counts = {"sent": 0, "gone": 0, "failed": 0}
    now = utcnow()
    tries: dict[int, int] = {}
    pushed: set[int] = set()
    gone: set[int] = set()
    for (notification_id, sub_id, _, _), outcome in zip(jobs, outcomes, strict=True):
        tries[notification_id] = tries.get(notification_id, 0) + 1
        if outcome == "ok":
            pushed.add(notification_id)
            counts["sent"] += 1
        elif outcome == "gone":
            gone.add(sub_id)
            counts["gone"] += 1
        else:
            counts["failed"] += 1
    with session.begin():
        for notification_id, n in tries.items():
            values = {"push_attempts": Notification.push_attempts + n}
            if notification_id in pushed:
                values["pushed_at"] = func.coalesce(Notification.pushed_at, now)
            session.execute(update(Notification).where(Notification.id == notification_id)
                            .values(**values))
        if gone:
            session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
    return counts
