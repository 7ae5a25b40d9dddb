"""Device health in the browser (issue 18): an officer's phone with a record the server
refused and an incident stuck in the queue for five days (the page's clock moved on)
reports it; the district supervisor's "Tình trạng máy" lists her first with the right
counts and nudges her once; no report ever carries the incident's words."""

import json
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.api.test_privacy import MARKER
from tests.e2e.conftest import refused, sign_in
from tests.e2e.test_incident_privacy import fill_incident, start_incident
from tests.e2e.test_officer_flow import ENQUEUE, VALID, wait_until

pytestmark = pytest.mark.e2e


def _healthy_phone_of(live_server, username: str) -> None:
    from tests.conftest import PASSWORD

    client = live_server.app.test_client()
    me = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    res = client.post("/api/devices/health", headers={"X-CSRF-Token": me.get_json()["csrf_token"]},
                      json={"device_id": "calm-phone-01", "last_sync_age_seconds": 60,
                            "storage": {"persisted": True}})
    assert res.status_code == 200, res.get_json()


# The busy server below is the test's own doing.
@pytest.mark.page_errors(r"http 503: POST @ .*/api/sync$", refused("/api/sync", 503),
                         refused("/api/auth/recovery-key"))  # start_incident: a wrong password
def test_the_supervisor_sees_the_phone_at_risk_first_and_nudges_once(
        browser, browser_context_args, live_server, page_errors):
    _healthy_phone_of(live_server, "canbo.anthanh3")
    # No service worker on this phone: only the page reports, under the page's clock.
    phone = page_errors.watch(browser.new_context(
        **{**browser_context_args, "service_workers": "block"}))
    officer = phone.new_page()
    reports = []
    officer.on("request", lambda r: reports.append(r.post_data or "")
               if r.url.endswith("/api/devices/health") and r.method == "POST" else None)
    start = datetime.now().astimezone()
    officer.clock.install(time=start)
    officer.goto(live_server)
    sign_in(officer, "canbo.anthanh2")
    # The server refuses this one (no such unit): it waits on the phone to be fixed.
    officer.evaluate(ENQUEUE, [1, {**VALID, "location_unit": "99999"}])
    officer.click("#send-now")
    expect(officer.locator("#count-problem strong")).to_have_text("1")
    # An incident, then the server stays busy: it waits in the queue.
    start_incident(officer)
    fill_incident(officer, f"Chồng đánh vợ {MARKER}")
    officer.route("**/api/sync", lambda route: route.fulfill(
        status=503, content_type="application/problem+json", headers={"Retry-After": "5"},
        body=json.dumps({"type": "urn:cslp:problem:server.unavailable", "status": 503,
                         "code": "server.unavailable", "title": "Máy chủ đang bận."})))
    officer.click("#send")
    expect(officer.locator("#count-waiting strong")).to_have_text("1")
    expect(officer.locator("#health-line")).to_contain_text("máy chủ chưa nhận")

    # Five days on, the next report says how long the incident has waited. (A report made
    # before the clock moved may still be on its way: the test waits for one made after.)
    officer.clock.set_system_time(start + timedelta(days=5, hours=1))
    officer.click("#send-now")

    def five_days_old() -> bool:
        officer.wait_for_timeout(100)  # lets Playwright deliver the page's requests
        return any((json.loads(body)["records"]["queued"]["age_seconds"] or 0) >= 5 * 86400
                   for body in reports)

    wait_until(five_days_old, message="a report made five days on")

    supervisor = page_errors.watch(browser.new_context(**browser_context_args)).new_page()
    supervisor.goto(live_server)
    # Her own phone reports after her first sync: wait for it, so the list has it.
    with supervisor.expect_response(lambda r: r.url.endswith("/api/devices/health")):
        sign_in(supervisor, "giamsat.culaodung")
    supervisor.click("#open-devices")
    cards = supervisor.locator("#device-list > li")
    # Hers, the other officer's calm phone, and the supervisor's own (she files too).
    expect(cards).to_have_count(3)
    first = cards.first
    expect(first).to_contain_text("canbo.anthanh2")
    expect(first.locator('[data-risk="unsent_old"]')).to_be_visible()
    expect(first.locator('[data-risk="rejected_unfixed"]')).to_be_visible()
    expect(first).to_contain_text("1 phiếu chờ gửi (lâu nhất 5 ngày)")
    expect(first).to_contain_text("1 phiếu bị máy chủ từ chối chưa sửa (lâu nhất 5 ngày)")
    calm = cards.filter(has_text="canbo.anthanh3")
    expect(calm).to_contain_text("Ổn")
    expect(calm.get_by_role("button", name="Nhắc cán bộ")).to_have_count(0)

    first.get_by_role("button", name="Nhắc cán bộ").click()
    expect(supervisor.locator(".toast").last).to_contain_text(
        "Đã nhắc: Có 1 phiếu chưa gửi từ 5 ngày trước")
    first.get_by_role("button", name="Nhắc cán bộ").click()
    expect(supervisor.locator(".toast").last).to_contain_text("Hôm nay đã nhắc")
    inbox = officer.evaluate("fetch('/api/notifications').then(r => r.json())")
    assert [n["kind"] for n in inbox["notifications"]].count("nudge") == 1

    uuids = [r[0] for r in live_server.records()]
    for body in reports:
        assert MARKER not in body and "Chồng đánh" not in body and "99999" not in body
        assert not any(u in body for u in uuids)
    assert json.loads(reports[-1])["records"]["queued"]["count"] == 1
    phone.close()
