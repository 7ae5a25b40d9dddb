"""Cases and model groups after approval, on the phone (issue 15): the officer keeps her
open cases and her groups with their timelines, adds entries with no signal (queued in the
outbox, a case's sealed by the PIN vault), and they reach the server exactly once and the
supervisor's timeline; two phones' entries both arrive, in date order; a closure goes to
the supervisor and comes back with her comment. Cases and groups are approved through
the API: intake is not what these tests are about."""

import uuid as uuid_lib

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cslp_forms.extensions import db
from cslp_forms.models import Submission, User
from tests.api.test_entries import approved_case, approved_group, entry, followup
from tests.api.test_review import decide
from tests.api.test_sync import sync
from tests.conftest import PASSWORD, Session
from tests.e2e.conftest import OFFLINE, sign_in, wait_for_worker
from tests.e2e.test_officer_flow import field, wait_until

# Fetches refused while offline are what going offline looks like.
pytestmark = [pytest.mark.e2e, pytest.mark.page_errors(OFFLINE)]
OFFICER = "canbo.anthanh2"
SUPERVISOR = "giamsat.culaodung"
PIN = "246810"
MARKER = "THEO-DOI-BI-MAT-4R7X"
RAW_STORES = ("import('/pwa/js/db.js').then(async db => JSON.stringify("
              "[await db.all('records'), await db.all('kv')]))")


@pytest.fixture
def problems(page_errors):
    """The shared watch of tests/e2e/conftest.py: every context a test here opens is
    watched, and what this module expects (offline fetches) is declared above."""
    return page_errors


def api_login(app):
    def _login(username, password=PASSWORD):
        client = app.test_client()
        body = client.post("/api/auth/login",
                           json={"username": username, "password": password}).get_json()
        return Session(client, body["csrf_token"], body)
    return _login


def entries_of(live_server, parent):
    with live_server.app.app_context():
        rows = db.session.scalars(select(Submission).where(
            Submission.parent_uuid == uuid_lib.UUID(parent)))
        return [(str(r.uuid), r.status, r.record_date.isoformat()) for r in rows]


def set_pin(page):
    page.click("#cases-set-pin")
    page.fill("#pin-new", PIN)
    page.fill("#pin-again", PIN)
    page.fill("#pin-password", PASSWORD)
    page.click("#pin-form button[type=submit]")


def unlock(page):
    page.wait_for_selector("#pin-form")
    page.fill("#pin", PIN)
    page.click("#pin-form button[type=submit]")


def open_phone(page, live_server, kind="cases"):
    page.goto(live_server)
    sign_in(page, OFFICER)
    wait_for_worker(page)
    page.click(f"#open-{kind}")
    if kind == "cases":
        set_pin(page)


def open_case(page, live_server, case):
    """Her phone, signed in with a PIN, on the case's own screen."""
    open_phone(page, live_server)
    page.click(f'#parents a[data-uuid="{case}"]')


def supervisor_page(browser, browser_context_args, live_server, url, seen=None):
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    if seen is not None:
        seen.watch(context)
    page.goto(live_server)
    sign_in(page, SUPERVISOR)
    page.goto(f"{live_server}/{url}")
    return context, page


def add_followup(page, day, note, service=None, next_day=None):
    page.click("#add-followup")
    page.wait_for_selector("#entry-form")
    field(page, "entry_date").locator("input").fill(day)
    field(page, "note").locator("textarea").fill(note)
    if service:
        field(page, "services").get_by_role("button", name="Thêm dòng").click()
        field(page, "services.0.service_type").locator("select").select_option(service)
        field(page, "services.0.provider").locator("select").select_option("tram_y_te_benh_vien")
        field(page, "services.0.status").locator('input[value="da_nhan"]').check()
        field(page, "services.0.date").locator("input").fill(day)
    if next_day:
        field(page, "next_followup_date").locator("input").fill(next_day)
    page.click("#send")
    page.wait_for_selector("#case-view")


