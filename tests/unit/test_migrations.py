"""The migrations build exactly the models' schema (SQLite here; PostgreSQL in tests/pg)."""

from tests.conftest import make_app
from tests.migration_check import assert_migrations_match_models


def test_sqlite_migrations_match_models(tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}")
    assert_migrations_match_models(app)
