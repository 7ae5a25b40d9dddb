"""`flask cslp backup` on SQLite: an online copy taken while the app holds the database,
restored by putting the file back, brings records, accounts, a photo and the sealed
incident back; the incident opens only with the data key, which is not in the copy."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from cslp_forms.extensions import db
from tests.api.backup_helpers import (
    DATA_KEY,
    OTHER_KEY,
    add_after_backup,
    check_restored,
    fill,
    sign_in,
)
from tests.conftest import make_app, seed


def _app(path, key=DATA_KEY):
    return make_app(DATABASE_URL=f"sqlite:///{path}", DATA_KEY=key)


@pytest.fixture
def live(tmp_path):
    app = _app(tmp_path / "live.db")
    with app.app_context():
        db.create_all()
    seed(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def _backup(app, target) -> str:
    result = app.test_cli_runner().invoke(args=["cslp", "backup", "--to", str(target)])
    assert result.exit_code == 0, result.output
    return result.output


def test_backup_then_restore_brings_records_accounts_and_incident_back(live, tmp_path):
    records = fill(live)
    backups = tmp_path / "backups"
    backups.mkdir()
    output = _backup(live, backups)
    [copy] = backups.iterdir()
    assert copy.name.startswith("cslp-") and copy.suffix == ".sqlite3"
    assert "submissions 2" in output and "users 8" in output and "data key is not" in output
    assert copy.stat().st_mode & 0o777 == 0o600
    later = add_after_backup(live)
    with live.app_context():
        db.engine.dispose()

    # Restore as DEPLOY.md says: app stopped, the file and its -wal/-shm replaced.
    live_db = tmp_path / "live.db"
    for stale in tmp_path.glob("live.db*"):
        stale.unlink()
    shutil.copyfile(copy, live_db)
    restored = _app(live_db)
    try:
        check_restored(restored, records, later)
    finally:
        with restored.app_context():
            db.engine.dispose()


def test_restored_incident_does_not_open_without_its_key(live, tmp_path):
    records = fill(live)
    _backup(live, tmp_path / "copy.sqlite3")
    keyless = _app(tmp_path / "copy.sqlite3", key=OTHER_KEY)
    try:
        reviewer = sign_in(keyless, "giamsat.culaodung")
        res = reviewer.get(f"/api/submissions/{records['incident']}")
        assert res.status_code == 500
        assert "Chồng đánh" not in res.get_data(as_text=True)
        # The record's plain fields and the accounts came back all the same.
        assert reviewer.get(f"/api/submissions/{records['activity']}").status_code == 200
    finally:
        with keyless.app_context():
            db.engine.dispose()


def test_backup_does_not_wait_for_a_writer_and_leaves_out_its_uncommitted_change(
        live, tmp_path):
    writer = sqlite3.connect(tmp_path / "live.db", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE users SET display_name = 'CHƯA LƯU' "
                       "WHERE username = 'canbo.anthanh2'")
        _backup(live, tmp_path / "copy.sqlite3")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    try:
        names = {row[0] for row in copy.execute("SELECT display_name FROM users")}
        assert "CHƯA LƯU" not in names and "canbo.anthanh2" in names
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        copy.close()


@pytest.mark.parametrize("target, message", [
    ("exists.sqlite3", "already exists"),
    ("no-such-dir/copy.sqlite3", "is not a directory"),
])
def test_backup_refuses_to_overwrite_or_guess(live, tmp_path, target, message):
    (tmp_path / "exists.sqlite3").write_bytes(b"an older backup")
    result = live.test_cli_runner().invoke(
        args=["cslp", "backup", "--to", str(tmp_path / target)])
    assert result.exit_code != 0 and message in result.output
    assert (tmp_path / "exists.sqlite3").read_bytes() == b"an older backup"
    assert not list(tmp_path.glob(".*.partial"))


def test_two_backups_at_the_same_moment_publish_one_whole_file(live, tmp_path):
    """A timer and a cron line firing together: one backup wins the name, the other is
    refused; neither truncates the other's file, and no partial file is left."""
    from datetime import UTC, datetime
    from threading import Barrier, Thread

    from cslp_forms.services.tasks.backup import BackupError, backup_database

    fill(live)
    now, start, outcomes = datetime(2026, 1, 2, 19, tzinfo=UTC), Barrier(2), []

    def run():
        with live.app_context():
            start.wait()
            try:
                outcomes.append(backup_database(tmp_path, now=now).path)
            except BackupError as err:
                outcomes.append(str(err))

    threads = [Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    [published] = [o for o in outcomes if not isinstance(o, str)]
    assert [o for o in outcomes if isinstance(o, str)] == [
        f"{published} already exists; backups are never overwritten"]
    copy = sqlite3.connect(published)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM submissions").fetchone()[0] == 2
    finally:
        copy.close()
    assert not list(tmp_path.glob(".*.partial"))
