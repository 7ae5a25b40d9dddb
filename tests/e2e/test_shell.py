"""The app shell in a real Chromium at phone size."""

import time

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import OFFLINE, refused, wait_for_worker

pytestmark = pytest.mark.e2e


def sign_in(page, username, password=PASSWORD):
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")


def test_shell_loads_in_vietnamese_and_officer_signs_in(page, live_server):
    page.goto(live_server)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("#login-form h2")).to_have_text("Đăng nhập")
    sign_in(page, "canbo.anthanh2")
    expect(page.locator("#unit-path")).to_have_text(
        "Tỉnh Sóc Trăng › Huyện Cù Lao Dung › Xã An Thạnh 2")
    # The session survives a reload (a restart of the app on the phone).
    page.reload()
    expect(page.locator("#unit-path")).to_contain_text("Xã An Thạnh 2")


@pytest.mark.page_errors(refused("/api/auth/login"))
def test_wrong_password_shows_a_vietnamese_message(page, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2", "sai-mat-khau")
    expect(page.locator("#login-error")).to_have_text("Tên đăng nhập hoặc mật khẩu không đúng.")


@pytest.mark.page_errors(OFFLINE)
def test_shell_opens_offline_after_one_visit(page, context, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    expect(page.locator("#unit-path")).to_contain_text("Xã An Thạnh 2")
    wait_for_worker(page)
    context.set_offline(True)
    page.reload()
    expect(page.locator("#net-status")).to_have_text("Mất mạng")
    expect(page.locator("#unit-path")).to_contain_text("Xã An Thạnh 2")
    context.set_offline(False)


COUNT_HOMES = """() => {
  window.homesDrawn = 0;
  new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes) {
      if (node.id === "home") window.homesDrawn += 1;
    }
  }).observe(document.getElementById("view"), { childList: true });
}"""


def test_sign_in_draws_home_once_so_a_tap_right_after_is_not_covered(page, live_server):
    """Sign-in used to route twice (the address changed, and an explicit call): the later
    drawing came a moment after the first and covered the PIN screen she had just opened.
    The sync is held here, so no sync-ended redraw can blur the count."""
    held = []
    page.route("**/api/sync/**", lambda route: held.append(route))
    page.goto(live_server)
    page.wait_for_selector("#login-form")
    page.evaluate(COUNT_HOMES)
    sign_in(page, "canbo.anthanh2")
    page.wait_for_selector("#home")
    page.click("#new-incident")
    expect(page.locator("#pin-new")).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("window.homesDrawn") == 1
    expect(page.locator("#pin-new")).to_be_visible()
    for route in held:
        route.continue_()


def test_logout_returns_to_sign_in(page, live_server):
    page.goto(live_server)
    sign_in(page, "giamsat.culaodung")
    expect(page.locator("#home-role")).to_contain_text("Giám sát")
    page.click("#logout")
    expect(page.locator("#login-form")).to_be_visible()
    page.reload()
    expect(page.locator("#login-form")).to_be_visible()


def test_the_watch_sees_csp_refusals_page_errors_and_5xx(page, context, live_server):
    """The class fix itself can fail: what it would report on a broken page."""
    from tests.e2e.conftest import PageErrors

    watch = PageErrors()
    other = watch.watch(context.browser.new_context())
    try:
        probe = other.new_page()
        probe.route("**/api/broken", lambda route: route.fulfill(status=502, body="no"))
        probe.goto(live_server)
        probe.wait_for_selector("#login-form")
        wait_for_worker(probe)  # as in the other tests: the service worker controls the page
        probe.evaluate("""() => {
          const p = document.createElement('p');
          p.setAttribute('style', 'width: 50%');  // refused by style-src 'self'
          document.body.append(p);
          setTimeout(() => { throw new Error('boom'); });
          fetch('/api/broken');  // under /api/: the service worker leaves it to the page
        }""")
        probe.wait_for_timeout(500)
        seen = "\n".join(watch.undeclared())
        assert "CSP violation: style-src-attr" in seen, seen
        assert "pageerror: boom" in seen, seen
        assert "http 502: GET @" in seen, seen
        watch.allow(r"style-src", r"boom", r"502")
        assert watch.undeclared() == []
    finally:
        other.close()


def test_sign_in_fetches_the_unit_tree_in_one_request(page, live_server):
    """Issue 19, item 1: twelve /api/units calls one after another were 4 of the 5 s from
    "Đăng nhập" to home on 3G."""
    from tests.e2e.conftest import sign_in

    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/units" in r.url else None)
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    page.wait_for_selector("#home")
    page.wait_for_timeout(500)
    assert len(asked) == 1 and "depth=2" in asked[0], asked
    tree = page.evaluate("import('/pwa/js/units.js').then(u => u.unitTree())")
    assert len(tree) == 11 and all(d["children"] for d in tree)


def test_every_module_of_the_first_screens_is_preloaded(page, live_server):
    """Issue 19, item 2: the sign-in screen, home and the first form run no module the
    shell did not list as a modulepreload (each one missing is a request round more on
    3G), and the English texts are not fetched for a Vietnamese phone. Issue 19, "3G
    cold": the sign-in screen waits for none of the modules a signed-in phone runs (held
    here until it is drawn); they are preloaded too, behind it."""
    import re

    from cslp_forms.pwa import later_modules, start_modules
    from tests.e2e.conftest import sign_in

    scripts = []
    page.on("request", lambda r: scripts.append(r.url.split("?")[0].removeprefix(live_server))
            if r.resource_type == "script" and r.frame == page.main_frame else None)
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">',
                               page.request.get(live_server).text()))
    first, later = set(start_modules()), set(later_modules())
    assert preloaded == first | later and "/pwa/js/views/home.js" in later - first
    held = []

    def hold(route):
        if held is None:
            route.continue_()
        else:
            held.append(route)

    page.route(lambda url: url.removeprefix(live_server) in later, hold)
    page.goto(live_server)
    expect(page.locator("#username")).to_be_editable()
    assert held and not page.locator("#home").count()
    routes, held = held, None
    for route in routes:
        route.continue_()
    sign_in(page, "canbo.anthanh2")
    page.click("#new-activity")
    page.wait_for_selector('[data-path="title_content"] input')
    assert set(scripts) <= preloaded, set(scripts) - preloaded
    assert "/pwa/js/i18n/en.js" not in preloaded | set(scripts)


