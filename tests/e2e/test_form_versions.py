"""A version published while a phone was offline (Chromium, 360×640): the draft on the
old version is sent and accepted, the phone then gets the new version at that sync, offers
the new choice and no longer offers the retired one for a new answer."""

import copy

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import OFFLINE, refused, sign_in, wait_for_worker
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


@pytest.mark.page_errors(OFFLINE)
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


def collect_problems(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 500 else None)
    return problems


def test_admin_adds_a_campaign_on_screen_previews_and_publishes(page, live_server):
    page.goto(live_server)
    sign_in(page, "admin.tinh")  # (the 401 of /api/auth/me before it is expected)
    problems = collect_problems(page)
    page.click("#open-forms-admin")
    expect(page.locator("#forms-version")).to_contain_text("1")
    page.select_option("#forms-list", "campaign")
    page.fill("#new-choice-value", NEW["value"])
    page.fill("#new-choice-vi", NEW["label"]["vi"])
    page.fill("#new-choice-en", NEW["label"]["en"])
    page.click("#forms-add-choice")
    page.locator('fieldset[data-value="khac"] .choice-retired').check()
    expect(page.locator("#forms-publish")).to_be_disabled()
    page.click("#forms-preview-button")
    expect(page.locator("#forms-changes li")).to_have_count(2)
    expect(page.locator("#forms-changes")).to_contain_text(NEW["label"]["vi"])
    expect(page.locator("#forms-changes")).to_contain_text("ngừng dùng")
    # The screen fits a phone: nothing wider than 360 px; axe finds nothing serious.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    from tests.e2e.test_accessibility import serious

    assert serious(page) == []
    page.click("#forms-publish")
    expect(page.locator("#forms-version")).to_contain_text("2")
    client = live_server.app.test_client()
    assert NEW["value"] in [c["value"] for c in client.get("/api/forms/activity/2").get_json()[
        "choice_lists"]["campaign"]["choices"]]
    # A retired choice cannot be given another meaning: refused, with the reason shown.
    page.select_option("#forms-list", "campaign")
    row = page.locator('fieldset[data-value="khac"]')
    row.locator(".choice-vi").fill("Chiến dịch khác năm 2027")
    page.click("#forms-preview-button")
    expect(page.locator("#forms-refusals li")).to_have_count(1)
    expect(page.locator("#forms-refusals")).to_contain_text("khac")
    expect(page.locator("#forms-publish")).to_be_disabled()
    assert problems == []  # a dry run answers its refusals with 200


# The sheet with a formula is refused by the server (400), which is what is tested.
@pytest.mark.page_errors(refused("/api/forms/activity/versions", 400))
def test_admin_downloads_the_sheet_uploads_it_edited_and_sees_a_formula_refused(
        page, live_server, tmp_path):
    import io

    from openpyxl import load_workbook

    page.goto(live_server)
    sign_in(page, "admin.tinh")
    problems = collect_problems(page)
    page.click("#open-forms-admin")
    with page.expect_download() as info:
        page.click("#forms-download")
    with open(info.value.path(), "rb") as fh:
        workbook = load_workbook(io.BytesIO(fh.read()))
    workbook["choices"].append(["campaign", NEW["value"], NEW["label"]["vi"],
                                NEW["label"]["en"], None])
    good = tmp_path / "activity.xlsx"
    workbook.save(good)
    page.set_input_files("#forms-upload", str(good))
    expect(page.locator("#forms-changes li")).to_have_count(1)
    expect(page.locator("#forms-publish")).to_be_enabled()
    workbook["choices"]["C2"] = "=1+1"
    bad = tmp_path / "formula.xlsx"
    workbook.save(bad)
    page.set_input_files("#forms-upload", str(bad))
    expect(page.locator("#forms-refusals")).to_contain_text("công thức")
    expect(page.locator("#forms-publish")).to_be_disabled()
    page.set_input_files("#forms-upload", str(good))
    expect(page.locator("#forms-publish")).to_be_enabled()
    page.click("#forms-publish")
    expect(page.locator("#forms-version")).to_contain_text("2")
    # The one refused sheet is a 400 (form.bad_sheet), which the browser logs.
    assert problems == ["console: Failed to load resource: the server responded with a "
                        "status of 400 (BAD REQUEST)"]
