"""axe-core finds no serious or critical violation on the officer's screens."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def serious(page):
    results = Axe().run(page)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_sign_in_home_form_and_outbox_have_no_serious_violations(page, live_server):
    page.goto(live_server)
    page.wait_for_selector("#login-form")
    assert serious(page) == []
    sign_in(page, "canbo.anthanh2")
    assert serious(page) == []
    for form in ("activity", "model_group", "incident"):
        page.goto(live_server + "/#/")
        page.click(f"#new-{form}")
        if form == "incident":  # the first incident asks for the PIN that protects it
            page.wait_for_selector("#pin-form")
            assert serious(page) == []
            page.fill("#pin-new", "246810")
            page.fill("#pin-again", "246810")
            page.fill("#pin-password", "mat-khau-thu-1")
            page.click("#pin-form button[type=submit]")
        page.wait_for_selector("#record-form")
        page.click("#send")  # with errors shown beside the fields
        page.wait_for_selector(".field.invalid")
        assert serious(page) == [], form
    page.goto(live_server + "/#/records/all")
    page.wait_for_selector("#records, #records-empty")
    assert serious(page) == []


def test_phones_screen_and_the_years_plan_have_no_serious_violations(
        page, live_server, browser, browser_context_args, page_errors):
    """The supervisor's "Tình trạng máy" (with a phone at risk and its nudge) and the
    administrator's "Kế hoạch năm" (issue 17: axe on every screen, admin ones included)."""
    from tests.api.test_report_targets import seed_plan
    from tests.e2e.test_device_health import _healthy_phone_of

    seed_plan(live_server.app)
    _healthy_phone_of(live_server, "canbo.anthanh3")
    page.goto(live_server)
    sign_in(page, "giamsat.culaodung")
    page.click("#open-devices")
    page.wait_for_selector("#device-list")
    assert serious(page) == []
    admin = page_errors.watch(browser.new_context(**browser_context_args)).new_page()
    admin.goto(live_server)
    sign_in(admin, "admin.tinh")
    admin.goto(f"{live_server}/#/admin/plan?year=2024")
    admin.wait_for_selector("#plan-rows")
    assert serious(admin) == []
    admin.context.close()


# For each control of the page: focus it, then find every ancestor that clips what it
# paints (paint containment, or overflow other than visible) and the control's focus ring
# (outline + offset) poking out of that ancestor's padding box (plus its clip margin).
CLIPPED_RINGS = """() => {
  const clipped = [];
  const controls = [...document.querySelectorAll('.field input, .field select, .field textarea')]
    .filter((c) => c.checkVisibility() && c.type !== 'hidden');
  for (const control of controls) {
    control.focus();
    const cs = getComputedStyle(control);
    if (cs.outlineStyle === 'none') continue;
    const ring = parseFloat(cs.outlineWidth) + parseFloat(cs.outlineOffset);
    const box = control.getBoundingClientRect();
    for (let a = control.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      const paints = /paint|content|strict/.test(s.contain);
      if (!paints && s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const scrolls = !['visible', 'clip'].includes(s.overflowX);
      const margin = scrolls ? 0 : parseFloat(s.overflowClipMargin) || 0;
      const r = a.getBoundingClientRect();
      const left = r.left + parseFloat(s.borderLeftWidth) - margin;
      const right = r.right - parseFloat(s.borderRightWidth) + margin;
      if (box.left - ring < left - 0.5 || box.right + ring > right + 0.5) {
        const path = control.closest('[data-path]')?.dataset.path || control.id;
        clipped.push(`${path} by ${a.tagName}.${a.className}`);
        break;
      }
    }
  }
  return [controls.length, clipped];
}"""


def test_no_focus_ring_in_the_form_is_cut_off_by_a_question_painted_on_its_own(page,
                                                                            live_server):
    """Each question is laid out and painted on its own (CSS contain: typing no longer
    repaints the whole form); the focus ring pokes out of its sides and must not be cut
    off, for any control of the activity form, where an officer tabs from one to the next."""
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    page.click("#new-activity")
    page.wait_for_selector('[data-path="title_content"] input')
    page.locator('[data-path="activity_type"] select').select_option("giam_sat")
    count, clipped = page.evaluate(CLIPPED_RINGS)
    assert count > 20 and clipped == []
