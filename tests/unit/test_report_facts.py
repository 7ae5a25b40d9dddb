"""Report facts: taken from the answers, following edits and review, and backfilled by
the migration for records stored before it."""

import uuid as uuid_lib
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from cslp_forms.extensions import db
from cslp_forms.models import ReportFact, ReportRollup
from cslp_forms.models.reports import ROLLUP_SUMS
from cslp_forms.services.base import units as unit_service
from cslp_forms.services.base.periods import cutoff_period
from cslp_forms.services.records.facts import fact_values
from cslp_forms.services.tasks.facts import rebuild_facts
from tests.api import report_fixture
from tests.api.report_fixture import act, case
from tests.api.sync_helpers import item
from tests.api.test_review import decide
from tests.api.test_sync import sync
from tests.conftest import make_app


@pytest.mark.parametrize("day, month", [
    ("2024-11-14", "2024-11"), ("2024-11-15", "2024-12"), ("2024-12-15", "2025-01"),
    ("2024-01-01", "2024-01"), ("2024-12-31", "2025-01"),
])
def test_union_cutoff_month(day, month):
    assert cutoff_period(date.fromisoformat(day)) == month


def test_facts_of_each_form():
    day = date(2024, 11, 9)
    law = fact_values("activity", act("2024-11-09", "pbgdpl", 10,
                                      campaign="ngay_phap_luat_9_11"), day)
    assert (law["kind"], law["law_day"], law["participants_total"]) == ("pbgdpl", True, 10)
    assert fact_values("activity", act("2024-11-09", "ngay_phap_luat"), day)["law_day"]
    assert not fact_values("activity", act("2024-11-09", "pbgdpl"), day)["law_day"]
    # Only an explicit true consents; text answers never reach the facts.
    incident = fact_values("incident", case("2024-11-03", ["bao_luc_gia_dinh"], "nu", True,
                                            "da_nhan"), day)
    assert incident["consent_reporting"] and incident["service_reached"]
    assert not any(isinstance(v, str) and "GHI-CHU-MAT" in v for v in incident.values())
    refused = fact_values("incident", case("2024-11-03", ["bao_luc_gia_dinh"], "nu", "yes"),
                          day)
    assert refused["consent_reporting"] is False and refused["service_reached"] is False


def test_facts_follow_edits_and_decisions(app, login):
    officer, district = login("canbo.anthanh2"), login("giamsat.culaodung")
    it = item(act("2024-11-16", "tot", 20))
    sync(officer, it)
    decide(district, it["uuid"], "return", comment="Sai loại hoạt động")

    def fact():
        with app.app_context():
            return db.session.get(ReportFact, uuid_lib.UUID(it["uuid"]))

    assert (fact().kind, fact().status) == ("tot", "returned")
    sync(officer, {**it, "base_revision": 1, "answers": act("2024-12-02", "pbgdpl", 25)})
    row = fact()
    assert (row.kind, row.status, row.period, row.participants_total) == (
        "pbgdpl", "submitted", "2024-12", 25)
    decide(district, it["uuid"], "approve", revision=2)
    assert fact().status == "approved"
    with app.app_context():
        assert rebuild_facts() == 1
        db.session.commit()
    assert (fact().kind, fact().status) == ("pbgdpl", "approved")


