"""`flask cslp backup` on PostgreSQL: pg_dump's custom format, restored with pg_restore
into a fresh database, brings records, accounts, a photo and the sealed incident back
(readable with the data key), and the access log stays append-only after the restore."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from cslp_forms.extensions import db
from tests.api.backup_helpers import DATA_KEY, add_after_backup, check_restored, fill
from tests.conftest import make_app, missing, seed

pytestmark = pytest.mark.pg


@pytest.fixture
def tools():
    found = {name: shutil.which(name) for name in ("pg_dump", "pg_restore")}
    for name, path in found.items():
        if path is None:
            missing(f"{name} is not installed (Debian: postgresql-client)")
    return found


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_pg_dump_then_pg_restore_into_a_fresh_database(pg_database_factory, tools,
                                                        tmp_path):
    from flask_migrate import upgrade

    live = make_app(DATABASE_URL=pg_database_factory(), DATA_KEY=DATA_KEY)
    with live.app_context():
        upgrade()
    seed(live)
    records = fill(live)
    result = live.test_cli_runner().invoke(args=["cslp", "backup", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "postgresql" in result.output and "submissions 2" in result.output
    [dump] = tmp_path.glob("cslp-*.pgdump")
    assert dump.read_bytes().startswith(b"PGDMP")  # the custom format pg_restore reads
    later = add_after_backup(live)
    with live.app_context():
        db.engine.dispose()

    fresh = pg_database_factory()
    subprocess.run([tools["pg_restore"], "--no-owner", "--exit-on-error",
                    "--single-transaction", f"--dbname={_libpq(fresh)}", str(dump)],
                   check=True, capture_output=True)
    restored = make_app(DATABASE_URL=fresh, DATA_KEY=DATA_KEY)
    try:
        check_restored(restored, records, later)
        with restored.app_context():
            # The migrations' version and the append-only trigger came back too.
            assert db.session.scalar(text("SELECT version_num FROM alembic_version"))
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text("DELETE FROM access_log"))
            db.session.rollback()
    finally:
        with restored.app_context():
            db.engine.dispose()


def test_backup_refuses_a_pg_dump_older_than_the_server(pg_database_factory, tools,
                                                        tmp_path):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    app = make_app(DATABASE_URL=pg_database_factory(), DATA_KEY=DATA_KEY, PG_DUMP=str(fake))
    with app.app_context():
        db.create_all()
    try:
        result = app.test_cli_runner().invoke(
            args=["cslp", "backup", "--to", str(tmp_path / "x.pgdump")])
        assert result.exit_code != 0
        assert "version 9 but the server is" in result.output, result.output
        assert not (tmp_path / "x.pgdump").exists()
    finally:
        with app.app_context():
            db.engine.dispose()
