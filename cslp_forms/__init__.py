"""cslp_forms: the Sóc Trăng Women's Union Policy–Law records. `create_app` builds the
app: defaults, CSLP_* environment, test config; checks; extensions; blueprints;
problem handlers; CLI."""

from __future__ import annotations

import os
import secrets
import select
import sqlite3
from datetime import timedelta
from pathlib import Path

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import compress, db, login_manager, migrate
from .problems import JSONProvider

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    instance = os.environ.get("CSLP_INSTANCE_PATH") or str(PROJECT_DIR / "instance")
    app = Flask(__name__, instance_path=instance, static_folder=None)
    app.json = JSONProvider(app)
    app.config.from_object("cslp_forms.config")
    app.config.from_prefixed_env("CSLP")
    if test_config:
        app.config.update(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app)
    app.config["SECRET_KEY"] = secret_key(app)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=int(app.config["SESSION_DAYS"]))
    if int(app.config["PROXY_FIX"]):
        n = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from .services.base.crypto import load_keyring

    app.extensions["cslp_keyring"] = load_keyring(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_DIR / "migrations"))
    login_manager.init_app(app)
    from .compression import ShellCache, shell_cache_key

    app.config.setdefault("COMPRESS_CACHE_KEY", shell_cache_key)
    app.config.setdefault("COMPRESS_CACHE_BACKEND", ShellCache)
    compress.init_app(app)
    from . import models  # noqa: F401  (one metadata for Alembic)
    from .auth.session import SessionInterface

    app.session_interface = SessionInterface()

    from .attachments import bp as attachments_bp
    from .audit import bp as audit_bp
    from .auth import bp as auth_bp
    from .devices import bp as devices_bp
    from .forms import bp as forms_bp
    from .notifications import bp as notifications_bp
    from .openapi import bp as openapi_bp
    from .pwa import bp as pwa_bp
    from .reminders import bp as reminders_bp
    from .reports import bp as reports_bp
    from .review import bp as review_bp
    from .submissions import bp as submissions_bp
    from .sync import bp as sync_bp
    from .units import bp as units_bp
    from .users import bp as users_bp

    app.register_blueprint(auth_bp, url_prefix="/api/auth")
    app.register_blueprint(units_bp, url_prefix="/api/units")
    app.register_blueprint(users_bp, url_prefix="/api/users")
    app.register_blueprint(forms_bp, url_prefix="/api/forms")
    app.register_blueprint(sync_bp, url_prefix="/api/sync")
    app.register_blueprint(attachments_bp, url_prefix="/api/attachments")
    app.register_blueprint(review_bp, url_prefix="/api/review")
    app.register_blueprint(submissions_bp, url_prefix="/api/submissions")
    app.register_blueprint(audit_bp, url_prefix="/api/audit")
    app.register_blueprint(notifications_bp, url_prefix="/api")
    app.register_blueprint(reminders_bp, url_prefix="/api/reminders")
    app.register_blueprint(reports_bp, url_prefix="/api/reports")
    app.register_blueprint(devices_bp, url_prefix="/api/devices")
    app.register_blueprint(openapi_bp, url_prefix="/api")
    app.register_blueprint(pwa_bp, url_prefix="")

    from .problems import register_problem_handlers
    from .security import register_security_headers

    register_problem_handlers(app)
    register_security_headers(app)

    from .cli import cli

    app.cli.add_command(cli)
    return app


def database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL") or ""
    if not url:
        return f"sqlite:///{Path(app.instance_path) / 'cslp.db'}"
    # One PostgreSQL driver for every spelling of the URL: psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(app: Flask) -> str:
    """CSLP_SECRET_KEY; for the embedded default a key generated once into instance/;
    anything else without a key refuses to start."""
    if app.config.get("SECRET_KEY"):
        return app.config["SECRET_KEY"]
    if app.config.get("TESTING"):
        return secrets.token_hex(32)
    if app.config.get("DATABASE_URL"):
        raise RuntimeError(
            "CSLP_SECRET_KEY is required when CSLP_DATABASE_URL is set (production)."
        )
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        # We issue BEGIN ourselves (below): pysqlite's own transaction handling breaks
        # SAVEPOINT and would start write transactions that fail instead of waiting.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Pool, "checkout")
def _closed_by_the_server(dbapi_connection, _record, _proxy):
    """What pool_pre_ping is for, without its round trip to the server on every request:
    a PostgreSQL connection resting in the pool has nothing to read, so a socket that
    is readable (or gone) means the server closed it (restarted, pg_terminate_backend,
    an idle timeout) or said something unasked; the pool then replaces it before the
    request uses it (tests/pg/test_connections.py)."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:  # SQLite
        return
    try:
        fd = pgconn.socket
    except Exception as err:  # noqa: BLE001  (psycopg: the connection is closed)
        raise DisconnectionError("closed") from err
    poll = select.poll()
    poll.register(fd, select.POLLIN | select.POLLPRI)
    if poll.poll(0):
        raise DisconnectionError("closed by the server while in the pool")


# GET endpoints that also write (an access-log row, a first-use seed or secret).
WRITING_READS = {"submissions.get_submission", "submissions.get_history",
                 "reminders.list_rules"}


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    # A request that may write takes the write lock up front (IMMEDIATE): a transaction
    # that reads and then writes waits (busy_timeout) instead of failing when another
    # writer got there first. Reads (GET) never take it.
    if conn.dialect.name == "sqlite":
        reading = (has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
                   and request.endpoint not in WRITING_READS)
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


# psycopg forgets every statement it has prepared on each ROLLBACK (the transaction may
# have dropped what one used), and a request that only read ends with one: nothing was
# ever prepared, PostgreSQL parsed and planned every query of every request afresh
# (0.65 ms of its CPU for the session query alone). A transaction that wrote nothing
# ends with COMMIT instead, the same for the data, and the statements stay prepared.
_WROTE = "cslp_wrote"


@event.listens_for(Engine, "begin")
def _nothing_written_yet(conn):
    conn.info[_WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_a_write(conn, _cursor, statement, _parameters, _context, _executemany):
    if statement.lstrip()[:6].upper() != "SELECT":  # a WITH or a SAVEPOINT counts too
        conn.info[_WROTE] = True


@event.listens_for(Engine, "rollback")
def _commit_what_only_read(conn):
    if conn.info.get(_WROTE, True) or conn.dialect.name != "postgresql":
        return
    import psycopg
    from psycopg.pq import TransactionStatus

    raw = conn.connection.dbapi_connection
    if raw.pgconn.transaction_status == TransactionStatus.INTRANS:  # not after an error
        try:
            raw.commit()  # psycopg's rollback, which follows, then has nothing to end
        except psycopg.Error:
            pass  # the connection is gone: the rollback that follows says so
