"""Browser tests: Debian's Chromium through Playwright, against the app served from a
thread on a fresh port with its own SQLite file. No Chromium: skip locally, fail under
CI=true."""

from __future__ import annotations

import contextlib
import os
import re
import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from cslp_forms.extensions import db
from tests.conftest import make_app, missing, seed

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        missing(f"no Chromium at {CHROMIUM} (make test installs Debian's chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A cheap Android phone's screen.
    return {**browser_context_args, "viewport": {"width": 360, "height": 640},
            "locale": "vi-VN", "service_workers": "allow"}


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass

    def handle_one_request(self):
        # An unreachable server (LiveServer.unreachable) drops each request unanswered,
        # as a phone with no signal sees it: the browser's fetch fails, nothing is stored.
        if getattr(self.server, "unreachable", False):
            self.close_connection = True
            return
        super().handle_one_request()


class LiveServer(str):
    """The base URL (a str, so `page.goto(live_server)` works) and the app behind it."""

    app = None
    server = None

    @contextlib.contextmanager
    def unreachable(self):
        """No request reaches the app while inside. Chromium's offline emulation
        (`context.set_offline`) does not hold for a service worker it restarts: the
        worker's Background Sync can send before the emulation reaches it. A test that
        asserts nothing arrived while offline goes offline inside this as well."""
        self.server.unreachable = True
        try:
            yield
        finally:
            self.server.unreachable = False

    def records(self):
        """Every stored submission as (uuid, revision, status, answers)."""
        from sqlalchemy import select

        from cslp_forms.models import Submission

        with self.app.app_context():
            rows = db.session.scalars(select(Submission)).all()
            return [(str(r.uuid), r.revision, r.status, r.answers) for r in rows]


@pytest.fixture
def live_server(tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}")
    with app.app_context():
        db.create_all()
    seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live = LiveServer(f"http://127.0.0.1:{server.server_port}")
    live.app, live.server = app, server
    yield live
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


def sign_in(page, username, password=None):
    from tests.conftest import PASSWORD

    page.fill("#username", username)
    page.fill("#password", password or PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#home")


def wait_for_js(page, expression: str, timeout: float = 20.0) -> None:
    """Poll an expression from Python: Playwright's wait_for_function compiles its string
    with eval, which the app's Content-Security-Policy (rightly) refuses."""
    import time

    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(f"Boolean({expression})"):
                return
        except Error as err:  # the page navigated (a reload) while we asked: ask again
            if "context was destroyed" not in str(err):
                raise
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


def wait_for_worker(page):
    wait_for_js(page, "navigator.serviceWorker.controller !== null")


def syncs_ended(page) -> bool:
    """Runs a sync of the page's own and waits for it: one asked for while others are
    under way runs after them, so when it ends none is running. True if it succeeded."""
    return page.evaluate("import('/pwa/js/sync.js').then((s) => s.drain()).then((r) => r.ok)")


# --- What the page saw -------------------------------------------------------------------
# A test that only reads the DOM can pass while the page is broken: a CSP refusal leaves an
# element drawn wrong with nothing but a console error. Every browser context a test uses
# is watched; at teardown the test fails on an uncaught page error, a console error (CSP
# violations included: the init script below reports each one to the console) or an HTTP
# 5xx, unless the test declared it: `@pytest.mark.page_errors(r"regex", ...)` or
# `page_errors.allow(r"regex")` (patterns are searched in "kind: text @ url").

REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
    + ` on ${e.target && e.target.nodeName ? e.target.nodeName.toLowerCase() : "?"}`
    + (e.sample ? ` (${e.sample})` : ""));
});
"""


def worker_first(context):
    """A phone that has opened the app once has its service worker: going offline waits
    until each of the context's pages is controlled by it. Without this a test that goes
    offline and reloads races the worker's install, and loses on a loaded machine (CI)."""
    set_offline = context.set_offline

    def offline_after_the_worker(offline: bool) -> None:
        if offline:
            for page in context.pages:
                if page.url.startswith("http"):
                    wait_for_worker(page)
        set_offline(offline)

    context.set_offline = offline_after_the_worker
    return context


class PageErrors:
    def __init__(self, patterns=()):
        self.seen: list[str] = []
        self.patterns: list[re.Pattern] = [re.compile(p) for p in patterns]
        self.contexts: list = []

    def allow(self, *patterns: str) -> None:
        self.patterns.extend(re.compile(p) for p in patterns)

    def watch(self, context):
        """Collect what every page (now or later) of `context` sees; returns the context
        (which goes offline only once its pages have the worker: worker_first)."""
        if any(c is context for c in self.contexts):
            return context
        self.contexts.append(context)
        context.add_init_script(script=REPORT_CSP)
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)
        context.on("response", self._response)
        return worker_first(context)

    def _response(self, response):
        if response.status >= 500:
            self.seen.append(f"http {response.status}: {response.request.method} @ {response.url}")

    def _watch_page(self, page):
        def console(msg):
            if msg.type == "error":
                self.seen.append(f"console: {msg.text} @ {msg.location.get('url', '')}")
        page.on("console", console)
        page.on("pageerror", lambda err: self.seen.append(f"pageerror: {err}"))

    def undeclared(self) -> list[str]:
        for context in self.contexts:  # let the events already in flight arrive
            for page in context.pages:
                try:
                    page.evaluate("0")
                except Exception:  # noqa: BLE001 - a closed page has nothing left to say
                    pass
        return [s for s in self.seen if not any(p.search(s) for p in self.patterns)]


@pytest.fixture
def page_errors(request):
    patterns = [p for mark in request.node.iter_markers("page_errors") for p in mark.args]
    watcher = PageErrors(patterns)
    yield watcher
    left = watcher.undeclared()
    if left:
        pytest.fail("the page saw errors the test did not declare:\n  " + "\n  ".join(left),
                    pytrace=False)


# What a test that goes offline, or types a wrong password, declares it will see.
OFFLINE = r"net::ERR_INTERNET_DISCONNECTED|net::ERR_SOCKET_NOT_CONNECTED"
# What a request to an unreachable server (LiveServer.unreachable) fails with.
UNREACHABLE = r"net::ERR_EMPTY_RESPONSE|net::ERR_CONNECTION_RESET|net::ERR_CONNECTION_CLOSED"


def refused(path: str, status: int = 401) -> str:
    """The console line of an answer `status` from `path` (an API path, no query)."""
    return rf"status of {status} .* @ https?://[^/]+{re.escape(path)}(\?|$)"


@pytest.fixture
def context(live_server, context, page_errors):
    """The test's browser context, watched; after the live server is up, closed before it
    stops (requests cut by a stopping server are not the page's errors)."""
    yield page_errors.watch(context)
