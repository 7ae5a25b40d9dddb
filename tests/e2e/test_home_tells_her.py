"""The home screen tells the officer what matters before she leaves the office: set the
PIN once while online (and the incident form says so plainly offline), what her unit
owes this week, and a storage warning only when unsent work is at risk, with the one
action that helps."""

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import OFFLINE, sign_in, wait_for_worker
from tests.e2e.test_accessibility import serious
from tests.e2e.test_officer_flow import fill_activity

pytestmark = pytest.mark.e2e

REFUSE_STORAGE = """
Object.defineProperty(StorageManager.prototype, 'persist', { value: async () => false });
Object.defineProperty(StorageManager.prototype, 'persisted', { value: async () => false });
"""


@pytest.mark.page_errors(OFFLINE)
def test_first_pin_is_asked_for_on_home_until_done(page, context, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    wait_for_worker(page)
    expect(page.locator("#pin-needed")).to_contain_text("cần có mạng")
    context.set_offline(True)
    page.click("#new-incident")
    expect(page.locator("#pin-offline")).to_contain_text("chỉ đặt được khi có mạng")
    page.get_by_role("button", name="Hủy").click()
    context.set_offline(False)
    page.wait_for_selector("#pin-setup-now:not([disabled])")
    page.click("#pin-setup-now")
    page.fill("#pin-new", "246810")
    page.fill("#pin-again", "246810")
    page.fill("#pin-password", "mat-khau-thu-1")
    page.click("#pin-form button[type=submit]")
    expect(page.locator("#home")).to_be_visible()
    expect(page.locator("#pin-needed")).to_have_count(0)


def test_due_this_week_and_storage_warning_only_with_unsent_work(page, live_server,
                                                                 monkeypatch):
    import cslp_forms.reminders.views as reminder_views
    from cslp_forms.extensions import db
    from cslp_forms.services import deadlines

    monkeypatch.setattr(reminder_views, "local_today", lambda: date(2024, 11, 27))
    with live_server.app.app_context():
        deadlines.seed_rules()
        db.session.commit()
    page.add_init_script(script=REFUSE_STORAGE)
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    due = page.locator("#due-week")
    expect(due).to_contain_text("Việc cần làm tuần này")
    expect(due.locator('a.due-item[href="#/new/activity"]').first).to_contain_text(
        "hạn 30/11/2024")
    expect(due).to_contain_text("đã quá hạn 31/03/2024")  # the year's plan, never sent
    expect(page.locator("#storage-warning")).to_have_count(0)  # nothing unsent: no alarm
    page.click("#new-activity")
    fill_activity(page)
    page.click("#save-exit")
    expect(page.locator("#home")).to_be_visible()
    warning = page.locator("#storage-warning")
    expect(warning).to_contain_text("1 phiếu chưa gửi")
    expect(warning.locator("#storage-send-now")).to_be_visible()
    assert serious(page) == []  # home with the PIN note, the week's due list and the warning
    page.goto(f"{live_server}/#/records/all")
    page.wait_for_selector("#records")
    expect(page.locator("#storage-warning")).to_have_count(0)  # not on every screen