def test_offline_follow_up_with_a_service_reaches_the_server_once_and_the_supervisor(
        page, context, browser, browser_context_args, live_server, problems):
    case = approved_case(api_login(live_server.app))
    open_phone(page, live_server)
    row = page.locator(f'#parents a[data-uuid="{case}"]')
    expect(row).to_be_visible()
    context.set_offline(True)
    row.click()
    expect(page.locator("#state-services")).to_have_text("Chưa có")
    add_followup(page, "2024-12-03", f"Đã thăm {MARKER}", service="y_te", next_day="2024-12-17")
    # Counted on the phone at once (a routine entry needs no approval), still unsent.
    expect(page.locator("#state-services")).to_contain_text("Y tế (03/12/2024)")
    expect(page.locator("#state-first-service")).to_have_text("03/12/2024")
    expect(page.locator("#state-next")).to_have_text("17/12/2024")
    expect(page.locator("#timeline")).to_contain_text("Chờ gửi")
    stored = page.evaluate(RAW_STORES)
    assert MARKER not in stored and "Đã thăm" not in stored and '"sealed"' in stored
    assert entries_of(live_server, case) == []

    page.reload()
    unlock(page)
    expect(page.locator("#timeline")).to_contain_text(MARKER)
    expect(page.locator("#state-status")).to_have_text("Đang hỗ trợ")
    context.set_offline(False)
    wait_until(lambda: entries_of(live_server, case), message="the entry on the server")
    page.evaluate("import('/pwa/js/sync.js').then(s => s.drain())")
    [(entry, status, day)] = entries_of(live_server, case)
    assert (status, day) == ("approved", "2024-12-03")
    shown = page.locator(f'#timeline [data-uuid="{entry}"]')
    expect(shown).not_to_contain_text("Chờ gửi")
    # The server's copy of the timeline, kept for offline use: shown, but sealed at rest.
    expect(shown).to_contain_text(MARKER)
    stored = page.evaluate(RAW_STORES)
    assert MARKER not in stored and "Đã thăm" not in stored
    assert '"sensitive":true,"fetched_at"' in stored

    sup_context, supervisor = supervisor_page(browser, browser_context_args, live_server,
                                              f"#/case/{case}", problems)
    expect(supervisor.locator(f'#timeline [data-uuid="{entry}"]')).to_contain_text(MARKER)
    expect(supervisor.locator("#state-first-service")).to_have_text("03/12/2024")
    expect(supervisor.locator("#state-services")).to_contain_text("Y tế")
    supervisor.click("#open-intake")
    expect(supervisor.locator("#review-record")).to_be_visible()
    # Its last entry is long past: the case is on her overdue list.
    supervisor.goto(f"{live_server}/#/cases")
    expect(supervisor.locator(f'#overdue a[data-uuid="{case}"]')).to_contain_text(
        "ngày chưa có ghi nhận")
    sup_context.close()
    assert len(entries_of(live_server, case)) == 1
    # A follow-up reminder links to the case's record: the phone opens its timeline, and
    # from there the approved intake itself.
    page.goto(f"{live_server}/#/record/{case}")
    expect(page.locator(f'#timeline [data-uuid="{entry}"]')).to_be_visible()
    page.click("#open-intake")
    expect(page.locator("#record-view")).to_contain_text("K7QM-2XPA")
    # Signing out takes the kept copies of her cases off the phone.
    assert '"sensitive":true,"fetched_at"' in page.evaluate(RAW_STORES)
    page.goto(f"{live_server}/#/")
    page.click("#logout")
    page.wait_for_selector("#login-form")
    assert '"sensitive":true,"fetched_at"' not in page.evaluate(RAW_STORES)


def test_the_supervisor_reminds_the_worker_of_a_forgotten_case_and_it_opens_the_case(
        page, browser, browser_context_args, live_server, problems):
    case = approved_case(api_login(live_server.app))  # no entry since 2024: overdue
    sup_context, supervisor = supervisor_page(browser, browser_context_args, live_server,
                                              "#/cases", problems)
    remind = supervisor.locator(f'#overdue [data-nudge="{case}"]')
    expect(remind).to_have_text("Nhắc")
    remind.click()
    expect(supervisor.locator("#toast")).to_contain_text("Đã nhắc: Vụ việc tiếp nhận ngày")
    remind.click()
    expect(supervisor.locator("#toast")).to_have_text("Hôm nay đã nhắc việc này rồi.")
    sup_context.close()
    open_phone(page, live_server)  # her phone, with the PIN her cases need
    page.goto(f"{live_server}/#/notifications")
    note = page.locator("#notification-list a",
                        has_text="Nhắc từ cấp trên: vụ việc cần theo dõi")
    expect(note).to_contain_text("ngày chưa có ghi nhận mới")
    expect(note).not_to_contain_text("K7QM-2XPA")  # nothing of the case on a lock screen
    note.click()
    expect(page.locator("#case-view")).to_be_visible()
    expect(page.locator("#add-followup")).to_be_visible()

