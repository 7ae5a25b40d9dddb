"""Deadline rules through time (now passed in), compliance, reminders sent once."""

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from cslp_forms.extensions import db
from cslp_forms.models import DeadlineRule, Notification, Unit, User
from cslp_forms.services import deadlines
from cslp_forms.services.units import find_version
from tests.api.sync_helpers import activity, item
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
        province = find_version("94")
        sent = deadlines.send_reminders(now=at(now), province=province)
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
    assert_problem(admin.patch(f"/api/reminders/rules/{MONTHLY}", json={"due_md": "13-01"}),
                   400, "request.invalid")
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
