"""Exactly-once on PostgreSQL: threads in one process, and two gunicorn workers."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cslp_forms.extensions import db
from cslp_forms.models import Submission
from tests.api.concurrency import replay_concurrently
from tests.api.sync_helpers import item
from tests.conftest import PASSWORD

pytestmark = pytest.mark.pg
ROOT = Path(__file__).resolve().parents[2]


def test_replayed_batch_from_four_threads_is_stored_once(app, login):
    replay_concurrently(app, login)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Phone:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(
            CookieJar()))
        self.csrf = ""

    def post(self, path, body):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              "X-CSRF-Token": self.csrf}, method="POST")
        with self.opener.open(req, timeout=30) as res:
            return json.loads(res.read())


@pytest.fixture
def gunicorn(app, pg_url, tmp_path):
    port = _free_port()
    env = {**os.environ, "CSLP_DATABASE_URL": pg_url, "CSLP_SECRET_KEY": "test-secret",
           "CSLP_DATA_KEY": "kpg=" + "A" * 43 + "=",
           "CSLP_INSTANCE_PATH": str(tmp_path)}
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115  (closed below)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--bind",
         f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/api/forms", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        pytest.fail((tmp_path / "gunicorn.log").read_text())
    yield base
    proc.terminate()
    proc.wait(10)
    log.close()


def test_two_gunicorn_workers_store_each_record_once(app, gunicorn):
    batch = [item() for _ in range(30)]
    phones = []
    for _ in range(6):
        phone = Phone(gunicorn)
        phone.csrf = phone.post("/api/auth/login", {"username": "canbo.anthanh2",
                                                    "password": PASSWORD})["csrf_token"]
        phones.append(phone)
    statuses, errors = [], []
    barrier = threading.Barrier(len(phones))

    def run(phone):
        barrier.wait()
        for _ in range(3):
            try:
                results = phone.post("/api/sync", {"items": batch})["results"]
                statuses.extend((r["uuid"], r["status"]) for r in results)
            except Exception as err:  # noqa: BLE001  (collected and asserted below)
                errors.append(repr(err))

    threads = [threading.Thread(target=run, args=(p,)) for p in phones]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    accepted = Counter(u for u, s in statuses if s == "accepted")
    assert len(accepted) == 30 and set(accepted.values()) == {1}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == 30


def test_parallel_wrong_passwords_stop_at_the_limit(app):
    """Guesses at one account queue on a lock, so exactly 10 are checked."""
    clients = [app.test_client() for _ in range(24)]
    codes = []
    barrier = threading.Barrier(len(clients))

    def guess(client):
        barrier.wait()
        codes.append(client.post("/api/auth/login", json={
            "username": "canbo.anthanh2", "password": "sai-mat-khau"}).status_code)

    threads = [threading.Thread(target=guess, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(codes) == [401] * 10 + [429] * 14


def test_two_reminder_runs_at_once_send_each_reminder_once(app):
    from tests.api.test_deadlines import run_twice_at_once

    run_twice_at_once(app)


def test_batches_crossing_rollup_rows_never_deadlock(app, login, caplog):
    """Two phones send activities of the same two kinds (two rollup rows), one in the
    opposite UUID order to the other. Rollup rows are locked in key order after the
    records, so neither transaction waits on the other in a circle; before, a deadlock
    (retried, and after four a 503) came up in most rounds."""
    import uuid as uuid_lib

    from tests.api.report_fixture import act

    sessions = [login("canbo.anthanh2"), login("canbo.anthanh2")]
    statuses, barrier = [], threading.Barrier(2)

    def run(session, kinds):
        barrier.wait()
        res = session.post("/api/sync", json={"items": [
            item(act("2024-11-09", kind, 10), uuid=str(u)) for u, kind in kinds]})
        statuses.append(res.status_code)

    for _ in range(6):
        uuids = sorted(uuid_lib.uuid4() for _ in range(40))
        first = [(u, ("pbgdpl", "tap_huan")[i % 2]) for i, u in enumerate(uuids[:20])]
        second = [(u, ("tap_huan", "pbgdpl")[i % 2]) for i, u in enumerate(uuids[20:])]
        threads = [threading.Thread(target=run, args=(s, k))
                   for s, k in zip(sessions, (first, second), strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert statuses == [200] * 12
    assert "deadlock" not in caplog.text


def test_bulk_approvals_crossing_rollup_rows_never_deadlock(app, login, caplog):
    """Two supervisors of one district approve, at the same moment, activities of the same
    two kinds, each list ordered against the other. Decisions lock the records in UUID
    order and the rollup rows in key order, as a sync batch does: no circle, no 503."""
    import uuid as uuid_lib

    from sqlalchemy import select as select_

    from cslp_forms.models import ReportRollup
    from tests.api.report_fixture import act

    officer = login("canbo.anthanh2")
    reviewers = [login("giamsat.culaodung"), login("phogiamsat.culaodung")]
    statuses, outcomes, barrier = [], [], threading.Barrier(2)

    def run(session, items):
        barrier.wait()
        res = session.post("/api/review/decisions", json={"decision": "approve",
                                                          "items": items})
        statuses.append(res.status_code)
        outcomes.extend(r["ok"] for r in res.get_json()["results"])

    for _ in range(4):
        uuids = sorted(uuid_lib.uuid4() for _ in range(40))
        kinds = [("pbgdpl", "tap_huan")[i % 2] if i < 20 else ("tap_huan", "pbgdpl")[i % 2]
                 for i in range(40)]
        res = officer.post("/api/sync", json={"items": [
            item(act("2024-11-09", kind, 10), uuid=str(u)) for u, kind in zip(uuids, kinds,
                                                                               strict=True)]})
        assert res.status_code == 200
        lists = [[{"uuid": str(u), "revision": 1} for u in part]
                 for part in (uuids[:20], uuids[20:])]
        threads = [threading.Thread(target=run, args=pair)
                   for pair in zip(reviewers, lists, strict=True)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert statuses == [200] * 8 and all(outcomes) and len(outcomes) == 160
    assert "deadlock" not in caplog.text
    with app.app_context():
        rows = {(r.kind, r.status): r.n for r in db.session.scalars(select_(ReportRollup))}
    assert rows == {("pbgdpl", "approved"): 80, ("tap_huan", "approved"): 80,
                    ("pbgdpl", "submitted"): 0, ("tap_huan", "submitted"): 0}