def test_the_supervisor_sees_which_forgotten_cases_nobody_can_be_reminded_of(
        browser, browser_context_args, live_server, problems):
    login = api_login(live_server.app)
    case = approved_case(login)
    group = approved_group(login)
    with live_server.app.app_context():  # the officers of commune 31630 have all left
        for user in db.session.scalars(select(User).where(
                User.unit.has(code="31630"), User.role == "officer")):
            user.active = False
        db.session.commit()
    sup_context, supervisor = supervisor_page(browser, browser_context_args, live_server,
                                              "#/cases", problems)
    expect(supervisor.locator(f'#overdue [data-nobody="{case}"]')).to_have_text(
        "Không có ai để nhắc")
    expect(supervisor.locator(f'#overdue [data-nudge="{case}"]')).to_have_count(0)
    expect(supervisor.locator("#overdue-nobody")).to_contain_text("Báo quản trị viên")
    supervisor.goto(f"{live_server}/#/groups")
    expect(supervisor.locator(f'#overdue [data-nobody="{group}"]')).to_be_visible()
    sup_context.close()


def test_offline_group_meeting_reaches_the_server_once_and_the_supervisor(
        page, context, browser, browser_context_args, live_server, problems):
    group = approved_group(api_login(live_server.app))
    sup_context, supervisor = supervisor_page(browser, browser_context_args, live_server,
                                              "#/groups", problems)
    # No meeting this quarter yet: on the supervisor's overdue list.
    expect(supervisor.locator(f'#overdue a[data-uuid="{group}"]')).to_contain_text(
        "CLB Gia đình hạnh phúc")
    open_phone(page, live_server, "groups")
    row = page.locator(f'#parents a[data-uuid="{group}"]')
    expect(row).to_contain_text("CLB Gia đình hạnh phúc ấp Phước Hòa")
    context.set_offline(True)
    row.click()
    expect(page.locator("#state-meetings-quarter")).to_have_text("0")
    expect(page.locator("#state-members")).to_have_text("20 (15 / 5)")
    page.click("#add-meeting")
    page.wait_for_selector("#entry-form")
    field(page, "topic").locator("input").fill("Phòng, chống bạo lực gia đình")
    field(page, "participants_total").locator("input").fill("18")
    field(page, "participants_female").locator("input").fill("30")
    page.click("#send")
    expect(field(page, "participants_female")).to_contain_text("Số nữ vượt tổng số")
    field(page, "participants_female").locator("input").fill("12")
    page.click("#send")
    page.wait_for_selector("#case-view")
    expect(page.locator("#state-meetings-quarter")).to_have_text("1")
    expect(page.locator("#timeline")).to_contain_text("Chờ gửi")

    page.reload()
    expect(page.locator("#state-meetings-quarter")).to_have_text("1")
    expect(page.locator("#timeline")).to_contain_text("Phòng, chống bạo lực gia đình")
    context.set_offline(False)
    wait_until(lambda: entries_of(live_server, group), message="the meeting on the server")
    [(entry, status, _)] = entries_of(live_server, group)
    assert status == "approved"
    expect(page.locator(f'#timeline [data-uuid="{entry}"]')).not_to_contain_text("Chờ gửi")

    supervisor.goto(f"{live_server}/#/case/{group}")
    expect(supervisor.locator(f'#timeline [data-uuid="{entry}"]')).to_contain_text(
        "Phòng, chống bạo lực gia đình")
    expect(supervisor.locator("#state-meetings-quarter")).to_have_text("1")
    supervisor.goto(f"{live_server}/#/groups")
    expect(supervisor.locator(f'#parents a[data-uuid="{group}"]')).to_be_visible()
    expect(supervisor.locator("#overdue-empty")).to_be_visible()
    sup_context.close()
    assert len(entries_of(live_server, group)) == 1


