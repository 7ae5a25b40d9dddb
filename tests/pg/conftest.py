"""PostgreSQL fixtures: a database of our own on the server at CSLP_TEST_DATABASE_URL
(default: the local server, trust auth), built by the migrations, emptied after each
test. Unreachable server: skip locally, fail under CI=true."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from sqlalchemy import make_url, text

from cslp_forms.extensions import db
from cslp_forms.services.base.push import stop_courier
from tests.conftest import make_app, missing, seed

SERVER_URL = os.environ.get("CSLP_TEST_DATABASE_URL",
                            "postgresql://postgres@127.0.0.1:5432/postgres")


def _libpq(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server():
    url = make_url(SERVER_URL)
    try:
        psycopg.connect(_libpq(url), connect_timeout=5).close()
    except psycopg.OperationalError as err:
        missing(f"PostgreSQL is not reachable at {url.render_as_string()}: {err}")
    return url


@pytest.fixture(scope="session")
def pg_database_factory(pg_server):
    created = []

    def create() -> str:
        name = f"cslp_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_libpq(pg_server), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return pg_server.set(drivername="postgresql+psycopg", database=name) \
            .render_as_string(hide_password=False)

    yield create
    with psycopg.connect(_libpq(pg_server), autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_url(pg_database_factory):
    """One database for the session, built by `flask db upgrade` (not create_all)."""
    from flask_migrate import upgrade

    url = pg_database_factory()
    app = make_app(DATABASE_URL=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def app(pg_url):
    app = make_app(DATABASE_URL=pg_url)
    seed(app)
    yield app
    # Its push courier first: a round still running holds a connection that the engine's
    # dispose() below would orphan (psycopg then warns "connection deleted while still
    # open" when it is collected, an error in a later test), and would wait on TRUNCATE.
    stop_courier(app)
    with app.app_context():
        db.session.remove()
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            # TRUNCATE does not fire the access log's row triggers (append-only for the app).
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()
