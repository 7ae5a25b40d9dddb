"""Incidents on the phone: sealed in IndexedDB under a PIN-derived key, only a stub after
sync, locking keeps unsent work, five wrong PINs need an online sign-in, not data loss."""

import pytest
from playwright.sync_api import expect

from tests.api.test_privacy import MARKER
from tests.conftest import PASSWORD
from tests.e2e.conftest import OFFLINE, refused, sign_in, wait_for_worker
from tests.e2e.test_officer_flow import field, wait_until

pytestmark = pytest.mark.e2e
PIN = "246810"
RAW_RECORDS = ("import('/pwa/js/db.js').then(db => db.all('records'))"
               ".then(rs => JSON.stringify(rs))")


def choose(page, name, value):
    box = field(page, name)
    if box.locator("select").count():
        box.locator("select").select_option(value)
    else:
        box.locator(f'input[value="{value}"]').check()


def start_incident(page, pin=PIN):
    page.click("#new-incident")
    page.fill("#pin-new", pin)
    page.fill("#pin-again", pin)
    page.fill("#pin-password", "wrong-password")
    page.click("#pin-form button[type=submit]")
    expect(page.locator("#pin-error")).to_have_text("Mật khẩu đăng nhập không đúng.")
    page.fill("#pin-password", PASSWORD)
    page.click("#pin-form button[type=submit]")
    page.wait_for_selector("#record-form")


def fill_incident(page, summary):
    code = field(page, "survivor_code").locator("input").input_value()
    assert len(code) == 9 and code[4] == "-"
    field(page, "intake_date").locator("input").fill("2024-11-25")
    choose(page, "intake_channel", "truc_tiep")
    choose(page, "incident_unit", "31630")
    choose(page, "case_category", "bao_luc_gia_dinh")
    choose(page, "dv_acts", "a")
    choose(page, "dv_forms", "the_chat")
    choose(page, "survivor_sex", "nu")
    choose(page, "survivor_age_group", "18_59")
    choose(page, "risk_level", "cao")
    choose(page, "immediate_danger", "false")
    choose(page, "consent_services", "dong_y")
    choose(page, "consent_given_by", "ban_than")
    choose(page, "consent_reporting", "true")
    choose(page, "case_status", "moi")
    field(page, "summary").locator("textarea").fill(summary)


@pytest.mark.page_errors(OFFLINE, refused("/api/auth/recovery-key"))
def test_offline_incident_is_sealed_and_only_a_stub_stays_after_sync(page, context, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    wait_for_worker(page)
    start_incident(page)
    context.set_offline(True)
    fill_incident(page, f"Chồng đánh vợ {MARKER}")
    page.click("#send")
    expect(page.locator("#count-waiting strong")).to_have_text("1")
    stored = page.evaluate(RAW_RECORDS)
    assert MARKER not in stored and "Chồng đánh" not in stored and '"sealed"' in stored
    context.set_offline(False)
    page.click("#send-now")
    [(uuid, revision, status, answers)] = wait_until(live_server.records, message="the incident")
    assert (revision, status) == (1, "submitted") and MARKER not in str(answers)
    expect(page.locator("#count-sent strong")).to_have_text("1")
    stored = page.evaluate(RAW_RECORDS)
    assert MARKER not in stored and '"sealed"' not in stored and '"answers"' not in stored
    assert "bao_luc_gia_dinh" in stored and uuid in stored
    # She can still open it: online, one at a time.
    page.goto(f"{live_server}/#/record/{uuid}")
    expect(page.locator("#record-view")).to_contain_text(MARKER)


@pytest.mark.page_errors(OFFLINE, refused("/api/auth/recovery-key"))
def test_lock_and_unlock_keep_unsent_work(page, context, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    start_incident(page)
    context.set_offline(True)
    field(page, "summary").locator("textarea").fill(f"Nháp {MARKER}")
    url = page.url
    page.wait_for_timeout(300)
    page.click("#lock-now")
    expect(page.locator("#pin-form h2")).to_have_text("Ứng dụng đang khóa")
    page.fill("#pin", "111111")
    page.click("#pin-form button[type=submit]")
    expect(page.locator("#pin-error")).to_contain_text("Còn 4 lần thử")
    page.fill("#pin", PIN)
    page.click("#pin-form button[type=submit]")
    # Back where she was, with what she had typed.
    assert page.url == url
    expect(field(page, "summary").locator("textarea")).to_have_value(f"Nháp {MARKER}")
    page.reload()  # a restart locks again: the key is only ever in memory
    expect(page.locator("#pin-form")).to_be_visible()


@pytest.mark.page_errors(OFFLINE, refused("/api/auth/recovery-key"))
def test_five_wrong_pins_need_an_online_sign_in_and_lose_nothing(page, context, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    start_incident(page)
    context.set_offline(True)
    fill_incident(page, f"Vụ việc {MARKER}")
    page.click("#send")
    expect(page.locator("#count-waiting strong")).to_have_text("1")
    page.click("#lock-now")
    for _ in range(5):
        page.fill("#pin", "000000")
        page.click("#pin-form button[type=submit]")
        page.wait_for_timeout(150)
    expect(page.locator("#login-notice")).to_contain_text("sai mã PIN 5 lần")
    assert MARKER not in page.evaluate(RAW_RECORDS)
    context.set_offline(False)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#pin-form h2")).to_have_text("Đặt lại mã PIN")
    page.fill("#pin-new", "135790")
    page.fill("#pin-again", "135790")
    page.click("#pin-form button[type=submit]")
    expect(page.locator("#home")).to_be_visible()
    [(_, _, _, answers)] = wait_until(live_server.records, message="the incident after recovery")
    assert answers["case_category"] == ["bao_luc_gia_dinh"]
