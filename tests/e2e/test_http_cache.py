"""No case data left in the browser's HTTP cache: a supervisor opens an incident and its
history, signs out and closes the browser; nothing under the profile directory holds a
word of it (every /api/* answer is no-store, and sign-out clears the cache)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.api.sync_helpers import item
from tests.api.test_privacy import MARKER, incident
from tests.conftest import PASSWORD, Session
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, OFFLINE, sign_in, wait_for_worker

pytestmark = pytest.mark.e2e


def _file_incident(app) -> str:
    client = app.test_client()
    body = client.post("/api/auth/login", json={"username": "canbo.anthanh2",
                                                "password": PASSWORD}).get_json()
    officer = Session(client, body["csrf_token"], body)
    it = item(incident(), form="incident")
    res = officer.post("/api/sync", json={"items": [it]})
    assert res.get_json()["results"][0]["status"] == "accepted", res.get_json()
    return it["uuid"]


def _files_holding(folder: Path, text: str) -> list[str]:
    needle = text.encode()
    return [str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and needle in p.read_bytes()]


@pytest.mark.page_errors(OFFLINE)
def test_an_opened_incident_leaves_nothing_on_disk(playwright, live_server, tmp_path, page_errors):
    uuid = _file_incident(live_server.app)
    profile = tmp_path / "profile"
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
        viewport={"width": 360, "height": 640}, locale="vi-VN")
    page = page_errors.watch(context).new_page()
    page.goto(live_server)
    sign_in(page, "giamsat.culaodung")
    wait_for_worker(page)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server}/#/review/{uuid}")
    expect(page.locator("#view")).to_contain_text(MARKER)
    history = page.evaluate(f"fetch('/api/submissions/{uuid}/history').then(r => r.text())")
    assert MARKER in history
    page.goto(f"{live_server}/#/")
    page.click("#logout")
    page.wait_for_selector("#login-form")
    assert errors == []
    # Clearing the HTTP cache leaves the offline shell: the app still opens with no network
    # (and says so in the console: its sign-in check cannot reach the server).
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("#login-form")
    context.close()
    assert _files_holding(profile, MARKER) == []
