"""Deadline rules through time (now passed in), compliance, reminders sent once."""

import threading
import uuid as uuid_lib
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, update

from cslp_forms.extensions import db
from cslp_forms.models import DeadlineRule, Notification, Submission, Unit, User
from cslp_forms.services import deadlines
from cslp_forms.services.base.units import find_version
from cslp_forms.services.tasks.reminders import send_reminders
from tests.api.sync_helpers import activity, item, report
from tests.api.test_sync import sync
from tests.conftest import assert_problem

MONTHLY = "ngay_phap_luat_hang_thang"


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def rules(app):
    with app.app_context():
        deadlines.seed_rules()
        db.session.commit()


def rule(code):
    return db.session.scalar(select(DeadlineRule).where(DeadlineRule.code == code))


@pytest.mark.parametrize("day, key, due", [
    (date(2024, 1, 31), "2024-01", date(2024, 1, 31)),
    (date(2024, 2, 10), "2024-02", date(2024, 2, 29)),  # leap year
    (date(2023, 2, 10), "2023-02", date(2023, 2, 28)),
    (date(2024, 12, 1), "2024-12", date(2024, 12, 31)),
])
def test_monthly_periods_end_on_the_last_day(app, rules, day, key, due):
    with app.app_context():
        period = deadlines.period_for(rule(MONTHLY), day)
        assert (period.key, period.start, period.due) == (key, day.replace(day=1), due)


def test_a_window_rule_only_reaches_around_its_window(app, rules):
    with app.app_context():
        law_day = rule("ngay_phap_luat_9_11")
        assert deadlines.period_for(law_day, date(2024, 10, 20)) is None
        period = deadlines.period_for(law_day, date(2024, 10, 25))
        assert (period.start, period.due) == (date(2024, 11, 1), date(2024, 11, 9))
        assert deadlines.period_for(law_day, date(2024, 11, 11)) is None


def sent_for(app, now, code=MONTHLY):
    """(unit, kind) of the reminders a run sends for one rule."""
    with app.app_context():
        sent = send_reminders(now=at(now))
        db.session.commit()
        return sorted((s["unit"], s["kind"]) if code else (s["rule"], s["kind"])
                      for s in sent if code is None or s["rule"] == code)


def test_reminders_seven_days_before_go_to_units_without_an_activity(app, login, rules):
    sync(login("canbo.anthanh2"), item(activity(start_date="2024-11-09")))
    # 23/11 09:00 in Sóc Trăng: 7 days before 30/11.
    assert sent_for(app, "2024-11-23T02:00:00") == [("31585", "due_in_7"), ("31633", "due_in_7")]
    assert sent_for(app, "2024-11-23T10:00:00") == []  # a second run sends nothing again
    assert sent_for(app, "2024-11-24T02:00:00") == []  # not a reminder day


def test_an_activity_of_another_kind_does_not_count(app, login, rules):
    sync(login("canbo.anthanh2"), item(activity(start_date="2024-11-09", activity_type="hoa_giai",
                                                laws_covered=None, mediations=1)))
    assert ("31630", "due_in_7") in sent_for(app, "2024-11-23T02:00:00")


def test_the_day_boundary_is_asia_ho_chi_minh(app, rules):
    # 16:59 UTC on 30/11 is 23:59 in Sóc Trăng: the due day. 17:00 UTC is 1/12: overdue.
    assert {k for _, k in sent_for(app, "2024-11-30T16:59:00")} == {"due_today"}
    # …and the Action Month (15/11–15/12) is then 14 days from its end.
    assert set(sent_for(app, "2024-11-30T17:00:00", None)) == {
        (MONTHLY, "overdue"), ("thang_hanh_dong_bdg", "due_in_14")}


def test_a_unit_made_mid_period_is_counted_and_an_ended_one_is_not(app, rules):
    with app.app_context():
        district = find_version("945")
        new = Unit(code="39999", name="Xã Mới", level="commune", parent_id=district.id,
                   valid_from=date(2024, 11, 20), path="")
        gone = find_version("31636")
        gone.valid_to = date(2024, 11, 10)
        db.session.add(new)
        db.session.flush()
        new.path = f"{district.path}{new.id}/"
        db.session.commit()
        period = deadlines.period_for(rule(MONTHLY), date(2024, 11, 23))
        rows = deadlines.compliance(rule(MONTHLY), period, root=district, today=date(2024, 11, 23))
        codes = {r["unit"]["code"] for r in rows}
        assert "39999" in codes and "31636" not in codes and len(codes) == 8


