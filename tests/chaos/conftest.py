"""The PostgreSQL fixtures of tests/pg (a database of our own per run on the local
server; missing server: skip locally, fail under CI=true)."""

from tests.pg.conftest import pg_database_factory, pg_server  # noqa: F401