def test_two_phones_add_to_one_case_offline_both_arrive_once_in_date_order(
        page, context, browser, browser_context_args, live_server, problems):
    case = approved_case(api_login(live_server.app))
    second_context = browser.new_context(**browser_context_args)
    second = second_context.new_page()
    problems.watch(second_context)
    for phone in (page, second):
        open_phone(phone, live_server)
        expect(phone.locator(f'#parents a[data-uuid="{case}"]')).to_be_visible()
    context.set_offline(True)
    second_context.set_offline(True)
    page.click(f'#parents a[data-uuid="{case}"]')
    add_followup(page, "2024-12-10", "Thăm lần hai, chị ổn định")
    second.click(f'#parents a[data-uuid="{case}"]')
    add_followup(second, "2024-12-05", "Thăm lần một, đã gặp chị")
    context.set_offline(False)
    second_context.set_offline(False)
    wait_until(lambda: len(entries_of(live_server, case)) == 2, message="both entries")
    # Each phone sends again (a replay): still two.
    for phone in (page, second):
        phone.evaluate("import('/pwa/js/sync.js').then(s => s.drain())")
    assert len(entries_of(live_server, case)) == 2
    late, early = sorted(entries_of(live_server, case), key=lambda e: e[2], reverse=True)

    sup_context, supervisor = supervisor_page(browser, browser_context_args, live_server,
                                              f"#/case/{case}", problems)
    items = supervisor.locator("#timeline li[data-uuid]")
    expect(items).to_have_count(2)
    assert [items.nth(i).get_attribute("data-uuid") for i in range(2)] == [early[0], late[0]]
    sup_context.close()
    # The first phone shows both too, once it has fetched the case again.
    page.reload()
    unlock(page)
    mine = page.locator("#timeline li[data-uuid]")
    expect(mine).to_have_count(2)
    assert [mine.nth(i).get_attribute("data-uuid") for i in range(2)] == [early[0], late[0]]
    second_context.close()


def test_closing_goes_to_the_supervisor_and_her_comment_comes_back(
        page, context, browser, browser_context_args, live_server, problems):
    login = api_login(live_server.app)
    case = approved_case(login)
    open_case(page, live_server, case)
    page.click("#add-closure")
    page.wait_for_selector("#entry-form")
    reason = field(page, "closure_reason")
    reason.locator('input[value="an_toan_on_dinh"]').check()
    # No service reached yet: the phone says what the server would, beside the field.
    expect(reason.locator(".field-error")).to_contain_text("chưa có dịch vụ nào đã nhận")
    page.click("#send")
    expect(page.locator("#entry-form")).to_be_visible()
    reason.locator('input[value="mat_lien_lac"]').check()
    expect(reason.locator(".field-error")).to_be_hidden()
    page.click("#send")
    page.wait_for_selector("#case-view")
    wait_until(lambda: entries_of(live_server, case), message="the closure on the server")
    [(closure, status, _)] = entries_of(live_server, case)
    assert status == "submitted"
    expect(page.locator(f'#timeline [data-uuid="{closure}"]')).to_contain_text("Đã gửi")
    expect(page.locator("#state-status")).not_to_have_text("Đã đóng")

    sup_context, supervisor = supervisor_page(browser, browser_context_args, live_server,
                                              "#/review?form=incident_entry", problems)
    expect(supervisor.locator(f'#queue a[data-uuid="{closure}"]')).to_be_visible()
    # From the case's timeline to the review screen, as from the queue.
    supervisor.goto(f"{live_server}/#/case/{case}")
    supervisor.click(f'#timeline [data-review="{closure}"]')
    supervisor.fill("#review-comment", "Đề nghị thử liên lạc lại qua tổ trưởng tổ dân cư.")
    supervisor.click("#return")
    expect(supervisor.locator("#review-queue")).to_be_visible()
    sup_context.close()

    page.evaluate("import('/pwa/js/sync.js').then(s => s.drain())")
    page.reload()
    unlock(page)
    comment = page.locator(f'#timeline [data-comment="{closure}"]')
    expect(comment).to_contain_text("Đề nghị thử liên lạc lại qua tổ trưởng tổ dân cư.")
    page.click(f'#timeline [data-edit="{closure}"]')
    expect(page.locator("#review-comment-text")).to_have_text(
        "Đề nghị thử liên lạc lại qua tổ trưởng tổ dân cư.")
    field(page, "note").locator("textarea").fill("Đã liên lạc lại, không gặp được")
    page.click("#send")
    page.wait_for_selector("#case-view")
    wait_until(lambda: entries_of(live_server, case)[0][1] == "submitted"
               and decide(login(SUPERVISOR), closure, "approve", revision=2).status_code == 200,
               message="the resent closure, approved")
    page.evaluate("import('/pwa/js/sync.js').then(s => s.drain())")
    page.reload()
    unlock(page)
    expect(page.locator("#state-status")).to_have_text("Đã đóng")
    expect(page.locator("#add-reopening")).to_be_visible()
    expect(page.locator("#add-followup")).to_have_count(0)


