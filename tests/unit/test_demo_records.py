"""`flask cslp setup-demo` fills 2024 with demo records the dashboard can show, through
the real sync and review services, and a second run adds nothing."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from cslp_forms.extensions import db
from cslp_forms.models import ReportFact, ReviewDecision, Submission, User
from cslp_forms.services.reports.indicators import compute_indicators
from tests.unit.test_cli import _runner


def test_setup_demo_records_are_spread_over_2024_and_idempotent(tmp_path):
    app, runner = _runner(tmp_path, DEMO_PASSWORD="demo-pass-123")
    first = runner.invoke(args=["cslp", "setup-demo"])
    assert first.exit_code == 0, first.output
    assert "Chỉ tiêu: tạo mới 8" in first.output and "demo records:" in first.output
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Submission))
        months = set(db.session.scalars(select(Submission.period).distinct()))
        assert stored > 1500 and months == {f"2024-{m:02d}" for m in range(1, 13)}
        assert db.session.scalar(select(func.count()).select_from(ReportFact)) == stored
        decisions = db.session.scalar(select(func.count()).select_from(ReviewDecision))
        pending = db.session.scalar(select(func.count()).select_from(Submission).where(
            Submission.status == "submitted"))
        assert pending > 0
        names = [s.answers["name"] for s in db.session.scalars(
            select(Submission).where(Submission.form == "model_group"))]
        assert "Mô hình “Chia sẻ” " in " | ".join(names)
        assert not any("_" in n or " chia se " in n.lower() for n in names), names[:5]
        demo = db.session.scalar(select(User).where(User.username == "demo.nhaplieu"))
        assert demo.active is False
        admin = db.session.scalar(select(User).where(User.username == "admin.tinh"))
        now = datetime(2026, 1, 5, tzinfo=UTC)
        data = compute_indicators(viewer=admin, unit_code="94", year=2024, period_key=None,
                                  union_cutoff=False, include_pending=False,
                                  today=date(2026, 1, 5), now=now)
        got = {i["code"]: i for i in data["indicators"]}
        assert got["K03"]["actual"] == 3 and got["K03"]["target"] == 4
        assert [p["pending"] for p in got["K03"]["places"]] == [False, False, False, True]
        assert got["K06"]["actual"] == 9 and got["K07"]["actual"] == 2
        assert got["K04"]["actual"] == 1 and got["K01"]["actual"] > 200
        assert 80 < got["K02"]["progress"] < 100 and data["law_day"]["missed"]
        assert isinstance(got["K08"]["actual"], float)
        k14 = {p["key"]: p["value"] for p in got["K14"]["parts"]}
        assert 70 < got["K14"]["actual"] < 95
        # Phường 9 merged into Phường 1 on 1/9/2024: one unit fewer owes a year-end report.
        assert k14["plans_due"] == k14["reports_due"] + 1 > 100
        assert k14["plans_on_time"] < k14["plans_due"] and k14["reports_on_time"] > 90
    second = runner.invoke(args=["cslp", "setup-demo"])
    assert "demo records: 0 stored, 0 decisions" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Submission)) == stored
        assert db.session.scalar(select(func.count()).select_from(ReviewDecision)) == decisions


def test_rebuild_report_facts_command(tmp_path):
    app, runner = _runner(tmp_path)
    result = runner.invoke(args=["cslp", "rebuild-report-facts"])
    assert result.exit_code == 0 and "report facts of 0 records rebuilt" in result.output
