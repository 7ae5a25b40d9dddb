"""Browser tests: Debian's Chromium through Playwright, against the app served from a
thread on a fresh port with its own SQLite file. No Chromium: skip locally, fail under
CI=true."""

from __future__ import annotations

import os
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


class LiveServer(str):
    """The base URL (a str, so `page.goto(live_server)` works) and the app behind it."""

    app = None

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
    live.app = app
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
