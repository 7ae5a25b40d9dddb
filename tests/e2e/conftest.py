"""Browser tests: Debian's Chromium through Playwright, against the app served from a
thread on a fresh port with its own SQLite file. No Chromium: skip locally, fail under
CI=true."""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

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


@pytest.fixture
def live_server(tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}")
    with app.app_context():
        db.create_all()
    seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()
