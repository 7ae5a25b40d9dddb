"""The review round trip in two browsers: the officer sends, the district supervisor
returns it with a comment, the officer fixes it offline and resends, the supervisor
approves, the officer sees it approved and can no longer edit it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import OFFLINE, sign_in, wait_for_worker
from tests.e2e.test_accessibility import serious
from tests.e2e.test_officer_flow import field, fill_activity, wait_until

pytestmark = pytest.mark.e2e


@pytest.mark.page_errors(OFFLINE)
def test_return_fix_offline_resend_approve(page, context, browser, browser_context_args,
                                           live_server, page_errors):
    officer = page
    officer.goto(live_server)
    sign_in(officer, "canbo.anthanh2")
    wait_for_worker(officer)
    officer.click("#new-activity")
    fill_activity(officer)
    officer.click("#send")
    [(uuid, *_)] = wait_until(live_server.records, message="the record")

    supervisor_context = page_errors.watch(browser.new_context(**browser_context_args))
    supervisor = supervisor_context.new_page()
    supervisor.goto(live_server)
    sign_in(supervisor, "giamsat.culaodung")
    supervisor.click("#open-review")
    supervisor.click(f'#queue a[data-uuid="{uuid}"]')
    expect(supervisor.locator("#review-answers")).to_contain_text("Tuyên truyền Luật PCBLGĐ")
    supervisor.click("#return")
    expect(supervisor.locator("#decision-error")).to_contain_text("Hãy ghi ý kiến")
    supervisor.fill("#review-comment", "Thiếu số nam tham dự, đề nghị bổ sung.")
    supervisor.select_option("#field-pick", "participants_male")
    supervisor.fill("#field-comment-text", "Ghi số nam")
    supervisor.get_by_role("button", name="Thêm góp ý").click()
    supervisor.click("#return")
    expect(supervisor.locator("#review-queue")).to_be_visible()

    officer.click("#send-now")
    expect(officer.locator("#count-returned strong")).to_have_text("1")
    officer.click("#count-returned")
    officer.click(f'a[data-uuid="{uuid}"]')
    expect(officer.locator("#review-comment-text")).to_have_text(
        "Thiếu số nam tham dự, đề nghị bổ sung.")
    expect(officer.locator("#review-comment")).to_contain_text("Ghi số nam")
    # ... and beside the question it is about
    expect(field(officer, "participants_male").locator(".field-comment")).to_contain_text(
        "Ghi số nam")
    assert serious(officer) == []
    context.set_offline(True)
    field(officer, "participants_male").locator("input").fill("7")
    officer.click("#send")
    expect(officer.locator("#count-waiting strong")).to_have_text("1")
    context.set_offline(False)
    wait_until(lambda: live_server.records()[0][1] == 2, message="revision 2")

    supervisor.goto(f"{live_server}/#/review/{uuid}")
    expect(supervisor.locator("#review-status")).to_have_text("Đã gửi")
    expect(supervisor.locator("#history")).to_contain_text("Bản 2")
    supervisor.click("#approve")
    expect(supervisor.locator("#review-queue")).to_be_visible()
    wait_until(lambda: live_server.records()[0][2] == "approved", message="approval")

    officer.click("#send-now")
    expect(officer.locator("#count-sent strong")).to_have_text("1")
    officer.goto(f"{live_server}/#/edit/{uuid}")
    expect(officer.locator("#record-state")).to_have_text("Đã duyệt")
    expect(officer.locator("#edit")).to_have_count(0)
    expect(officer.locator("#record-view")).to_contain_text("chỉ xem")

    history = supervisor.evaluate(
        "uuid => fetch(`/api/submissions/${uuid}/history`).then(r => r.json())", uuid)
    kinds = [(e["kind"], e.get("revision"), e.get("decision")) for e in history["events"]]
    assert kinds == [("revision", 1, None), ("decision", 1, "return"), ("revision", 2, None),
                     ("decision", 2, "approve")]
    assert history["events"][1]["comment"] == "Thiếu số nam tham dự, đề nghị bổ sung."
    assert history["events"][1]["field_comments"] == {"participants_male": "Ghi số nam"}
    assert history["events"][2]["changes"] == [
        {"field": "participants_male", "before": None, "after": 7}]
    supervisor_context.close()
