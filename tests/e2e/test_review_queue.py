"""The review queue in Chromium: a district supervisor pages through every record (not
the first 50), sees what waits for her before what is decided or at another level, and
her filters stay in the URL across a reload."""

import pytest
from playwright.sync_api import expect

from tests.api.sync_helpers import item
from tests.conftest import PASSWORD, Session
from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import serious

pytestmark = pytest.mark.e2e


def login(app, username) -> Session:
    client = app.test_client()
    body = client.post("/api/auth/login", json={"username": username,
                                                "password": PASSWORD}).get_json()
    return Session(client, body["csrf_token"], body)


def file_records(app, n: int) -> list[str]:
    officer = login(app, "canbo.anthanh2")
    items = [item() for _ in range(n)]
    for start in range(0, n, 20):
        res = officer.post("/api/sync", json={"items": items[start:start + 20]})
        assert {r["status"] for r in res.get_json()["results"]} == {"accepted"}
    return [it["uuid"] for it in items]


def test_queue_pages_through_all_hers_first_filters_in_the_url(page, live_server):
    uuids = file_records(live_server.app, 57)
    district = login(live_server.app, "giamsat.culaodung")
    for uuid in uuids[:3]:  # an activity's approval by the district is final
        res = district.post(f"/api/review/{uuid}/decisions",
                            json={"decision": "approve", "revision": 1})
        assert res.status_code == 200
    page.goto(live_server)
    sign_in(page, "giamsat.culaodung")
    page.click("#open-review")
    expect(page.locator("#queue-title")).to_have_text("Chờ bạn duyệt (54)")
    expect(page.locator("#queue > li")).to_have_count(50)
    expect(page.locator("#queue-count")).to_have_text("Đang xem 50/54 phiếu")
    page.click("#queue-more")
    expect(page.locator("#queue > li")).to_have_count(54)
    expect(page.locator("#queue-more")).to_be_hidden()
    assert len(set(page.locator("#queue a.record").evaluate_all(
        "(links) => links.map((a) => a.dataset.uuid)"))) == 54  # none twice
    others = page.locator("#queue-others > li")
    expect(others).to_have_count(3)
    expect(others.first).to_contain_text("Đã duyệt")
    assert (page.locator("#queue").bounding_box()["y"]
            < page.locator("#queue-others").bounding_box()["y"])  # hers first
    expect(page.locator("#queue .record-detail").first).to_contain_text(
        "Xã An Thạnh 2 (Huyện Cù Lao Dung)")  # a commune with its district
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # never sideways
    assert serious(page) == []

    page.select_option("#filter-status", "approved")
    expect(page.locator("#queue-empty")).to_be_visible()
    expect(others).to_have_count(3)
    assert "status=approved" in page.url
    page.reload()
    expect(page.locator("#filter-status")).to_have_value("approved")
    expect(page.locator("#queue-others > li")).to_have_count(3)
    expect(page.locator("#queue-empty")).to_be_visible()


def test_a_new_screen_opens_at_the_top_and_back_returns_where_she_was(page, live_server):
    uuids = file_records(live_server.app, 30)
    page.goto(live_server)
    sign_in(page, "giamsat.culaodung")
    page.click("#open-review")
    expect(page.locator("#queue > li")).to_have_count(30)
    target = page.locator(f'#queue a[data-uuid="{uuids[12]}"]')  # halfway down the list
    target.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    before = page.evaluate("scrollY")
    assert before > 600, before
    target.click()
    expect(page.locator("#review-answers")).to_be_visible()
    assert page.evaluate("scrollY") == 0
    page.go_back()
    expect(page.locator("#queue > li")).to_have_count(30)
    page.wait_for_timeout(200)
    assert abs(page.evaluate("scrollY") - before) <= 2
    page.goto(f"{live_server}/#/")
    expect(page.locator("#home")).to_be_visible()
    assert page.evaluate("scrollY") == 0


def test_queue_lines_never_push_the_page_sideways(page, live_server):
    from tests.e2e.test_dashboard import seed_records

    seed_records(live_server.app)  # case records too, with the longest form name
    page.goto(live_server)
    sign_in(page, "giamsat.culaodung")
    page.click("#open-review")
    expect(page.locator("#queue-others > li").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
