"""Pooled connections the server has closed: the app runs without pool_pre_ping (a
round trip before every request), so a connection PostgreSQL ended while it rested in
the pool must be found at checkout and replaced (cslp_forms._closed_by_the_server):
the next request gets its right answer, never a 500. And how a transaction ends: one
that wrote nothing with COMMIT, so that psycopg keeps its prepared statements (it drops
them on every ROLLBACK); one that wrote, and was not committed, with ROLLBACK."""

import time

import psycopg
import pytest
from sqlalchemy import insert, make_url, select, text

from cslp_forms.extensions import db
from cslp_forms.models import Counter
from tests.api.sync_helpers import item

pytestmark = pytest.mark.pg


def _end_backends(app) -> int:
    """pg_terminate_backend for every connection of the app's database but this one;
    returns how many there were, once they are gone."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = url.database
    libpq = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as conn:
        ended = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchone()[0]
        deadline = time.monotonic() + 10
        while conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                           (name,)).fetchone()[0]:
            assert time.monotonic() < deadline, "the backends did not end"
            time.sleep(0.05)
    return ended


def _sync(officer, *items):
    res = officer.post("/api/sync", json={"items": list(items)})
    assert res.status_code == 200, res.get_data(as_text=True)
    return [r["status"] for r in res.get_json()["results"]]


def test_the_next_requests_after_the_server_ended_every_pooled_connection(app, login):
    assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    officer = login("canbo.anthanh2")
    first = item()
    assert _sync(officer, first) == ["accepted"]
    # Three connections resting in the pool, as after requests in three threads.
    with app.app_context():
        held = [db.engine.connect() for _ in range(3)]
        for conn in held:
            conn.exec_driver_sql("SELECT 1")
        for conn in held:
            conn.close()
    assert _end_backends(app) >= 3
    # Each of the next requests is handed one of the ended connections first.
    assert _sync(officer, item()) == ["accepted"]
    assert _sync(officer, first) == ["duplicate"]
    res = officer.get("/api/sync/changes?cursor=0")
    assert res.status_code == 200, res.get_data(as_text=True)
    assert len(res.get_json()["changes"]) == 2
    assert officer.get("/api/auth/me").status_code == 200
    assert _sync(officer, item()) == ["accepted"]


def test_a_connection_ended_between_two_requests_of_one_officer(app, login):
    officer = login("canbo.anthanh2")
    for _ in range(3):
        assert _end_backends(app) >= 1
        assert _sync(officer, item()) == ["accepted"]


def _prepared(app) -> list[str]:
    """The statements prepared on the pooled connection (one test client: one thread,
    one connection)."""
    with app.app_context():
        return list(db.session.scalars(text("SELECT statement FROM pg_prepared_statements")))


def test_requests_that_only_read_keep_their_statements_prepared(app, login):
    officer = login("canbo.anthanh2")
    assert _sync(officer, item()) == ["accepted"]
    for _ in range(8):  # psycopg prepares a statement from its sixth execution on
        assert officer.get("/api/auth/me").status_code == 200
        assert officer.get("/api/sync/changes?cursor=0").status_code == 200
    prepared = _prepared(app)
    assert any("FROM users" in s and "auth_sessions" in s for s in prepared), prepared
    assert any("submissions.change_seq >" in s for s in prepared), prepared


def test_a_transaction_that_wrote_and_was_not_committed_is_rolled_back(app):
    with app.app_context():
        db.session.scalar(select(Counter.value).where(Counter.name == "changes"))
        db.session.execute(insert(Counter).values(name="core-write", value=1))
        db.session.rollback()
        db.session.add(Counter(name="flushed", value=2))
        db.session.flush()
        db.session.remove()  # as at the end of a request
        # A failed statement, then the rollback: the connection is usable after it.
        with pytest.raises(Exception, match="does_not_exist"):
            db.session.execute(text("SELECT * FROM does_not_exist"))
        db.session.rollback()
        names = set(db.session.scalars(select(Counter.name)))
    assert not names & {"core-write", "flushed"}
