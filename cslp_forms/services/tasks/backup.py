"""Backups of the database: SQLite through its online backup API (a consistent copy while
the app keeps writing), PostgreSQL through `pg_dump --format=custom`. Restores use the
databases' own tools (docs/DEPLOY.md). The data keys are never in a backup."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from ...extensions import db

# Tables whose row counts a backup reports (what an operator checks after a restore).
COUNTED = ("units", "users", "submissions", "submission_revisions", "attachments")


class BackupError(RuntimeError):
    """The backup could not be made; the message says why and never holds a password."""


@dataclass
class Backup:
    path: Path
    engine: str
    size: int
    counts: dict[str, int] = field(default_factory=dict)


def backup_database(target: Path, *, now: datetime, pg_dump: str = "pg_dump") -> Backup:
    """Back the app's database up to `target` (a file, or an existing directory to put a
    time-stamped file in). The file appears under its name only once it is complete."""
    engine = db.engine
    suffix = {"sqlite": "sqlite3", "postgresql": "pgdump"}.get(engine.dialect.name)
    if suffix is None:
        raise BackupError(f"cannot back up a {engine.dialect.name} database")
    if target.is_dir():
        target = target / f"cslp-{now:%Y%m%dT%H%M%SZ}.{suffix}"
    if target.exists():
        raise BackupError(f"{target} already exists; backups are never overwritten")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    try:
        # A partial file of this run's own (two runs at once never share one), owner-only:
        # backups hold personal data (names, phone numbers, plain incident fields).
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                    suffix=".partial")
        os.close(fd)
        partial = Path(name)
        try:
            counts = _sqlite_backup(partial) if suffix == "sqlite3" \
                else _pg_dump(partial, pg_dump)
            with open(partial, "rb") as done:
                os.fsync(done.fileno())
            # Published under its name only when complete, and never over another file.
            os.link(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    except FileExistsError:
        raise BackupError(f"{target} already exists; backups are never overwritten") from None
    except (OSError, subprocess.SubprocessError) as err:
        raise BackupError(f"the backup could not be written: {err}") from None
    return Backup(path=target, engine=engine.dialect.name, size=target.stat().st_size,
                  counts=counts)


def _count(connection) -> dict[str, int]:
    return {name: connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in COUNTED}


def _sqlite_backup(dest: Path) -> dict[str, int]:
    raw = db.engine.raw_connection()
    try:
        source = raw.driver_connection
        target = sqlite3.connect(dest)
        try:
            # One step (pages=-1): the copy is read in a single read transaction, so it is
            # consistent; in WAL mode the app's writers are not blocked meanwhile.
            source.backup(target)
            # A self-contained file: no -wal beside it is needed to open the copy.
            target.execute("PRAGMA journal_mode=DELETE")
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"the copy failed its integrity check: {check}")
            return _count(target)
        finally:
            target.close()
    finally:
        raw.close()


def _major(version_text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not found:
        raise BackupError(f"cannot read a version from {version_text!r}")
    return int(found.group(1))


def _pg_dump(dest: Path, pg_dump: str) -> dict[str, int]:
    binary = shutil.which(pg_dump)
    if binary is None:
        raise BackupError(f"{pg_dump} not found (Debian: apt-get install postgresql-client; "
                          "or set CSLP_PG_DUMP to its path)")
    client = _major(subprocess.run([binary, "--version"], capture_output=True, text=True,
                                   check=True).stdout)
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        # Through the environment, not the command line (which `ps` shows to everyone).
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None) \
        .render_as_string(hide_password=False)
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        server = int(conn.execute(text("SHOW server_version_num")).scalar()) // 10000
        if client < server:
            raise BackupError(f"{binary} is version {client} but the server is {server}: "
                              f"install postgresql-client-{server} and set CSLP_PG_DUMP to "
                              f"/usr/lib/postgresql/{server}/bin/pg_dump")
        # The counts and the dump see the same snapshot: what is counted is what is in it.
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
        counts = {name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar()
                  for name in COUNTED}
        done = subprocess.run([binary, "--format=custom", "--no-password", f"--file={dest}",
                               f"--snapshot={snapshot}", f"--dbname={conninfo}"],
                              env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return counts
