"""Issue 6's demo flow in Chromium: an officer with no legal-education activity this
month gets a reminder pushed to her phone; once she has sent one, the next run sends her
nothing. And a supervisor nudges a late commune with one tap."""

import calendar
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from cslp_forms.extensions import db
from cslp_forms.models import Submission
from tests.api.sync_helpers import item, report
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.e2e.test_officer_flow import fill_activity, wait_until
from tests.e2e.test_push import officer_with_push
from tests.fake_push import FakePushService

pytestmark = pytest.mark.e2e


def test_reminder_then_nothing_once_she_has_sent_one(page, context, live_server):
    service = FakePushService()
    try:
        officer_with_push(page, context, live_server, service)
        # Two days before the end of this month, 09:00 in Sóc Trăng.
        today = datetime.now(UTC)
        last = calendar.monthrange(today.year, today.month)[1]
        runner = live_server.app.test_cli_runner()
        first = runner.invoke(args=["cslp", "send-reminders", "--now",
                                    today.replace(day=last - 2, hour=2).isoformat()])
        assert first.exit_code == 0, first.output
        def monthly():  # other rules may be due too, depending on today's date
            return [p for p in service.received
                    if p["payload"]["tag"] == "rule-ngay_phap_luat_hang_thang"]

        pushes = wait_until(monthly, message="the reminder")
        assert pushes[0]["payload"]["title"] == "Nhắc hạn báo cáo"
        assert "PBGDPL" in pushes[0]["payload"]["body"]
        page.reload()
        expect(page.locator("#notification-list")).to_contain_text("Nhắc hạn báo cáo")
        # The reminder opens a new activity record.
        page.locator("#notification-list a", has_text="PBGDPL").click()
        expect(page.locator('[data-path="start_date"] input')).to_be_visible()
        assert "#/edit/" in page.url
        draft = page.url
        fill_activity(page)
        # Tapped again later, the reminder reopens her unsent draft, not a new one.
        page.goto(live_server + "/#/notifications")
        page.locator("#notification-list a", has_text="PBGDPL").click()
        page.wait_for_url(draft)
        expect(page.locator('[data-path="participants_total"] input')).to_have_value("45")
        page.locator('[data-path="start_date"] input').fill(today.strftime("%Y-%m-02"))
        page.click("#send")
        wait_until(live_server.records, message="her activity")
        before = len(monthly())
        # The due day: the communes that still have nothing are reminded, she is not.
        later = runner.invoke(args=["cslp", "send-reminders", "--now",
                                    today.replace(day=last, hour=2).isoformat()])
        assert later.exit_code == 0
        assert "ngay_phap_luat_hang_thang 31633" in later.output
        assert "ngay_phap_luat_hang_thang 31630" not in later.output
        assert len(monthly()) == before
    finally:
        service.close()


def test_supervisor_nudges_a_late_commune(page, live_server):
    page.goto(live_server)
    sign_in(page, "giamsat.culaodung")
    page.click("#open-deadlines")
    expect(page.locator("#deadlines tr")).to_have_count(8)
    page.locator('#deadlines tr[data-unit="31633"] input').check()
    page.click("#nudge")
    expect(page.locator("#toast")).to_contain_text("Đã nhắc 1 cán bộ")


def test_supervisor_sees_last_years_plans_sent_late(page, live_server):
    officer = live_server.app.test_client()
    token = officer.post("/api/auth/login", json={"username": "canbo.anthanh2",
                                                  "password": PASSWORD}).get_json()
    it = item(report(), form="report")
    officer.post("/api/sync", json={"items": [it]}, headers={"X-CSRF-Token": token["csrf_token"]})
    with live_server.app.app_context():  # it reached the server on 3/4/2024: late
        db.session.get(Submission, uuid.UUID(it["uuid"])).created_at = datetime(
            2024, 4, 3, 2, tzinfo=UTC)
        db.session.commit()
    page.goto(live_server)
    sign_in(page, "giamsat.culaodung")
    page.click("#open-deadlines")
    page.select_option("#rule-pick", "ke_hoach_nam")
    expect(page.locator("#deadline-period")).to_contain_text("hạn 31/03/")  # re-rendered
    page.fill("#deadline-on", "2024-04-05")
    expect(page.locator("#deadline-period")).to_contain_text("31/03/2024")
    expect(page.locator('#deadlines tr[data-unit="31630"]')).to_contain_text("Gửi trễ hạn")
    expect(page.locator('#deadlines tr[data-unit="31633"]')).to_contain_text("Quá hạn")