def test_reopening_draws_home_from_the_phone_before_the_server_answers(page, live_server):
    """Issue 19, item 1: an online reopen on 3G waited for /api/auth/me (and the forms and
    units after it) before drawing anything; now home comes from IndexedDB at once."""
    from tests.e2e.conftest import sign_in

    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    held = []
    page.route("**/api/auth/me", lambda route: held.append(route))
    page.reload()
    expect(page.locator("#unit-path")).to_contain_text("Xã An Thạnh 2")
    page.click("#new-activity")
    expect(page.locator('[data-path="title_content"] input')).to_be_editable()
    assert len(held) == 1  # the session is still being checked behind the screen
    with page.expect_response("**/api/auth/me"):
        held[0].continue_()
    expect(page.locator('[data-path="title_content"] input')).to_be_editable()


@pytest.mark.page_errors(refused("/api/auth/me"), refused("/api/reminders/due"),
                         refused("/api/sync"))
def test_an_ended_session_found_behind_an_opened_form_does_not_cover_it(page, context,
                                                                        live_server):
    from tests.e2e.conftest import sign_in

    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    # The sign-in's sync (and its device report) ends before the session does.
    page.evaluate("import('/pwa/js/sync.js').then((s) => s.settled())")
    held = []
    page.route("**/api/auth/me", lambda route: held.append(route))
    context.clear_cookies()
    page.reload()
    page.click("#new-activity")
    title = page.locator('[data-path="title_content"] input')
    title.fill("Đang ghi")
    assert len(held) == 1
    with page.expect_response("**/api/auth/me"):
        held[0].continue_()  # answered 401: the session ended
    paused = "import('/pwa/js/db.js').then(db => db.kv.get('paused'))"
    deadline = time.monotonic() + 10
    while not page.evaluate(paused):
        assert time.monotonic() < deadline, "the outbox was not paused"
        page.wait_for_timeout(50)
    expect(title).to_have_value("Đang ghi")
    expect(page.locator("#login-form")).to_have_count(0)
    page.click("#save-exit")
    expect(page.locator("#paused")).to_be_visible()  # home says it, and keeps the draft
    expect(page.locator("#count-draft strong")).to_have_text("1")


def test_sign_in_draws_home_without_waiting_for_the_unit_tree(page, live_server):
    """Sign-in's calls run at once and home waits only for what it shows: the unit tree
    comes behind it, and the first form's unit picker waits for it."""
    from tests.e2e.conftest import sign_in

    held = []
    page.route("**/api/units*", lambda route: held.append(route))
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    expect(page.locator("#unit-path")).to_contain_text("Xã An Thạnh 2")
    assert len(held) == 1
    page.click("#new-activity")
    held[0].continue_()
    expect(page.locator('[data-path="location_unit"] select optgroup')).to_have_count(11)


def test_times_are_shown_on_vietnams_clock_as_the_browser_itself_would(page, live_server):
    """formatDateTime does Vietnam's UTC+7 by arithmetic (Intl's first date format costs
    ~80 ms on a slow phone, on every draw of home): over midnights, month and year ends
    and a leap day, each time's day, month, year, hour and minute are the ones the
    browser's own Intl gives for Asia/Ho_Chi_Minh, in both languages; and today's date
    (vietnamToday: the case, review and dashboard screens' "today") is Intl's."""
    page.goto(live_server)
    expect(page.locator("#username")).to_be_visible()
    wrong = page.evaluate("""async () => {
      const { formatDateTime, vietnamToday } = await import('/pwa/js/ui.js');
      const zone = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh',
        year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
        minute: '2-digit', hourCycle: 'h23' });
      const starts = ['2024-02-28T16:30:00Z', '2024-12-31T16:59:00Z', '2025-06-30T17:00:00Z',
                      '2026-12-01T23:59:59.999Z'];
      const wrong = [];
      for (const start of starts) {
        for (let minutes = -90; minutes <= 90; minutes += 7) {
          const iso = new Date(Date.parse(start) + minutes * 60000).toISOString();
          const parts = zone.formatToParts(new Date(iso));
          const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
          const date = `${p.day}/${p.month}/${p.year}`, time = `${p.hour}:${p.minute}`;
          const want = { vi: `${time} ${date}`, en: `${date}, ${time}` };
          for (const lang of ['vi', 'en']) {
            const got = formatDateTime(iso, lang);
            if (got !== want[lang]) wrong.push([iso, lang, got, want[lang]]);
          }
        }
      }
      if (formatDateTime('', 'vi') !== '' || formatDateTime(null, 'vi') !== '') wrong.push('empty');
      const now = Object.fromEntries(zone.formatToParts(new Date()).map((x) => [x.type, x.value]));
      const today = `${now.year}-${now.month}-${now.day}`;
      if (vietnamToday() !== today) wrong.push(['today', vietnamToday(), today]);
      return wrong;
    }""")
    assert wrong == []
