"""Issue 6's demo flow in Chromium: an officer with no legal-education activity this
month gets a reminder pushed to her phone; once she has sent one, the next run sends her
nothing. And a supervisor nudges a late commune with one tap."""

import calendar
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

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
