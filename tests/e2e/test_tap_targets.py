"""Every tap target on the officer's screens is at least 44×44 CSS px (WCAG 2.5.5), as
drawn at 360×640. A checkbox or radio counts with the label that wraps it (a tap on the
label ticks it); text links inside a sentence are not targets of their own."""

import pytest

from tests.e2e.conftest import sign_in
from tests.e2e.test_officer_flow import fill_activity

pytestmark = pytest.mark.e2e

MEASURE = """() => {
  const targets = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, label.button')];
  const small = [];
  for (const node of targets) {
    if (node.closest('[hidden], [inert]') || node.classList.contains('visually-hidden')) continue;
    let box = node;
    if (node.matches('input[type=checkbox], input[type=radio]') && node.closest('label')) {
      box = node.closest('label');
    }
    const r = box.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not drawn
    const style = getComputedStyle(node);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    if (r.width < 44 || r.height < 44) {
      const name = (node.id ? '#' + node.id : node.tagName.toLowerCase())
        + ' ' + (node.getAttribute('aria-label') || node.textContent || node.name || '')
          .trim().slice(0, 30);
      small.push(`${name} ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return small;
}"""


def too_small(page) -> list[str]:
    """Targets under 44×44, and the page itself if it scrolls sideways at 360 px."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    return page.evaluate(MEASURE) + ([f"page {wide}px wide"] if wide > 360 else [])


def test_officer_screens_have_44px_targets(page, live_server):
    page.goto(live_server)
    page.wait_for_selector("#login-form")
    assert too_small(page) == [], "sign-in"
    sign_in(page, "canbo.anthanh2")
    page.wait_for_selector("#lock-now", state="attached")
    assert too_small(page) == [], "home"
    for form in ("activity", "model_group", "report"):
        page.goto(f"{live_server}/#/")
        page.click(f"#new-{form}")
        page.wait_for_selector("#record-form")
        if form == "activity":
            fill_activity(page)
        assert too_small(page) == [], form
    page.goto(f"{live_server}/#/")
    page.click("#new-incident")  # the PIN screen first, then the form with "Khóa"
    page.fill("#pin-new", "246810")
    page.fill("#pin-again", "246810")
    page.fill("#pin-password", "mat-khau-thu-1")
    assert too_small(page) == [], "pin"
    page.click("#pin-form button[type=submit]")
    page.wait_for_selector("#record-form")
    page.wait_for_selector("#lock-now:not([hidden])")
    assert too_small(page) == [], "incident"
    for screen in ("records/all", "notifications"):
        page.goto(f"{live_server}/#/{screen}")
        page.wait_for_timeout(300)
        assert too_small(page) == [], screen


def test_supervisor_queue_and_deadlines_have_44px_targets(page, live_server):
    from tests.e2e.test_review_queue import file_records

    file_records(live_server.app, 3)
    page.goto(live_server)
    sign_in(page, "giamsat.culaodung")
    assert too_small(page) == [], "home"
    for screen, ready in (("review", "#queue"), ("deadlines", "#deadlines"),
                          ("completeness", "#completeness")):
        page.goto(f"{live_server}/#/{screen}")
        page.wait_for_selector(ready)
        assert too_small(page) == [], screen
