"""Push delivery: the server's VAPID key, and the push queue. The notifications not yet
pushed are the queue; a courier thread in each app process drains it when woken (after a
commit that made notifications) and every POLL seconds, and `flask cslp send-reminders`
drains it too. A round claims due notifications for a lease (so two processes never push
one twice), reads them, asks the push services with no transaction open, many at a
time, then writes what came of it: sent; a 404 or 410 removes that subscription; 429,
5xx, a timeout or a network error try again later, with backoff, up to MAX_ROUNDS. Never
inside the request that made them: a push service that does not answer delays nobody."""

from __future__ import annotations

import json
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from flask import Flask, current_app, has_request_context
from py_vapid import Vapid
from py_vapid.utils import b64urlencode
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import Notification, PushSubscription
from ...models.types import utcnow

log = logging.getLogger(__name__)
CHUNK = 100                 # notifications a round claims
MAX_ROUNDS = 5              # then the in-app list is all she gets
LEASE = timedelta(minutes=2)  # a claimed round not finished by then is tried again
MAX_AGE = timedelta(hours=24)  # the pushes' TTL: older ones are not worth sending
POLL = 60                   # seconds between a courier's rounds when nobody wakes it


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
EMPTY = {"sent": 0, "gone": 0, "failed": 0}


def _session() -> requests.Session:
    # One HTTP session per pool thread: connections to a push service are reused.
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def _send_one(info: dict, payload: str, key: Vapid, subject: str, timeout: float) -> str:
    """'ok', 'gone' (404/410: drop the subscription) or 'failed' (later, maybe)."""
    try:
        # pywebpush adds aud/exp to the claims it is given: a fresh dict every call.
        webpush(info, payload, vapid_private_key=key, vapid_claims={"sub": subject},
                timeout=timeout, ttl=int(MAX_AGE.total_seconds()),
                requests_session=_session())
        return "ok"
    except WebPushException as err:
        status = err.response.status_code if err.response is not None else None
        return "gone" if status in (404, 410) else "failed"
    except Exception as err:  # noqa: BLE001  (network trouble, a timeout: try again later)
        log.warning("push failed: %s", type(err).__name__)
        return "failed"


def deliver_due(session: Session, now: datetime | None = None) -> dict:
    """Push every due notification, a round at a time, until none is left."""
    counts = dict(EMPTY)
    while ids := _claim(session, now or utcnow()):
        for name, n in _push(session, ids, now or utcnow()).items():
            counts[name] += n
    return counts


def _claim(session: Session, now: datetime) -> list[int]:
    free = or_(Notification.next_push_at.is_(None), Notification.next_push_at <= now)
    due = (select(Notification.id).where(
        Notification.pushed_at.is_(None), Notification.push_attempts < MAX_ROUNDS, free,
        Notification.created_at > now - MAX_AGE).order_by(Notification.id).limit(CHUNK))
    with session.begin():
        # Re-checked row by row: of two processes claiming at once, one gets each row.
        return list(session.scalars(
            update(Notification).where(Notification.id.in_(due), free)
            .values(next_push_at=now + LEASE).returning(Notification.id)
            .execution_options(synchronize_session=False)))


def _push(session: Session, ids: list[int], now: datetime) -> dict:
    with session.begin():
        rows = session.scalars(select(Notification).where(Notification.id.in_(ids))).all()
        subs = session.scalars(select(PushSubscription).where(
            PushSubscription.user_id.in_({n.user_id for n in rows}))).all()
        jobs = []
        for n in rows:
            payload = json.dumps({"title": n.title, "body": n.body, "url": n.url,
                                  "tag": n.tag}, ensure_ascii=False)
            jobs += [(n.id, s.id, {"endpoint": s.endpoint,
                                   "keys": {"p256dh": s.p256dh, "auth": s.auth}}, payload)
                     for s in subs if s.user_id == n.user_id]
        attempts = {n.id: n.push_attempts for n in rows}
    outcomes = []
    if jobs:
        key, subject = vapid(), current_app.config["VAPID_SUBJECT"]
        timeout = float(current_app.config["PUSH_TIMEOUT"])
        with ThreadPoolExecutor(max_workers=int(current_app.config["PUSH_WORKERS"])) as pool:
            outcomes = list(pool.map(lambda j: _send_one(j[2], j[3], key, subject, timeout),
                                     jobs))
    counts = dict(EMPTY)
    by_notification: dict[int, set[str]] = {i: set() for i in attempts}
    gone: set[int] = set()
    for (notification_id, sub_id, _, _), outcome in zip(jobs, outcomes, strict=True):
        counts[{"ok": "sent"}.get(outcome, outcome)] += 1
        by_notification[notification_id].add(outcome)
        if outcome == "gone":
            gone.add(sub_id)
    with session.begin():
        for notification_id, seen in by_notification.items():
            session.execute(update(Notification).where(Notification.id == notification_id)
                            .values(**_after(seen, attempts[notification_id], now)))
        if gone:
            session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
    return counts


def _after(seen: set[str], attempts: int, now: datetime) -> dict:
    """A notification's queue columns after a round whose pushes came out as `seen`."""
    if "ok" in seen:
        return {"pushed_at": now, "next_push_at": None, "push_attempts": attempts + 1}
    if "failed" not in seen:  # no device to push to, or every one gone
        return {"next_push_at": None, "push_attempts": MAX_ROUNDS}
    # 30 s, 2 min, 8 min, 32 min: a push service that is down gets time to come back.
    backoff = timedelta(seconds=30 * 4 ** attempts)
    return {"next_push_at": now + backoff, "push_attempts": attempts + 1}


class _Courier:
    """The thread that drains the queue of one app in this process (one per gunicorn
    worker, started on first use, after the fork)."""

    def __init__(self, app: Flask):
        self.app = app
        self.wanted = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid: int | None = None
        self.stopping = threading.Event()

    def wake(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, daemon=True,
                                               name="cslp-push")
                self.thread.start()
        self.wanted.set()

    def stop(self) -> None:
        self.stopping.set()
        self.wanted.set()
        if self.thread is not None:
            self.thread.join(10)

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.wanted.wait(timeout=POLL)
            self.wanted.clear()
            if self.stopping.is_set():
                break
            try:
                with self.app.app_context(), Session(db.engine) as session:
                    deliver_due(session)
            except Exception:  # noqa: BLE001  (the next round tries again)
                log.exception("push round failed")


def stop_courier(app: Flask) -> None:
    """End this app's courier thread, if it has one (an app that is done with: a test's).
    Left running, it would wake every POLL seconds and keep a connection of its own."""
    courier = app.extensions.pop("cslp_courier", None)
    if courier is not None:
        courier.stop()


def wake(session: Session) -> None:
    """After a commit that made notifications: push them, outside the request that made
    them. An in-memory database (tests) has one connection, which no second thread may
    share: there the round runs here, now. Outside a request (a command), the command or
    the reminders timer drains the queue."""
    url = db.engine.url
    if url.drivername.startswith("sqlite") and url.database in (None, "", ":memory:"):
        deliver_due(session)
    elif has_request_context():
        app = current_app._get_current_object()
        courier = app.extensions.get("cslp_courier")
        if courier is None:  # the first push of this app; setdefault: two threads, one courier
            courier = app.extensions.setdefault("cslp_courier", _Courier(app))
        courier.wake()