def test_case_and_group_screens_have_no_serious_violations(
        page, browser, browser_context_args, live_server, problems):
    from tests.e2e.test_accessibility import serious as axe_serious

    def serious(page):
        # Usable at 360 px: nothing wider than the screen, no serious axe finding.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        return axe_serious(page)

    login = api_login(live_server.app)
    case, group = approved_case(login), approved_group(login)
    open_phone(page, live_server)
    expect(page.locator(f'#parents a[data-uuid="{case}"]')).to_be_visible()
    assert serious(page) == []
    page.click(f'#parents a[data-uuid="{case}"]')
    page.wait_for_selector("#case-view")
    assert serious(page) == []
    page.click("#add-followup")
    page.wait_for_selector("#entry-form")
    page.click("#send")  # with errors shown beside the fields
    page.wait_for_selector(".field.invalid")
    assert serious(page) == []
    page.goto(f"{live_server}/#/groups")
    page.click(f'#parents a[data-uuid="{group}"]')
    page.wait_for_selector("#case-view")
    assert serious(page) == []
    page.click("#add-meeting")
    page.wait_for_selector("#entry-form")
    assert serious(page) == []
    sup_context, supervisor = supervisor_page(browser, browser_context_args, live_server,
                                              "#/cases", problems)
    for screen, shown in (("#/cases", "#case-overdue"), ("#/groups", "#group-overdue"),
                          (f"#/case/{case}", "#case-view[data-kind=case]"),
                          (f"#/case/{group}", "#case-view[data-kind=group]")):
        supervisor.goto(f"{live_server}/{screen}")
        supervisor.wait_for_selector(shown)
        assert serious(supervisor) == [], screen
    sup_context.close()


def test_a_transferred_case_moves_to_the_receiving_officers_phone(
        page, context, browser, browser_context_args, live_server, problems):
    login = api_login(live_server.app)
    case = approved_case(login)
    open_case(page, live_server, case)
    page.click("#add-followup")
    page.wait_for_selector("#entry-form")
    field(page, "entry_kind").locator('input[value="transfer"]').check()
    target = field(page, "transfer_unit").locator("select")
    target.select_option("31630")
    # Her own commune: the phone refuses beside the field, as the server would.
    expect(field(page, "transfer_unit").locator(".field-error")).to_contain_text(
        "chính xã này phụ trách")
    target.select_option("31633")
    field(page, "note").locator("textarea").fill("Chị chuyển về sống với mẹ ở An Thạnh 3")
    page.click("#send")
    page.wait_for_selector("#case-view")
    wait_until(lambda: entries_of(live_server, case), message="the transfer on the server")
    [(transfer, status, _)] = entries_of(live_server, case)
    assert status == "submitted"
    assert decide(login(SUPERVISOR), transfer, "approve").status_code == 200

    page.evaluate("import('/pwa/js/sync.js').then(s => s.drain())")
    page.reload()
    unlock(page)
    expect(page.locator("#not-holder")).to_be_visible()
    expect(page.locator("#add-followup")).to_have_count(0)

    other_context = browser.new_context(**browser_context_args)
    other = other_context.new_page()
    problems.watch(other_context)
    other.goto(live_server)
    sign_in(other, "canbo.anthanh3")
    other.click("#open-cases")
    set_pin(other)
    other.click(f'#parents a[data-uuid="{case}"]')
    expect(other.locator("#state-holder")).to_contain_text("An Thạnh 3")
    expect(other.locator(f'#timeline [data-uuid="{transfer}"]')).to_be_visible()
    add_followup(other, "2024-12-20", "Đã gặp chị tại nhà mẹ")
    wait_until(lambda: len(entries_of(live_server, case)) == 2, message="the new holder's entry")
    other_context.close()


def test_the_case_list_puts_the_next_follow_up_first(page, live_server, problems):
    login = api_login(live_server.app)
    later, sooner, unplanned = approved_case(login), approved_case(login), approved_case(login)
    officer = login(OFFICER)
    for case, day in ((later, "2025-01-20"), (sooner, "2024-12-15")):
        item = entry(case, followup("2024-12-03", next_followup_date=day))
        assert sync(officer, item)[0]["status"] == "accepted"
    open_phone(page, live_server)
    rows = page.locator("#parents a[data-uuid]")
    expect(rows).to_have_count(3)
    assert [rows.nth(i).get_attribute("data-uuid") for i in range(3)] == [sooner, later, unplanned]
    expect(rows.nth(0)).to_contain_text("15/12/2024")