def run_twice_at_once(app):
    """Two send-reminders runs at the same moment: every reminder stored once."""
    with app.app_context():
        deadlines.seed_rules()
        db.session.commit()
    errors = []

    def run():
        try:
            sent_for(app, "2024-11-28T02:00:00")
        except Exception as err:  # noqa: BLE001  (asserted below)
            errors.append(repr(err))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with app.app_context():
        keys = db.session.scalars(select(Notification.dedupe_key)).all()
        officers = db.session.scalar(select(func.count()).select_from(User).where(
            User.role == "officer"))
    assert errors == []
    assert len(keys) == len(set(keys)) == officers


def test_two_runs_at_once_send_each_reminder_once(file_app):
    run_twice_at_once(file_app)


def test_compliance_api_and_nudge(login, rules):
    sync(login("canbo.anthanh2"), item(activity(start_date="2024-11-09")))
    district = login("giamsat.culaodung")
    data = district.get(f"/api/reminders/compliance?rule={MONTHLY}&on=2024-11-27").get_json()
    states = {r["unit"]["code"]: r["state"] for r in data["units"]}
    assert states["31630"] == "met" and states["31633"] == "due_soon" and len(states) == 8
    assert data["period"]["due"] == "2024-11-30"
    late = district.get(f"/api/reminders/compliance?rule={MONTHLY}&on=2024-12-31").get_json()
    assert late["period"]["key"] == "2024-12"
    res = district.post("/api/reminders/nudge", json={"rule": MONTHLY, "units": ["31633"]})
    assert res.get_json() == {"notified": 1}
    note = login("canbo.anthanh3").get("/api/notifications").get_json()["notifications"][0]
    assert note["title"] == "Nhắc từ cấp trên" and "Huyện Cù Lao Dung" in note["body"]
    assert_problem(district.post("/api/reminders/nudge", json={"rule": MONTHLY,
                                                               "units": ["31585"]}),
                   403, "scope.forbidden")
    assert_problem(login("canbo.anthanh2").get(f"/api/reminders/compliance?rule={MONTHLY}"),
                   403, "auth.forbidden")
    assert_problem(district.get("/api/reminders/compliance?rule=nope"), 404,
                   "deadline.not_found")


def test_the_province_administrator_edits_a_rule(login, rules):
    admin = login("admin.tinh")
    res = admin.patch(f"/api/reminders/rules/{MONTHLY}", json={"reminder_days": [3, 0]})
    assert res.status_code == 200 and res.get_json()["reminder_days"] == [3, 0]
    for bad in ({"due_md": "13-01"}, {"due_md": "02-30"}, {"due_md": "04-31"},
                {"due_md": None}, {"start_md": "12-20"}):
        assert_problem(admin.patch(f"/api/reminders/rules/{MONTHLY}", json=bad),
                       400, "request.invalid")
    # A window that ends before it starts would never be due: refused, nothing changed.
    res = admin.patch("/api/reminders/rules/thang_hanh_dong_bdg", json={"start_md": "12-20"})
    assert_problem(res, 400, "request.invalid")
    assert res.get_json()["errors"][0]["field"] == "end_md"
    assert admin.patch("/api/reminders/rules/bao_cao_nam",
                       json={"due_md": "02-29"}).status_code == 200
    assert_problem(login("giamsat.culaodung").patch(f"/api/reminders/rules/{MONTHLY}",
                                                    json={"active": False}),
                   403, "auth.forbidden")
    rules_now = login("canbo.anthanh2").get("/api/reminders/rules").get_json()["rules"]
    assert {r["code"] for r in rules_now} >= {MONTHLY, "thang_hanh_dong_bdg"}


def test_send_reminders_command_twice(app, rules):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["cslp", "send-reminders", "--now", "2024-11-28T02:00:00"])
    assert first.exit_code == 0, first.output
    assert "3 lời nhắc mới" in first.output and "ngay_phap_luat_hang_thang 31630" in first.output
    second = runner.invoke(args=["cslp", "send-reminders", "--now", "2024-11-28T05:00:00"])
    assert "0 lời nhắc mới" in second.output


PLAN, YEAR_END = "ke_hoach_nam", "bao_cao_nam"


