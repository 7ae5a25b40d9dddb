"""A version published while a phone was offline (Chromium, 360×640): the draft on the
old version is sent and accepted, the phone then gets the new version at that sync, offers
the new choice and no longer offers the retired one for a new answer."""

import copy

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in, wait_for_worker
from tests.e2e.test_officer_flow import field, fill_activity, wait_until

pytestmark = pytest.mark.e2e

NEW = {"value": "chien_dich_an_toan_2026",
       "label": {"vi": "Chiến dịch Tháng an toàn cho phụ nữ 2026",
                 "en": "Women's Safety Month campaign 2026"}}


def publish_from_server_side(app):
    client = app.test_client()
    body = client.post("/api/auth/login", json={"username": "admin.tinh",
                                                "password": PASSWORD}).get_json()
    data = copy.deepcopy(client.get("/api/forms/activity/1").get_json())
    data["choice_lists"]["campaign"]["choices"].append(NEW)
    for choice in data["choice_lists"]["campaign"]["choices"]:
        if choice["value"] == "khac":
            choice["retired"] = True
    res = client.post("/api/forms/activity/versions", json=data,
                      headers={"X-CSRF-Token": body["csrf_token"]})
    assert res.status_code == 201, res.get_json()


def campaign_options(page):
    """The values offered: radio buttons for a short list, a <select> for a longer one."""
    return field(page, "campaign").locator("input[type=radio], option").evaluate_all(
        "inputs => inputs.map(o => o.value).filter(Boolean)")


def test_offline_draft_on_old_version_is_accepted_then_the_new_version_arrives(
        page, context, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    wait_for_worker(page)
    context.set_offline(True)
    page.reload()
    page.click("#new-activity")
    fill_activity(page)
    assert "khac" in campaign_options(page) and NEW["value"] not in campaign_options(page)
    field(page, "campaign").locator("input[value=khac]").check()
    page.click("#send")
    expect(page.locator("#count-waiting strong")).to_have_text("1")

    publish_from_server_side(live_server.app)
    context.set_offline(False)
    records = wait_until(live_server.records, message="the draft on version 1 arrives")
    assert len(records) == 1 and records[0][3]["campaign"] == "khac"
    # The same sync fetched the forms again: the phone now holds version 2.
    wait_until(lambda: ["activity", 2] in (page.evaluate(
        "import('/pwa/js/db.js').then(db => db.kv.get('forms_current'))") or []),
        message="version 2 on the phone")
    from sqlalchemy import select

    from cslp_forms.extensions import db
    from cslp_forms.models import Submission

    with live_server.app.app_context():
        assert db.session.scalar(select(Submission.form_version)) == 1

    page.goto(live_server + "/#/")
    page.wait_for_selector("#home")
    page.click("#new-activity")
    field(page, "campaign").locator("option").first.wait_for(state="attached")
    options = campaign_options(page)
    assert NEW["value"] in options and "khac" not in options
    fill_activity(page, title="Chiến dịch mới")
    field(page, "campaign").locator("select").select_option(NEW["value"])
    page.click("#send")
    records = wait_until(lambda: len(live_server.records()) == 2 and live_server.records(),
                         message="the record on version 2")
    assert {r[3].get("campaign") for r in records} == {"khac", NEW["value"]}
    with live_server.app.app_context():
        versions = dict(db.session.execute(select(Submission.answers["campaign"].as_string(),
                                                  Submission.form_version)).all())
    assert versions == {"khac": 1, NEW["value"]: 2}
