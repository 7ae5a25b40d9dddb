"""The schema on PostgreSQL: migrations match the models; the subtree index."""

import pytest
from sqlalchemy import text

from cslp_forms.extensions import db
from tests.conftest import make_app
from tests.migration_check import assert_migrations_match_models

pytestmark = pytest.mark.pg


def test_postgres_migrations_match_models(pg_database_factory):
    app = make_app(DATABASE_URL=pg_database_factory())
    assert_migrations_match_models(app)
    with app.app_context():
        db.engine.dispose()


def test_unit_path_index_serves_prefix_queries(app):
    with app.app_context():
        indexdef = db.session.scalar(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_units_path'"))
        assert "text_pattern_ops" in indexdef


def test_unit_code_is_unique_per_validity_start(app):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(text(
                "INSERT INTO units (code, name, level, path, valid_from) "
                "VALUES ('945', 'X', 'district', '/x/', '2024-01-01')"))
        db.session.rollback()


def test_jsonb_refuses_nul_and_lone_surrogates_but_not_other_controls(app):
    """Why problems.BAD_TEXT refuses at input: PostgreSQL itself refuses NUL and a lone
    surrogate in jsonb, but stores the other characters XML cannot hold (U+000B, U+FFFE),
    which would then reach an export."""
    from sqlalchemy.exc import DataError

    with app.app_context():
        for bad in (r'"\u0000"', r'"\ud800"'):
            with pytest.raises(DataError):
                db.session.execute(text("SELECT CAST(:v AS jsonb)"), {"v": bad})
            db.session.rollback()
        for kept in (r'"\u000b"', r'"\ufffe"', r'"\u001f"'):
            assert db.session.scalar(text("SELECT CAST(:v AS jsonb) #>> '{}'"),
                                     {"v": kept}) == kept[1:-1].encode().decode(
                                         "unicode_escape")
