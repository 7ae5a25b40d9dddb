"""On PostgreSQL: nothing readable in a dump; the access log and the account audit are
append-only."""

import subprocess

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from cslp_forms.extensions import db
from tests.api.sync_helpers import item
from tests.api.test_privacy import MARKER, incident
from tests.api.test_sync import sync

pytestmark = pytest.mark.pg


def test_marker_is_not_in_a_pg_dump(app, login, pg_url):
    officer = login("canbo.anthanh2")
    it = item(incident(), form="incident")
    assert sync(officer, it)[0]["status"] == "accepted"
    login("giamsat.culaodung").get(f"/api/submissions/{it['uuid']}")
    login("giamsat.culaodung").post(f"/api/review/{it['uuid']}/decisions", json={
        "decision": "return", "revision": 1, "comment": f"Ý kiến {MARKER}"})
    url = make_url(pg_url)
    dump = subprocess.run(
        ["pg_dump", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
         "-U", url.username or "postgres", "--data-only", url.database],
        capture_output=True, check=True).stdout
    assert it["uuid"].encode() in dump  # the record is there…
    assert MARKER.encode() not in dump and "Chồng đánh".encode() not in dump  # …sealed


def test_access_log_refuses_update_and_delete(app, login):
    officer = login("canbo.anthanh2")
    it = item(incident(), form="incident")
    sync(officer, it)
    with app.app_context():
        for statement in ("UPDATE access_log SET allowed = false", "DELETE FROM access_log"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()


def test_account_audit_refuses_update_and_delete(app, login):
    assert login("admin.tinh").patch("/api/users/canbo.anthanh2",
                                     json={"active": False}).status_code == 200
    with app.app_context():
        for statement in ("UPDATE account_audit SET after = 'x'", "DELETE FROM account_audit"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
