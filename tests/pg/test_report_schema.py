"""Report facts on PostgreSQL: the covering index the province's dashboard reads."""

import pytest
from sqlalchemy import text

from cslp_forms.extensions import db

pytestmark = pytest.mark.pg


def test_form_date_index_covers_the_activity_figures(app):
    with app.app_context():
        indexdef = db.session.scalar(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_report_facts_form_date'"))
        assert "(form, record_date) INCLUDE (status, unit_id, kind" in indexdef


from tests.unit.test_report_facts import (  # noqa: E402,F401  (the same, on PostgreSQL)
    test_facts_follow_edits_and_decisions,
    test_rollups_follow_every_change_and_match_a_rebuild,
)