def test_an_entry_the_server_refuses_shows_its_words_beside_the_field(
        page, context, live_server, problems):
    login = api_login(live_server.app)
    case = approved_case(login)
    open_case(page, live_server, case)
    page.wait_for_selector("#case-view")
    context.set_offline(True)
    add_followup(page, "2024-12-05", "Thăm sau khi chị về nhà")
    # Meanwhile the case is closed from another phone, and the closure approved.
    closure = entry(case, {"entry_date": "2024-12-01", "entry_kind": "closure",
                           "closure_reason": "mat_lien_lac"})
    assert sync(login(OFFICER), closure)[0]["status"] == "accepted"
    assert decide(login(SUPERVISOR), closure["uuid"], "approve").status_code == 200
    context.set_offline(False)
    fix = page.locator("#timeline [data-edit]")
    expect(fix).to_have_count(1)
    expect(page.locator("#timeline")).to_contain_text("Cần sửa")
    assert [e[0] for e in entries_of(live_server, case)] == [closure["uuid"]]
    fix.click()
    expect(field(page, "entry_kind").locator(".field-error")).to_contain_text(
        "Vụ việc đã đóng")


def test_another_officer_of_the_commune_keeps_its_groups_and_adds_a_meeting(
        page, context, live_server, problems):
    from cslp_forms.services.users import create_user

    with live_server.app.app_context():
        create_user(username="canbo2.anthanh2", display_name="Chị Hoa", password=PASSWORD,
                    role="officer", unit_code="31630", incident_reviewer=False)
        db.session.commit()
    login = api_login(live_server.app)
    group, case = approved_group(login), approved_case(login)
    page.goto(live_server)
    sign_in(page, "canbo2.anthanh2")
    wait_for_worker(page)
    page.click("#open-groups")
    row = page.locator(f'#parents a[data-uuid="{group}"]')
    expect(row).to_contain_text("CLB Gia đình hạnh phúc")
    context.set_offline(True)
    row.click()
    page.click("#add-meeting")
    page.wait_for_selector("#entry-form")
    field(page, "topic").locator("input").fill("Kỹ năng làm cha mẹ")
    field(page, "participants_total").locator("input").fill("15")
    page.click("#send")
    page.wait_for_selector("#case-view")
    expect(page.locator("#state-meetings-quarter")).to_have_text("1")
    context.set_offline(False)
    wait_until(lambda: entries_of(live_server, group), message="her meeting on the server")
    [(_, status, _)] = entries_of(live_server, group)
    assert status == "approved"
    # The commune's groups, not its cases: those stay with their case worker.
    page.goto(f"{live_server}/#/cases")
    set_pin(page)
    expect(page.locator("#parents-empty")).to_be_visible()
    assert case not in page.evaluate(RAW_STORES)


def test_a_case_redrawn_after_she_left_it_does_not_cover_the_next_screen(page, live_server):
    """A sync's end redraws the case she is reading; its copy from the server came after
    she had gone back to the list, and the case was drawn over the list (a CI failure).
    Each screen now draws only while it is the latest one."""
    case = approved_case(api_login(live_server.app))
    open_case(page, live_server, case)
    expect(page.locator("#case-view")).to_be_visible()
    held = []
    page.route(f"**/api/submissions/{case}*", lambda route: held.append(route))
    # The sync marked the case changed on the server: the redraw fetches it again.
    page.evaluate(f"import('/pwa/js/db.js').then((db) => db.kv.set('stale:{OFFICER}', ['{case}']))"
                  ".then(() => new BroadcastChannel('cslp-sync')"
                  ".postMessage({ type: 'done', ok: true }))")
    wait_until(lambda: page.wait_for_timeout(50) or held, message="the redraw asking the server")
    page.click("#view a[href='#/cases']")
    expect(page.locator("#case-list")).to_be_visible()
    held[0].continue_()
    page.wait_for_timeout(500)
    expect(page.locator("#case-list")).to_be_visible()
    expect(page.locator("#case-view")).to_have_count(0)
