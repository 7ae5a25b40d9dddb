"""The CSRF token a write carries is the session's of the moment. A sign-in starts a new
session with a new token; a write the phone sends meanwhile (a sync that the network's
return started, the device report after it) waited for nothing and went out with the new
cookie and the old token: 403, seen by CI after five wrong PINs and a sign-in. And the
token was kept in each copy of api.js, so a sign-in in one tab (or in the page, for the
service worker) left the other sending a token that no longer was the session's."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in, syncs_ended
from tests.e2e.test_officer_flow import wait_until

pytestmark = pytest.mark.e2e

API = "import('/pwa/js/api.js')"
SIGN_IN = ("a.api('/api/auth/login', { method: 'POST',"
           f" body: {{ username: 'canbo.anthanh2', password: '{PASSWORD}' }} }})")
WRITE = ("a.api('/api/sync', { method: 'POST', body: { items: [] } })"
         ".then((r) => r.results.length, (p) => p.status)")


def test_a_write_sent_during_a_sign_in_waits_for_its_token(page, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    # The sign-in's own sync, ended (a drain asked for now runs after it).
    assert syncs_ended(page)
    sent = []
    page.on("request", lambda r: sent.append(r.url.split("?")[0].rsplit("/api", 1)[-1]))
    held = []
    page.route("**/api/auth/login", lambda route: held.append(route))
    # The sign-in first, then at once a write: the order a drain and the form give them.
    page.evaluate(f"{API}.then((a) => {{ window.signIn = {SIGN_IN}; window.write = {WRITE}; }})")
    wait_until(lambda: page.wait_for_timeout(50) or held, message="the sign-in, held")
    page.wait_for_timeout(300)
    assert "/sync" not in sent, "a write went out while the sign-in was unanswered"
    held[0].continue_()
    assert page.evaluate("window.write") == 0  # 200, no item: not a 403
    assert sent.index("/sync") > sent.index("/auth/login")
    assert page.evaluate("window.signIn.then((me) => me.username)") == "canbo.anthanh2"


def test_a_sign_in_in_another_tab_gives_this_one_its_token(page, context, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    assert page.evaluate(f"{API}.then((a) => {WRITE})") == 0
    other = context.new_page()
    other.goto(live_server)
    other.wait_for_selector("#home")
    other.evaluate(f"{API}.then((a) => {SIGN_IN})")  # a new session: this tab's token is gone
    assert page.evaluate(f"{API}.then((a) => {WRITE})") == 0
    other.close()


def test_an_answer_of_the_session_a_sign_in_replaced_keeps_its_token_to_itself(
        page, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    assert syncs_ended(page)
    held = []
    page.route("**/api/auth/me", lambda route: held.append(route))
    page.evaluate(f"{API}.then((a) => {{ window.me = a.api('/api/auth/me'); }})")
    wait_until(lambda: page.wait_for_timeout(50) or held, message="/api/auth/me, held")
    assert page.evaluate(f"{API}.then((a) => {SIGN_IN}).then((me) => me.username)") \
        == "canbo.anthanh2"
    # Asked before the sign-in, answered after it: the old session's token.
    held[0].fulfill(json={"username": "canbo.anthanh2", "csrf_token": "the-old-session"})
    assert page.evaluate("window.me.then((me) => me.csrf_token)") == "the-old-session"
    assert page.evaluate(f"{API}.then((a) => {WRITE})") == 0
