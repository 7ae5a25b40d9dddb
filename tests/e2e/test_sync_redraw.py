"""A sync that ends just as she taps a form must not draw the form a second time (the
phone benchmark lost what she had begun to type that way: home was still drawn when the
sync's "done" arrived, so the app routed again)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

COUNT_FORMS = """() => {
  window.formsDrawn = 0;
  new MutationObserver((changes) => {
    for (const c of changes) for (const n of c.addedNodes) {
      const form = n.nodeType === 1 && (n.id === "record-form" || n.querySelector("#record-form"));
      if (form) window.formsDrawn += 1;
    }
  }).observe(document.getElementById("view"), { childList: true, subtree: true });
}"""

# The tap's route has started (the address is the form's) but home is still drawn: that is
# when the sync's end arrives. Returns whether home was still there to be mistaken.
TAP_AS_SYNC_ENDS = """async (uuid) => {
  location.hash = `#/edit/${uuid}`;
  await new Promise((r) => setTimeout(r, 0));
  const homeStillDrawn = Boolean(document.querySelector("#home"));
  new BroadcastChannel("cslp-sync").postMessage({ type: "done", ok: true });
  return homeStillDrawn;
}"""


def test_a_sync_ending_as_she_opens_a_form_draws_it_once(page, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    # A draft she started earlier, reopened from home (what "Ghi phiếu mới" does next).
    page.click("#new-activity")
    page.locator('[data-path="start_date"] input').fill("2024-11-09")
    uuid = page.evaluate("location.hash.split('/')[2]")
    page.goto(f"{live_server}/#/")
    expect(page.locator("#home")).to_be_visible()
    page.evaluate(COUNT_FORMS)
    assert page.evaluate(TAP_AS_SYNC_ENDS, uuid), "the form was drawn before the sync ended"
    expect(page.locator("#record-form")).to_be_visible()
    field = page.locator('[data-path="title_content"] input')
    field.fill("Tuyên truyền")
    page.wait_for_timeout(1500)
    assert page.evaluate("window.formsDrawn") == 1
    expect(field).to_have_value("Tuyên truyền")