def send_report(session, unit="31630", arrived=None, **answers):
    """Send a plan or report; `arrived` (ISO, UTC) stands for when it reached the server."""
    it = item(report(**answers), form="report", unit=unit)
    results = sync(session, it)
    assert results[0]["status"] == "accepted", results
    if arrived:
        db.session.execute(update(Submission).where(Submission.uuid == uuid_lib.UUID(
            it["uuid"])).values(created_at=at(arrived)))
        db.session.commit()


def test_the_yearly_plan_is_due_at_the_end_of_q1(app, login, rules):
    with app.app_context():
        period = deadlines.period_for(rule(PLAN), date(2025, 3, 17))
        assert (period.key, period.due) == ("2025", date(2025, 3, 31))
    officer = login("canbo.anthanh2")
    # A 2025 plan signed in December 2024 counts for 2025; a 2024 plan counts for nothing.
    send_report(officer, report_year=2025, report_date="2024-12-20")
    send_report(login("canbo.anthanh3"), unit="31633")
    # 17/3/2025 09:00 in Sóc Trăng: 14 days before 31/3. A district files its own plan:
    # its supervisors (two at 945, one at 942) are reminded too.
    districts = [("942", "due_in_14"), ("945", "due_in_14"), ("945", "due_in_14")]
    assert sent_for(app, "2025-03-17T02:00:00", PLAN) == [("31585", "due_in_14"),
                                                          ("31633", "due_in_14"), *districts]
    assert [s for s in sent_for(app, "2025-04-01T02:00:00", PLAN) if len(s[0]) == 5] == [
        ("31585", "overdue"), ("31633", "overdue")]
    assert sent_for(app, "2025-04-02T02:00:00", PLAN) == []


def test_a_due_day_that_does_not_exist_falls_back_to_the_month_end(app, rules):
    with app.app_context():
        year_end = rule(YEAR_END)
        year_end.due_md = "02-29"
        assert deadlines.period_for(year_end, date(2024, 6, 1)).due == date(2024, 2, 29)
        assert deadlines.period_for(year_end, date(2023, 6, 1)).due == date(2023, 2, 28)


def k14(session, **args):
    query = "&".join(f"{k}={v}" for k, v in {"year": 2024, "include_pending": 1,
                                              **args}.items())
    res = session.get(f"/api/reports/indicators?{query}")
    assert res.status_code == 200, res.get_json()
    ind = next(i for i in res.get_json()["indicators"] if i["code"] == "K14")
    return ind, {p["key"]: p["value"] for p in ind["parts"]}


def test_k14_counts_plans_and_year_end_reports_sent_on_time(app, login, rules):
    with app.app_context():
        district = find_version("945")
        owing = db.session.scalar(select(func.count()).select_from(Unit).where(
            Unit.path.like(f"{district.path}%"), Unit.level.in_(("commune", "district"))))
    supervisor = login("giamsat.culaodung")
    ind, _ = k14(supervisor)
    assert ind["actual"] == 0.0 and ind["available"]  # every deadline of 2024 has passed
    with app.app_context():
        # On time: it reached the server by the end of the due day in Sóc Trăng.
        send_report(login("canbo.anthanh2"), arrived="2024-03-31T16:59:00")
        # Late, though its typed date is in March: it arrived on 1/4 (00:00 in Sóc Trăng).
        send_report(login("canbo.anthanh3"), unit="31633", report_date="2024-03-30",
                    arrived="2024-03-31T17:00:00")
        send_report(login("canbo.anthanh2"), kind=YEAR_END, report_date="2024-12-10",
                    arrived="2024-12-10T03:00:00")
    ind, parts = k14(supervisor)
    assert parts == {"plans_due": owing, "plans_on_time": 1, "reports_due": owing,
                     "reports_on_time": 1}
    assert ind["actual"] == round(100 * 2 / (2 * owing), 1)
    rows = {r["unit"]["code"]: r for r in ind["units"]}
    assert (rows["31630"]["actual"], rows["31633"]["actual"]) == (100.0, 0.0)
    assert (rows["31633"]["due"], rows["31633"]["on_time"]) == (2, 0)
    # Only the first quarter: the plans alone.
    _, parts = k14(supervisor, period="Q1")
    assert (parts["plans_due"], parts["reports_due"]) == (owing, 0)
    # Approved records only, unless pending ones are asked for.
    _, parts = k14(supervisor, include_pending=0)
    assert parts["plans_on_time"] == parts["reports_on_time"] == 0
    # The province moves the year-end cut-off to 5/12: the report of 10/12 is now late.
    res = login("admin.tinh").patch(f"/api/reminders/rules/{YEAR_END}",
                                    json={"due_md": "12-05"})
    assert res.status_code == 200
    _, parts = k14(supervisor)
    assert (parts["plans_on_time"], parts["reports_on_time"]) == (1, 0)
    # The district's own plan, sent by its supervisor, has a row of its own.
    with app.app_context():
        send_report(supervisor, unit="945", arrived="2024-03-01T02:00:00")
    ind, _ = k14(supervisor)
    own = next(r for r in ind["units"] if r["unit"].get("own"))
    assert (own["unit"]["code"], own["actual"], own["due"]) == ("945", 50.0, 2)


