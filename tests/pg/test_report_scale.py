"""The dashboard's cost follows the units and kinds, not the records: the same mix of
records twice over gives every figure twice and makes the indicator queries read no
more rows. A query that hands each record (each model group, each case) to Python
fails here long before a province notices its dashboard slowing (bench/reports.py
measures it at 1,000,000 records)."""

import pytest
from sqlalchemy import delete, event, select

from bench.reports import generate
from cslp_forms.extensions import db
from cslp_forms.models import ReportRollup, User
from cslp_forms.services.records.facts import rollup_insert

pytestmark = pytest.mark.pg

RECORDS = 3000  # about 90 model groups and 210 cases over ten years
QUERY = "/api/reports/indicators?unit=94&year=2024"


def add_records(app, first: int) -> None:
    with app.app_context():
        author = db.session.scalar(select(User.id).where(User.username == "admin.tinh"))
        generate(db.session, rows=RECORDS, days=3650, author=author, first=first)
        db.session.execute(delete(ReportRollup))
        db.session.execute(rollup_insert())
        db.session.commit()


def dashboard(app, session) -> tuple[dict, int]:
    """The province's indicators ({code: (actual, {part: value})}) and the rows its
    SELECTs returned."""
    fetched = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            fetched.append(cursor.rowcount)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", count)
    try:
        res = session.get(QUERY)
    finally:
        event.remove(engine, "after_cursor_execute", count)
    assert res.status_code == 200, res.get_data(as_text=True)
    return {i["code"]: (i["actual"], {p["key"]: p["value"] for p in i["parts"]})
            for i in res.get_json()["indicators"]}, sum(fetched)


def test_twice_the_records_read_no_more_rows(app, login):
    add_records(app, first=1)
    admin = login("admin.tinh")
    once, rows_once = dashboard(app, admin)
    assert once["K01"][0] > 100 and once["K05"][0] > 5  # activities and standing groups
    add_records(app, first=RECORDS + 1)
    twice, rows_twice = dashboard(app, admin)
    for code in ("K01", "K02", "K05", "K06"):
        assert twice[code][0] == 2 * once[code][0], (code, once[code], twice[code])
    assert twice["K08"][1]["cases"] == 2 * once["K08"][1]["cases"] > 0
    assert rows_twice == rows_once
