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
from cslp_forms.models import Submission
from tests.api.test_entries import approved_case
from tests.conftest import PASSWORD, Session
from tests.e2e.conftest import sign_in, wait_for_worker
from tests.e2e.test_officer_flow import field, wait_until

pytestmark = pytest.mark.e2e
OFFICER = "canbo.anthanh2"
SUPERVISOR = "giamsat.culaodung"
PIN = "246810"
MARKER = "THEO-DOI-BI-MAT-4R7X"
RAW_STORES = ("import('/pwa/js/db.js').then(async db => JSON.stringify("
              "[await db.all('records'), await db.all('kv')]))")


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


def supervisor_page(browser, browser_context_args, live_server, url):
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
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
        page, context, browser, browser_context_args, live_server):
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
    expect(page.locator(f'#timeline [data-uuid="{entry}"]')).not_to_contain_text("Chờ gửi")
    assert MARKER not in page.evaluate(RAW_STORES)

    sup_context, supervisor = supervisor_page(browser, browser_context_args, live_server,
                                              f"#/case/{case}")
    expect(supervisor.locator(f'#timeline [data-uuid="{entry}"]')).to_contain_text(MARKER)
    expect(supervisor.locator("#state-first-service")).to_have_text("03/12/2024")
    expect(supervisor.locator("#state-services")).to_contain_text("Y tế")
    sup_context.close()
    assert len(entries_of(live_server, case)) == 1
