"""Two app servers on one PostgreSQL (issue 19, item 6): DEPLOY.md says the app servers
keep no state of their own; this shows it.

Two gunicorns (2 workers each) share one PostgreSQL database, one secret key, one data
key and one instance directory (the VAPID key), as two machines would. A session made
through one is valid on the other. Then simulated phones send through a round-robin
proxy in front of both (with the chaos test's faulty network), one server is killed
with SIGKILL a third of the way through and started again at two thirds, and at the end
every record is stored exactly once with what the phone sent. Last, `send-reminders`
runs on both at once: every reminder is stored once and pushed once."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import select

from cslp_forms.extensions import db
from cslp_forms.models import Notification, PushSubscription, User
from tests.chaos.proxy import ChaosProxy
from tests.chaos.test_chaos import (
    DATA_KEY,
    ROOT,
    RUN_LIMIT,
    Device,
    Gunicorn,
    _assert_stored_exactly_once,
)
from tests.conftest import PASSWORD, make_app, seed
from tests.fake_push import FakePushService

pytestmark = [pytest.mark.chaos, pytest.mark.pg]
DEVICES = 12
RECORDS = 60
SECRET = "two-servers-secret"
REMINDER_DAY = "2024-11-23T02:00:00"  # 7 days before the end of November


@pytest.fixture
def shared(request, tmp_path):
    """(app, database URL, instance directory) of a fresh migrated PostgreSQL database."""
    url = request.getfixturevalue("pg_database_factory")()
    instance = tmp_path / "instance"
    instance.mkdir()
    app = make_app(DATABASE_URL=url, DATA_KEY=DATA_KEY, SECRET_KEY=SECRET)
    with app.app_context():
        upgrade()
    seed(app)
    yield app, url, instance
    with app.app_context():
        db.engine.dispose()


def _server(url, tmp_path, name, instance) -> Gunicorn:
    (tmp_path / name).mkdir()
    server = Gunicorn(url, tmp_path / name)
    server.env.update({"CSLP_SECRET_KEY": SECRET, "CSLP_INSTANCE_PATH": str(instance),
                       "CSLP_PUSH_HOSTS": '["127.0.0.1"]'})
    return server


def test_two_servers_one_database(shared, tmp_path):
    app, url, instance = shared
    one, two = _server(url, tmp_path, "one", instance), _server(url, tmp_path, "two", instance)
    one.start()
    two.start()
    try:
        _a_session_from_one_works_on_the_other(one, two)
        sent, report = _phones_through_both_with_one_killed(one, two)
        _assert_stored_exactly_once(app, sent)
        assert not [s for srv in (one, two) for s in srv.statuses() if s.startswith("5")], report
        for srv in (one, two):
            assert "unhandled error" not in srv.log() and "deadlock detected" not in srv.log()
        _reminders_on_both_at_once(app, one, two)
    finally:
        one.stop()
        two.stop()


def _a_session_from_one_works_on_the_other(one: Gunicorn, two: Gunicorn) -> None:
    http = requests.Session()
    res = http.post(f"http://127.0.0.1:{one.port}/api/auth/login", timeout=10,
                    json={"username": "canbo.anthanh2", "password": PASSWORD})
    assert res.status_code == 200, res.text
    csrf = res.json()["csrf_token"]
    me = http.get(f"http://127.0.0.1:{two.port}/api/auth/me", timeout=10)
    assert me.status_code == 200 and me.json()["username"] == "canbo.anthanh2"
    write = http.post(f"http://127.0.0.1:{two.port}/api/devices/health", timeout=10,
                      headers={"X-CSRF-Token": csrf}, json={"device_id": "two-servers-1"})
    assert write.status_code == 200, write.text
    out = http.post(f"http://127.0.0.1:{two.port}/api/auth/logout", timeout=10,
                    headers={"X-CSRF-Token": csrf})
    assert out.status_code in (200, 204)
    assert http.get(f"http://127.0.0.1:{one.port}/api/auth/me", timeout=10).status_code == 401


def _phones_through_both_with_one_killed(one: Gunicorn, two: Gunicorn):
    proxy = ChaosProxy([one.port, two.port], seed=20241109).start()
    devices = [Device(n, f"http://127.0.0.1:{proxy.port}", records=RECORDS)
               for n in range(DEVICES)]
    total = sum(len(d.versions) for d in devices)
    deadline, stop = time.monotonic() + RUN_LIMIT, threading.Event()
    threads = [threading.Thread(target=d.run, args=(deadline, stop)) for d in devices]
    pending_at = []
    try:
        for t in threads:
            t.start()
        for share, step in ((1 / 3, one.kill), (2 / 3, one.start)):
            while (total - sum(len(d.pending) for d in devices) < share * total
                   and time.monotonic() < deadline):
                time.sleep(0.05)
            pending_at.append(sum(len(d.pending) for d in devices))
            step()
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()) + 10)
    finally:
        stop.set()
        for t in threads:
            t.join(10)
        proxy.stop()
    stats = sum((d.stats for d in devices), Counter())
    report = (f"{total} records; proxy {dict(proxy.counts)}; pending at kill/restart "
              f"{pending_at}; phones {dict(stats)}; server one {dict(one.statuses())}, "
              f"two {dict(two.statuses())}")
    print(report)
    assert sum(len(d.pending) for d in devices) == 0, report
    assert [r for d in devices for r in d.wrong] == [], report
    accepted = sum((d.accepted for d in devices), Counter())
    assert [k for k, n in accepted.items() if n > 1] == [], "a version was accepted twice"
    # Both served, one was down for a while, and the network misbehaved.
    assert min(pending_at) > 0 and proxy.counts["upstream_down"] >= 1, report
    assert sum(one.statuses().values()) > 10 and sum(two.statuses().values()) > 10, report
    assert stats["duplicate"] >= 5 and proxy.counts["cut_after_200"] >= 2, report
    return {u: (d.username, v) for d in devices for u, v in d.versions.items()}, report


def _reminders_on_both_at_once(app, one: Gunicorn, two: Gunicorn) -> None:
    service = FakePushService()
    try:
        with app.app_context():
            service.server_key = _vapid_public_key(one)
            officers = db.session.execute(select(User.id, User.username).where(
                User.role == "officer")).all()
            for user_id, username in officers:
                sub = service.device(username).subscription
                db.session.add(PushSubscription(user_id=user_id, endpoint=sub["endpoint"],
                                                p256dh=sub["keys"]["p256dh"],
                                                auth=sub["keys"]["auth"]))
            db.session.commit()
        runs = [subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "cslp", "send-reminders",
             "--now", REMINDER_DAY], cwd=ROOT, env=srv.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True) for srv in (one, two)]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], "\n".join(outputs)
        made = sum(int(re.search(r"(\d+) lời nhắc mới", out).group(1)) for out in outputs)
        with app.app_context():
            rows = db.session.scalars(select(Notification).where(
                Notification.user_id.in_([u for u, _ in officers]))).all()
        assert made == len(rows) > 0, outputs
        received = service.wait(len(rows), seconds=30)
        pushed = Counter(r["device"] for r in received)  # each checked as it came
        names = dict(officers)
        assert pushed == Counter(names[r.user_id] for r in rows), (outputs, pushed)
    finally:
        service.close()


def _vapid_public_key(server: Gunicorn) -> str:
    res = requests.get(f"http://127.0.0.1:{server.port}/api/push/vapid-public-key", timeout=10)
    return res.json()["public_key"]

