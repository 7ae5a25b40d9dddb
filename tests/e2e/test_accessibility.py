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