def test_migration_backfills_facts_of_existing_records(tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'm.db'}")
    with app.app_context():
        upgrade(revision="0007")  # the revision before the reports one
        rows = unit_service.read_unit_file(unit_service.UNITS_2024)[1]
        unit_service.load_units(rows, valid_from=date(2024, 1, 1))
        # Written in SQL: the model has columns later revisions add.
        unit_id = db.session.scalar(text("SELECT id FROM units WHERE code = '31630'"))
        db.session.execute(text(
            "INSERT INTO users (id, username, display_name, password_hash, role, unit_id, "
            "active, incident_reviewer, created_at) VALUES (1, 'u1', 'U', 'x', 'officer', "
            ":unit, 1, 0, '2024-01-01')"), {"unit": unit_id})
        db.session.commit()
        user_id = 1
        uid = uuid_lib.uuid4()
        db.session.execute(text(
            "INSERT INTO submissions (uuid, form, form_version, unit_id, author_id, "
            "record_date, period, answers, attachments, status, revision, content_hash, "
            "created_at, updated_at, review_step) VALUES (:u, 'activity', 1, :unit, :user, "
            "'2024-11-09', '2024-11', :answers, '[]', 'approved', 1, 'x', "
            "'2024-11-09 00:00:00', '2024-11-09 00:00:00', 0)"),
            {"u": uid.hex, "unit": unit_id, "user": user_id,
             "answers": '{"activity_type": "pbgdpl", "participants_total": 45}'})
        db.session.commit()
        upgrade()
        fact = db.session.scalar(select(ReportFact))
        assert (fact.submission_uuid, fact.kind, fact.status, fact.participants_total) == (
            uid, "pbgdpl", "approved", 45)
        rollup = db.session.scalar(select(ReportRollup))
        assert (rollup.key, rollup.n, rollup.participants_total) == (
            f"{unit_id}|approved|2024-11|2024-11|pbgdpl|||0", 1, 45)
        db.engine.dispose()


def rollups(app) -> dict:
    with app.app_context():
        return {r.key: (r.n, *(getattr(r, m) for m in ROLLUP_SUMS))
                for r in db.session.scalars(select(ReportRollup)) if r.n}


def test_rollups_follow_every_change_and_match_a_rebuild(app, login):
    """Syncs, edits after a return, approvals in two steps, returns and rejections move
    each activity's share of the monthly rollups; the result equals a rebuild."""
    report_fixture.build(login)
    officer, district = login("canbo.anthanh2"), login("giamsat.culaodung")
    it = item(act("2024-11-16", "tot", 20))
    sync(officer, it)
    decide(district, it["uuid"], "return", comment="Sai loại")
    sync(officer, {**it, "base_revision": 1, "answers": act("2024-12-02", "pbgdpl", 25)})
    other = item(act("2024-05-02", "hoa_giai", 4, mediations=2))
    sync(officer, other)
    decide(district, other["uuid"], "reject", comment="Trùng")
    kept = rollups(app)
    assert kept and all(v[0] > 0 for v in kept.values())
    with app.app_context():
        rebuild_facts()
        db.session.commit()
    assert rollups(app) == kept


def test_a_batch_writes_its_rollup_rows_after_its_records_once_each_in_key_order(app, login):
    """Records are written in UUID order; the rollup rows they add to follow, each row
    once, in key order, so two batches never lock shared rows in opposite orders."""
    from sqlalchemy import event

    kinds = ["tap_huan", "pbgdpl", "tap_huan", "pbgdpl", "doi_thoai"]
    uuids = sorted(uuid_lib.uuid4() for _ in kinds)
    items = [item(act("2024-11-09", kind, 10), uuid=str(u)) for u, kind in zip(uuids, kinds,
                                                                              strict=True)]
    tables = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        for table in ("submissions", "report_rollups"):
            if statement.startswith(f"INSERT INTO {table} "):
                rows = parameters if executemany else [parameters]
                tables.extend((table, row) for row in rows)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert {r["status"] for r in sync(login("canbo.anthanh2"), *items)} == {"accepted"}
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", seen)
    order = [table for table, _ in tables]
    # However many statements carry them: every record first, then each row once.
    assert order[:order.index("report_rollups")] == ["submissions"] * order.count(
        "submissions") and order.count("report_rollups") == 3
    keys = [params[0] for table, params in tables if table == "report_rollups"]
    assert keys == sorted(keys) and [k.split("|")[4] for k in keys] == [
        "doi_thoai", "pbgdpl", "tap_huan"]
    assert sorted(rollups(app).values())[0][:2] == (1, 10)