def test_the_year_end_report_is_reminded_before_the_cut_off(app, login, rules):
    send_report(login("canbo.anthanh2"), kind=YEAR_END, report_date="2024-12-01")
    # 7/12 09:00: 7 days before 14/12; An Thạnh 2 has sent hers.
    communes = [s for s in sent_for(app, "2024-12-07T02:00:00", YEAR_END) if len(s[0]) == 5]
    assert communes == [("31585", "due_in_7"), ("31633", "due_in_7")]


def test_after_a_reorganisation_past_periods_still_reach_the_old_units(app, rules):
    """Sóc Trăng (94) ends on 30/6/2025 and Cần Thơ (92) begins: a run about November
    2024 reminds the communes of 94, a run about July 2025 only those of 92."""
    with app.app_context():
        old = find_version("94")
        old.valid_to = date(2025, 6, 30)
        new = Unit(code="92", name="Thành phố Cần Thơ", level="province",
                   valid_from=date(2025, 7, 1), path="")
        db.session.add(new)
        db.session.flush()
        new.path = f"/{new.id}/"
        db.session.commit()
    run = app.test_cli_runner().invoke(args=["cslp", "send-reminders", "--now",
                                             "2024-11-23T02:00:00"])
    assert "ngay_phap_luat_hang_thang 31633 2024-11 due_in_7" in run.output, run.output
    assert sent_for(app, "2025-07-24T02:00:00") == []  # 92 has no communes here yet


def test_the_25_november_rule_counts_its_campaign_only(app, login, rules):
    sync(login("canbo.anthanh2"), item(activity(start_date="2024-11-20", campaign="ngay_25_11")))
    # An Action Month activity is not a 25/11 one: An Thạnh 3 is still reminded.
    sync(login("canbo.anthanh3"), item(activity(
        start_date="2024-11-20", campaign="thang_hanh_dong_bdg_15_11_15_12"), unit="31633"))
    assert sent_for(app, "2024-11-23T02:00:00", "ngay_25_11") == [("31585", "due_in_2"),
                                                                  ("31633", "due_in_2")]


def test_her_unit_s_due_this_week_until_she_sends_it(app, login, monkeypatch):
    import cslp_forms.reminders.views as reminder_views
    from tests.api.sync_helpers import activity, item
    from tests.api.test_sync import sync

    monkeypatch.setattr(reminder_views, "local_today", lambda: date(2024, 11, 27))
    officer = login("canbo.anthanh2")
    assert officer.get("/api/reminders/due").get_json()["due"] == []  # no rules loaded yet
    assert officer.get("/api/reminders/rules").status_code == 200  # loads the plan's rules
    due = officer.get("/api/reminders/due").get_json()["due"]
    monthly = [d for d in due if d["rule"] == "ngay_phap_luat_hang_thang"]
    assert monthly == [{"rule": "ngay_phap_luat_hang_thang", "title": monthly[0]["title"],
                        "form": "activity", "due": "2024-11-30", "state": "due_soon"}]
    assert [d["due"] for d in due] == sorted(d["due"] for d in due)
    sent = sync(officer, item(activity(activity_type="ngay_phap_luat", start_date="2024-11-09")))
    assert sent[0]["status"] == "accepted", sent
    due = officer.get("/api/reminders/due").get_json()["due"]
    assert "ngay_phap_luat_hang_thang" not in [d["rule"] for d in due]
    monkeypatch.setattr(reminder_views, "local_today", lambda: date(2024, 11, 5))
    assert "ngay_phap_luat_hang_thang" not in [
        d["rule"] for d in login("canbo.anthanh3").get("/api/reminders/due").get_json()["due"]]
