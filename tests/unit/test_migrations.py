"""The migrations build exactly the models' schema (SQLite here; PostgreSQL in tests/pg)."""

from tests.conftest import make_app
from tests.migration_check import assert_migrations_match_models


def test_sqlite_migrations_match_models(tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}")
    assert_migrations_match_models(app)


def test_sqlite_audit_tables_are_append_only(tmp_path):
    """The access log and the account audit refuse UPDATE and DELETE (migration triggers)."""
    import pytest
    from flask_migrate import upgrade
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    from cslp_forms.extensions import db

    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}")
    with app.app_context():
        upgrade()
        db.session.execute(text(
            "INSERT INTO units (id, code, name, level, valid_from, path) "
            "VALUES (1, '94', 'Tỉnh', 'province', '2024-01-01', '/1/')"))
        db.session.execute(text(
            "INSERT INTO users (id, username, display_name, password_hash, role, unit_id, "
            "active, incident_reviewer, created_at) VALUES (1, 'a', 'A', 'x', 'admin', 1, 1, 0, "
            "'2024-01-01')"))
        db.session.execute(text("INSERT INTO account_audit (at, user_id, change) VALUES "
                                "('2024-01-01', 1, 'active')"))
        # 0014: other admin changes, with no account (the triggers survived its copy).
        db.session.execute(text("INSERT INTO account_audit (at, target, change, after) VALUES "
                                "('2024-01-01', 'rule:x', 'rule', '{\"a\": 1}')"))
        db.session.execute(text("INSERT INTO access_log (at, user_id, action, allowed) VALUES "
                                "('2024-01-01', 1, 'read', 1)"))
        db.session.commit()
        for table in ("account_audit", "access_log"):
            for statement in (f"UPDATE {table} SET at = '2025-01-01'", f"DELETE FROM {table}"):
                with pytest.raises(DatabaseError, match="append-only"):
                    db.session.execute(text(statement))
                db.session.rollback()
