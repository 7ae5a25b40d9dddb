"""The push queue (issue 14.2): pushes leave outside the request, so a push service that
never answers delays no decision and no sync; failures are tried again with backoff, a
gone device is forgotten, two processes never push one notification twice; only known
push services are accepted, a few devices per user."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cslp_forms.extensions import db
from cslp_forms.models import Notification, PushSubscription
from cslp_forms.models.types import utcnow
from cslp_forms.services.base import push
from cslp_forms.services.records.notices import notify
from tests.api.sync_helpers import item
from tests.api.test_sync import sync
from tests.conftest import assert_problem
from tests.fake_push import FakePushService, Silent


@pytest.fixture
def push_service():
    service = FakePushService()
    yield service
    service.close()


def subscription(url, name="x", service=None):
    """A subscription at `url`, with a real device's keys when `service` makes one."""
    keys = (service.device(name).subscription["keys"] if service
            else {"p256dh": "B" * 87, "auth": "A" * 22})
    return {"endpoint": f"{url}/push/{name}", "keys": keys}


def _count(app, condition) -> int:
    with app.app_context():  # a transaction of its own each time: no lock held between
        return db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(condition))


def waiting_until(check, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_push_service_that_never_answers_delays_no_decision_and_no_sync(
        file_app, file_login, push_service):
    file_app.config["PUSH_TIMEOUT"] = 2
    silent = Silent()
    try:
        officer = file_login("canbo.anthanh2")
        for n in range(5):
            assert officer.post("/api/push/subscriptions", json=subscription(
                silent.url, f"p{n}", push_service)).status_code == 201
        others = [file_login(u) for u in ("canbo.anthanh3", "canbo.thienmy")]
        supervisor = file_login("giamsat.culaodung")
        records = [item() for _ in range(3)]
        for it in records:
            assert sync(officer, it)[0]["status"] == "accepted"
        started = time.monotonic()
        for it in records:
            res = supervisor.post(f"/api/review/{it['uuid']}/decisions", json={
                "decision": "return", "revision": 1, "comment": "Thiếu số nam"})
            assert res.status_code == 200
        for other, unit in zip(others, ("31633", "31585"), strict=True):
            assert sync(other, item(unit=unit))[0]["status"] == "accepted"
        took = time.monotonic() - started
        assert took < 2, f"3 decisions and 2 syncs took {took:.1f} s"
        # The courier got to them, waited out the timeout, and will try again later.
        waiting_until(lambda: _count(file_app, Notification.push_attempts == 1) == 3,
                      seconds=20)
        with file_app.app_context():
            rows = db.session.scalars(select(Notification)).all()
            assert all(n.pushed_at is None and n.next_push_at > utcnow() for n in rows)
    finally:
        silent.close()


def test_a_push_in_the_background_reaches_the_device(file_app, file_login, push_service):
    officer = file_login("canbo.anthanh2")
    assert officer.post("/api/push/subscriptions",
                        json=push_service.device("phone").subscription).status_code == 201
    it = item()
    sync(officer, it)
    file_login("giamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions", json={
        "decision": "approve", "revision": 1})
    waiting_until(lambda: len(push_service.received) == 1)
    assert push_service.received[0]["payload"]["title"] == "Phiếu đã được duyệt"


def _subscribed(device, user_id=1) -> PushSubscription:
    keys = device.subscription["keys"]
    return PushSubscription(user_id=user_id, endpoint=device.endpoint, p256dh=keys["p256dh"],
                            auth=keys["auth"])


def _queued(app, user_id=1, key="k"):
    # Outside any request, as a command makes them: no courier thread is woken to race
    # with the rounds the test runs itself (a test request context would wake one).
    with app.app_context():
        [made] = notify([user_id], kind="reminder", key=key, title="Nhắc", body="b", url="/",
                        tag="t")
        db.session.commit()
        return made


def _round(app, now):
    with app.app_context(), Session(db.engine) as session:
        return push.deliver_due(session, now)


def _row(app, made):
    with app.app_context():
        return db.session.get(Notification, made)


def test_a_service_that_is_down_is_tried_again_later_then_given_up(file_app, push_service):
    with file_app.app_context():
        db.session.add(_subscribed(push_service.device("a")))
        db.session.commit()
    push_service.down.add("a")
    made = _queued(file_app)
    now = utcnow()
    _round(file_app, now)
    first = _row(file_app, made)
    assert first.push_attempts == 1 and first.pushed_at is None
    assert first.next_push_at == now + timedelta(seconds=30)
    assert _round(file_app, now + timedelta(seconds=10)) == push.EMPTY  # not yet due
    push_service.down.clear()
    _round(file_app, now + timedelta(seconds=31))
    assert _row(file_app, made).pushed_at is not None
    assert [p["device"] for p in push_service.received] == ["a"]
    push_service.down.add("a")
    other = _queued(file_app, key="k2")
    later = now
    for _ in range(push.MAX_ROUNDS + 2):
        later += timedelta(hours=2)
        _round(file_app, min(later, now + timedelta(hours=23)))
    assert _row(file_app, other).push_attempts == push.MAX_ROUNDS


def test_two_processes_draining_at_once_push_each_notification_once(file_app, push_service):
    with file_app.app_context():
        db.session.add(_subscribed(push_service.device("d")))
        db.session.commit()
    made = [_queued(file_app, key=f"k{n}") for n in range(30)]
    import threading

    now = utcnow()
    rounds = [threading.Thread(target=_round, args=(file_app, now)) for _ in range(3)]
    for t in rounds:
        t.start()
    for t in rounds:
        t.join()
    assert len(push_service.received) == len(made)


def test_only_known_push_services_and_a_few_devices_each(app, login):
    app.config["PUSH_HOSTS"] = ("fcm.googleapis.com", "*.notify.windows.com")
    officer = login("canbo.anthanh2")
    body = assert_problem(officer.post("/api/push/subscriptions", json=subscription(
        "https://attacker.example")), 400, "request.invalid")
    assert body["errors"][0]["field"] == "endpoint"
    assert officer.post("/api/push/subscriptions", json=subscription(
        "https://db5p.notify.windows.com", "w")).status_code == 201
    for n in range(7):
        assert officer.post("/api/push/subscriptions", json=subscription(
            "https://fcm.googleapis.com", f"f{n}")).status_code == 201
    with app.app_context():
        kept = db.session.scalars(select(PushSubscription.endpoint)).all()
    assert len(kept) == app.config["PUSH_MAX_SUBSCRIPTIONS"]
    assert "https://fcm.googleapis.com/push/f6" in kept  # the newest stay
    assert "https://db5p.notify.windows.com/push/w" not in kept
