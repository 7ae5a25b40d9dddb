"""A sync asked for while one is under way is a sync of its own after it: what changed
since the first began (a supervisor's return) is pulled too. It used to join the one under
way and miss it; a test that synced and then reloaded raced the next sync for the return."""

import pytest

from tests.e2e.conftest import sign_in, syncs_ended
from tests.e2e.test_officer_flow import wait_until

pytestmark = pytest.mark.e2e

def test_a_sync_asked_for_during_another_runs_after_it(page, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")

    # A sync of its own, unheld: when it has ended none is under way (sign-in's included).
    assert syncs_ended(page)
    held = []
    page.route("**/api/sync/changes*", lambda route: held.append(route))
    page.evaluate("import('/pwa/js/sync.js').then((s) => {"
                  " window.first = s.drain(); window.second = s.drain(); })")

    def pulls(n):
        page.wait_for_timeout(50)  # lets Playwright deliver the routed requests
        return len(held) >= n

    wait_until(lambda: pulls(1), message="the first sync's pull")
    held[0].continue_()
    wait_until(lambda: pulls(2), message="a second pull, after the first sync")
    held[1].continue_()
    assert page.evaluate("Promise.all([window.first, window.second])"
                         ".then((rs) => rs.map((r) => r.ok))") == [True, True]
    assert len(held) == 2
