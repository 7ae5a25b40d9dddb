"""The admin console in a real browser at 360×640 (issue 16.1-2, 16.5): a sheet of officers
imported with its one bad row shown and skipped, their slips printed; a password reset
and a lock-out lifted, both in the audit screen; and an officer signing in with the
code from her slip on a phone, choosing her password, and reaching her home screen."""

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import refused, sign_in

pytestmark = pytest.mark.e2e


def sheet(path, rows):
    book = Workbook()
    book.active.append(["Họ tên", "Số điện thoại", "Đơn vị", "Vai trò"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_import_with_one_bad_row_then_print_the_slips(page, live_server, tmp_path):
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text)
            if "Content Security" in msg.text else None)
    path = sheet(tmp_path / "tap-huan.xlsx", [
        ["Nguyễn Thị Lan", "0912345601", "31633", "Cán bộ"],
        ["Trần Thị Mai", "0912345602", "Xã Không Có", "Cán bộ"],
        ["Lê Thị Hoa", "0912345603", "An Thạnh 2", ""],
    ])
    page.goto(live_server)
    sign_in(page, "admin.tinh")
    page.click("#open-import")
    page.set_input_files("#import-file", str(path))
    page.click("#import-check")
    expect(page.locator("#import-summary")).to_contain_text("2 tài khoản mới")
    bad = page.locator('#import-rows tr[data-row="3"]')
    expect(bad).to_have_class("st-error")
    expect(bad.locator(".row-errors")).to_contain_text("Không có đơn vị “Xã Không Có”")
    page.click("#import-confirm")
    expect(page.locator("#import-summary")).to_contain_text("Đã tạo 2 tài khoản")
    codes = page.locator('#import-rows tr.st-created td.mono')
    expect(codes).to_have_count(2)
    assert all(len(c) == 11 for c in codes.all_inner_texts())
    page.click("#print-sheet")
    link = page.locator("#sheet-link")
    expect(link).to_be_visible()
    with page.context.expect_page() as opened:
        link.click()
    slips = opened.value
    slips.wait_for_load_state()
    expect(slips.locator(".slip")).to_have_count(2)
    expect(slips.locator(".slip svg.qr")).to_have_count(2)
    expect(slips.locator("h1")).to_contain_text("Mã đăng nhập")
    # The slips' own stylesheet applied (a blob page keeps the app's CSP).
    assert slips.evaluate("getComputedStyle(document.querySelector('.slips')).display") == "grid"
    # Back in the console, the accounts list shows them waiting for their password.
    page.click("#admin-nav-accounts")
    page.fill("#account-search", "0912345601")
    expect(page.locator("a.account")).to_have_count(1)
    expect(page.locator("a.account")).to_contain_text("Chưa đặt mật khẩu")
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_reset_and_lift_a_lock_out_then_see_both_in_the_audit(page, live_server):
    client = live_server.app.test_client()
    for _ in range(10):
        client.post("/api/auth/login", json={"username": "canbo.thienmy", "password": "sai"})
    page.goto(live_server)
    sign_in(page, "admin.tinh")
    page.click("#open-accounts")
    page.fill("#account-search", "thien my")
    expect(page.locator("a.account")).to_have_count(1)
    expect(page.locator("a.account")).to_contain_text("Đang bị chặn đăng nhập")
    page.click("a.account")
    page.click("#acc-unlock")
    expect(page.locator("#acc-unlock")).to_have_count(0)

    page.click("#acc-reset")
    page.click("#ask-yes")
    code = page.locator("#one-time-code")
    expect(code).to_be_visible()
    assert len(code.inner_text()) == 11
    # The old password is gone, the code is hers.
    res = client.post("/api/auth/login", json={"username": "canbo.thienmy", "password": PASSWORD})
    assert res.status_code == 401

    page.click("#admin-nav-audit")
    rows = page.locator("#audit-entries tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Cấp mã đăng nhập một lần")
    expect(rows.nth(1)).to_contain_text("Gỡ chặn đăng nhập")
    expect(rows.nth(1)).to_contain_text("user:canbo.thienmy")
    page.fill("#audit-target", "user:canbo.thienmy")
    page.select_option("#audit-kind", "user")
    page.click("#audit-form button[type=submit]")
    expect(page.locator("#audit-entries tbody tr")).to_have_count(2)
    page.click("#audit-tab-access")
    expect(page.locator("#audit-tab-access")).to_have_attribute("aria-selected", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.page_errors(refused("/api/auth/password", 400))  # the weak password, refused
def test_an_officer_signs_in_with_her_code_and_chooses_her_password(page, live_server):
    from tests.conftest import Session

    client = live_server.app.test_client()
    body = client.post("/api/auth/login", json={"username": "admin.tinh",
                                                "password": PASSWORD}).get_json()
    admin = Session(client, body["csrf_token"], body)
    made = admin.post("/api/users", json={"username": "0912345678", "display_name": "Chị Lan",
                                          "role": "officer", "unit": "31633",
                                          "phone": "0912345678"}).get_json()
    code = made["sign_in_code"]["code"]
    # The QR code on her slip opens the sign-in with both filled in.
    page.goto(f"{live_server}/#/code?u=0912345678&c={code}")
    expect(page.locator("#code")).to_have_value(code)
    expect(page.locator("#username")).to_have_value("0912345678")
    expect(page.locator("#password")).to_be_hidden()
    page.click("#login-form button[type=submit]")
    expect(page.locator("#password-form h2")).to_have_text("Chọn mật khẩu của riêng chị")
    page.fill("#new-password", "12345678")
    page.fill("#new-password-again", "12345678")
    page.click("#password-form button[type=submit]")
    expect(page.locator("#password-error")).to_contain_text("dễ bị đoán")
    page.fill("#new-password", "lua-chin-vang-dong-2026")
    page.fill("#new-password-again", "lua-chin-vang-dong-2026")
    page.click("#password-form button[type=submit]")
    page.wait_for_selector("#home")
    expect(page.locator("#home-role")).to_contain_text("Xã An Thạnh 3")
    expect(page.locator("#new-activity")).to_be_visible()
    # The code worked once; her own password works.
    assert client.post("/api/auth/login", json={"username": "0912345678", "code": code}
                       ).status_code == 401
    assert client.post("/api/auth/login", json={"username": "0912345678",
                                                "password": "lua-chin-vang-dong-2026"}
                       ).status_code == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_console_is_not_loaded_for_an_officer(page, live_server):
    loaded = []
    page.on("request", lambda req: loaded.append(req.url) if "/views/admin.js" in req.url else None)
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    expect(page.locator("#admin")).to_have_count(0)
    page.goto(f"{live_server}/#/admin/accounts")
    page.wait_for_selector("#home")
    assert loaded == []  # the page never imported the console


def test_the_console_screens_have_no_serious_accessibility_violations(page, live_server,
                                                                     tmp_path):
    from tests.e2e.test_accessibility import serious

    path = sheet(tmp_path / "a.xlsx", [["Nguyễn Thị Lan", "0912345601", "31633", "Cán bộ"],
                                       ["Trần Thị Mai", "0912345602", "Xã Không Có", ""]])
    page.goto(live_server)
    sign_in(page, "admin.tinh")
    assert serious(page) == []
    page.click("#open-accounts")
    page.wait_for_selector("a.account")
    assert serious(page) == []
    page.click('a.account[data-username="giamsat.culaodung"]')
    page.wait_for_selector("#account-edit")
    assert serious(page) == []
    page.click("#admin-nav-import")
    page.set_input_files("#import-file", str(path))
    page.click("#import-check")
    page.wait_for_selector("#import-rows")
    assert serious(page) == []
    page.click("#admin-nav-audit")
    page.wait_for_selector("#audit-form")
    assert serious(page) == []
    # Comfortable on a laptop too: the accounts in columns, nothing wider than the page.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click("#admin-nav-accounts")
    page.wait_for_selector("a.account")
    assert page.evaluate("getComputedStyle(document.querySelector('ul.accounts')).columnCount"
                         ) in ("2", "3")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_a_training_day_forty_officers_then_one_signs_in_and_sends_a_record(
        browser, browser_context_args, page, live_server, tmp_path, page_errors):
    """Issue 16, done when: 40 officers from one .xlsx (the row with an unknown commune
    shown and skipped), then one of them, on her own phone, signs in with the code from
    her slip, chooses her password and sends a record."""
    import re

    from tests.e2e.test_officer_flow import fill_activity, wait_until

    rows = [[f"Cán bộ Thử {n:02d}", f"09123456{n:02d}", "31633", "Cán bộ"] for n in range(40)]
    rows[17][2] = "Xã Không Có"
    path = sheet(tmp_path / "tap-huan-40.xlsx", rows)
    page.goto(live_server)
    sign_in(page, "admin.tinh")
    page.click("#open-import")
    page.set_input_files("#import-file", str(path))
    page.click("#import-check")
    expect(page.locator("#import-summary")).to_contain_text("39 tài khoản mới")
    expect(page.locator('#import-rows tr[data-row="19"]')).to_have_class("st-error")
    page.click("#import-confirm")
    expect(page.locator("#import-summary")).to_contain_text("Đã tạo 39 tài khoản")
    first = page.locator("#import-rows tr.st-created").first.inner_text()
    phone = re.search(r"09123456\d\d", first).group(0)
    code = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", first).group(0)

    officer = page_errors.watch(browser.new_context(**browser_context_args)).new_page()
    officer.goto(f"{live_server}/#/code?u={phone}&c={code}")
    officer.click("#login-form button[type=submit]")
    officer.fill("#new-password", "dong-lua-chin-vang-2026")
    officer.fill("#new-password-again", "dong-lua-chin-vang-2026")
    officer.click("#password-form button[type=submit]")
    officer.wait_for_selector("#home")
    officer.click("#new-activity")
    fill_activity(officer)
    officer.click("#send")
    [(_, revision, status, answers)] = wait_until(live_server.records, message="her record")
    assert (revision, status) == (1, "submitted")
    assert answers["title_content"].startswith("Tuyên truyền")
    officer.context.close()
