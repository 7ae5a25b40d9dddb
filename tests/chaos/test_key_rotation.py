"""Key rotation while gunicorn serves (issue 14, item 10).

gunicorn (2 workers x 4 threads) on a database of its own, with the embedded file ring
(instance/data_keys.json), answers two officers filing and editing incidents and a
supervisor reading them the whole time. Meanwhile `flask cslp rotate-key` runs in
another process, then `flask cslp remove-key` takes the old key out, then gunicorn is
restarted (new workers know only the new key). Not one answer may be an error, every
record must open with the answers last acknowledged, and once rotate-key has finished
nothing new may be sealed under the old key: the workers follow the key file."""

from __future__ import annotations

import base64
import json
import os
import random
import threading
import time
import uuid as uuid_lib

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import select

from cslp_forms.extensions import db
from cslp_forms.models import ReviewDecision, Submission, SubmissionRevision
from cslp_forms.services.base.crypto import keyring
from tests.api.sync_helpers import item
from tests.api.test_privacy import incident
from tests.chaos.test_chaos import Gunicorn
from tests.conftest import PASSWORD, make_app, seed

pytestmark = pytest.mark.live
OLD = "kold"
LOAD_SECONDS = 1.5  # of traffic before, between and after the key steps


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def live(request, tmp_path, monkeypatch):
    """(app, database URL) of a fresh migrated, seeded database whose only data
    key is OLD in tmp_path/data_keys.json."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'live.db'}"
    else:
        url = request.getfixturevalue("pg_database_factory")()
    key = base64.b64encode(os.urandom(32)).decode()
    (tmp_path / "data_keys.json").write_text(json.dumps({"keys": f"{OLD}={key}"}))
    os.chmod(tmp_path / "data_keys.json", 0o600)
    monkeypatch.setenv("CSLP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("CSLP_DATA_KEY", raising=False)
    app = make_app(DATABASE_URL=url, SECRET_KEY="live-secret")
    with app.app_context():
        upgrade()
    seed(app)
    yield app, url
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Traffic:
    """Officers filing and editing incidents, a supervisor reading them; every answer
    that is not what it should be is kept in `errors`."""

    def __init__(self, base: str):
        self.base = base
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked: dict[str, tuple[int, str]] = {}  # uuid -> (revision, summary)
        self.first_acked: dict[str, float] = {}
        self.errors: list[str] = []
        self.counts = {"writes": 0, "reads": 0}
        self.threads = [threading.Thread(target=self._officer, args=(n,)) for n in range(2)]
        self.threads.append(threading.Thread(target=self._reader))

    def _session(self, username: str) -> requests.Session:
        s = requests.Session()
        res = s.post(f"{self.base}/api/auth/login",
                     json={"username": username, "password": PASSWORD}, timeout=30)
        res.raise_for_status()
        s.headers["X-CSRF-Token"] = res.json()["csrf_token"]
        return s

    def _error(self, what: str, res: requests.Response) -> None:
        with self.lock:
            self.errors.append(f"{what}: {res.status_code} {res.text[:300]}")

    def _officer(self, n: int) -> None:
        s, rng, mine = self._session("canbo.anthanh2"), random.Random(n), []
        while not self.stop.is_set():
            if mine and rng.random() < 0.4:
                uuid, revision = rng.choice(mine)
                it = item(incident(summary=f"sửa {uuid_lib.uuid4()}"), form="incident",
                          uuid=uuid, base_revision=revision)
            else:
                it = item(incident(summary=f"mới {uuid_lib.uuid4()}"), form="incident")
            res = s.post(f"{self.base}/api/sync", json={"items": [it]}, timeout=30)
            result = res.json()["results"][0] if res.status_code == 200 else {}
            if result.get("status") != "accepted":
                self._error(f"sync {it['uuid']}", res)
                continue
            time.sleep(0.05)  # a busy office, not a flood: a few hundred records in all
            mine = [m for m in mine if m[0] != it["uuid"]] + [(it["uuid"], result["revision"])]
            with self.lock:
                self.acked[it["uuid"]] = (result["revision"], it["answers"]["summary"])
                self.first_acked.setdefault(it["uuid"], time.monotonic())
                self.counts["writes"] += 1

    def _reader(self) -> None:
        s, rng = self._session("giamsat.culaodung"), random.Random(7)
        while not self.stop.is_set():
            with self.lock:
                known = list(self.acked)
            if not known:
                time.sleep(0.05)
                continue
            uuid = rng.choice(known)
            res = s.get(f"{self.base}/api/submissions/{uuid}", timeout=30)
            if res.status_code != 200 or "summary" not in res.json().get("answers", {}):
                self._error(f"read {uuid}", res)
            with self.lock:
                self.counts["reads"] += 1

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(60)


def _cslp(url: str, *args: str) -> str:
    """`flask cslp ...` in this process: another process than gunicorn's workers, started
    after them, as an operator's command would be."""
    app = make_app(DATABASE_URL=url, SECRET_KEY="live-secret")
    done = app.test_cli_runner().invoke(args=["cslp", *args])
    with app.app_context():
        db.engine.dispose()
    assert done.exit_code == 0, done.output
    return done.output


def _key_ids(app) -> set[str]:
    with app.app_context():
        return {kid for model in (Submission, SubmissionRevision, ReviewDecision)
                for kid in db.session.scalars(select(model.key_id).where(
                    model.key_id.is_not(None)))}


def test_rotation_and_removal_of_the_old_key_while_serving_lose_nothing(live, tmp_path):
    app, url = live
    server = Gunicorn(url, tmp_path)
    server.env = {**server.env, "CSLP_SECRET_KEY": "live-secret"}
    server.env.pop("CSLP_DATA_KEY")
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        with Traffic(base) as traffic:
            time.sleep(LOAD_SECONDS)
            rotated = _cslp(url, "rotate-key", "--batch", "20")
            after_rotation = time.monotonic()
            new = json.loads((tmp_path / "data_keys.json").read_text())["keys"].split("=")[0]
            time.sleep(LOAD_SECONDS)
            # Written after rotate-key finished, by workers that started under OLD.
            assert _key_ids(app) == {new}, rotated
            _cslp(url, "remove-key", OLD)
            time.sleep(LOAD_SECONDS)
        assert traffic.errors == [], traffic.errors[:5]
        assert any(t > after_rotation for t in traffic.first_acked.values())
        assert traffic.counts["writes"] > 10 and traffic.counts["reads"] > 10, traffic.counts
        assert OLD not in (tmp_path / "data_keys.json").read_text()
    finally:
        server.stop()
    assert server.statuses().keys() <= {"200"}, server.statuses()
    # An app started now (as a worker would be) knows only the new key: all opens.
    fresh = make_app(DATABASE_URL=url, SECRET_KEY="live-secret")
    with fresh.app_context():
        assert set(keyring().keys) == {new}
    reader = fresh.test_client()
    assert reader.post("/api/auth/login", json={
        "username": "giamsat.culaodung", "password": PASSWORD}).status_code == 200
    for uuid, (revision, summary) in traffic.acked.items():
        res = reader.get(f"/api/submissions/{uuid}")
        assert res.status_code == 200, res.get_data(as_text=True)
        assert (res.json["revision"], res.json["answers"]["summary"]) == (revision, summary)
    with fresh.app_context():
        assert _key_ids(fresh) == {new}
        db.engine.dispose()
