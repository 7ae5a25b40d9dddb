"""Background Sync: a record queued offline is sent by the service worker alone, with no
page of the app open, when the browser fires the `outbox` sync event on the connection's
return. Chromium counts DevTools' offline emulation as the network being down and fires
the pending sync when it ends, as it would when a phone finds signal again."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import OFFLINE, sign_in, wait_for_worker
from tests.e2e.test_officer_flow import fill_activity, wait_until

pytestmark = pytest.mark.e2e


@pytest.mark.page_errors(OFFLINE)
def test_the_worker_sends_the_outbox_when_the_network_returns(page, context, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    wait_for_worker(page)
    context.set_offline(True)
    page.reload()
    page.click("#new-activity")
    fill_activity(page, title="Gửi bằng Background Sync")
    page.click("#send")
    expect(page.locator("#count-waiting strong")).to_have_text("1")

    # Leave the app: from here on only the service worker runs code of ours.
    page.goto("about:blank")
    page.wait_for_timeout(1000)
    assert live_server.records() == []
    context.set_offline(False)
    [(_, _, status, answers)] = wait_until(live_server.records,
                                           message="the record sent by the worker")
    assert (status, answers["title_content"]) == ("submitted", "Gửi bằng Background Sync")

    # Back in the app, the record shows as sent and nothing is sent twice.
    page.goto(live_server)
    expect(page.locator("#count-waiting strong")).to_have_text("0")
    expect(page.locator("#count-sent strong")).to_have_text("1")
    page.wait_for_timeout(1000)
    assert len(live_server.records()) == 1
