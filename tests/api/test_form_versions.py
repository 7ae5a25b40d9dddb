"""Form versions published on screen: the plain-language preview, what is refused and
why, the transition window for drafts on the old version, the XLSForm sheet both ways,
and the issue's Done-when flow (a new campaign, published, filed, counted, exported)."""

import copy
import csv
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from cslp_forms.extensions import db
from cslp_forms.models import FormVersion
from tests.api.sync_helpers import activity, item
from tests.conftest import assert_problem, make_app, seed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_CAMPAIGN = {"value": "chien_dich_an_toan_2026",
                "label": {"vi": "Chiến dịch Tháng an toàn cho phụ nữ 2026",
                          "en": "Women's Safety Month campaign 2026"}}


def current(session, form="activity") -> dict:
    res = session.get("/api/forms")
    assert res.status_code == 200
    return next(f for f in res.get_json()["forms"] if f["form"] == form)


def with_campaign(definition: dict, choice=NEW_CAMPAIGN) -> dict:
    data = copy.deepcopy(definition)
    data["choice_lists"]["campaign"]["choices"].append(choice)
    return data


def post(session, data, form="activity", dry_run=False, **kw):
    url = f"/api/forms/{form}/versions" + ("?dry_run=true" if dry_run else "")
    return session.post(url, json=data, **kw)


def sync(session, *items):
    res = session.post("/api/sync", json={"items": list(items)})
    assert res.status_code == 200, res.get_data(as_text=True)
    return res.get_json()["results"]


def choices(definition, name):
    return {c["value"]: c for c in definition["choice_lists"][name]["choices"]}


# --- the Done-when flow ----------------------------------------------------------------

def test_new_campaign_published_old_draft_accepted_new_choice_counted_and_exported(login):
    admin, officer = login("admin.tinh"), login("canbo.anthanh2")
    v1 = current(officer)
    assert v1["version"] == 1
    # The phone was offline with a draft on version 1 while the admin published.
    draft = item(activity(campaign="ngay_25_11"))

    preview = post(admin, with_campaign(v1), dry_run=True)
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["refusals"] == [] and body["version"] == 2 and body["base_version"] == 1
    assert body["changes"] == ["Thêm lựa chọn “Chiến dịch Tháng an toàn cho phụ nữ 2026” (giá "
                               "trị chien_dich_an_toan_2026) vào “Đợt cao điểm”."]
    assert current(officer)["version"] == 1  # a dry run publishes nothing

    res = post(admin, with_campaign(v1))
    assert res.status_code == 201, res.get_json()
    published = res.get_json()
    assert published["version"] == 2 and published["published_by"] == "admin.tinh"
    assert len(published["definition_hash"]) == 64 and published["changes"] == body["changes"]

    assert sync(officer, draft)[0]["status"] == "accepted"
    listing = officer.get("/api/forms").get_json()
    activity_now = next(f for f in listing["forms"] if f["form"] == "activity")
    assert activity_now["version"] == 2
    assert "chien_dich_an_toan_2026" in choices(activity_now, "campaign")
    accepted = {(a["form"], a["version"]): a for a in listing["accepted"]}
    assert accepted[("activity", 2)]["current"] and accepted[("activity", 2)]["until"] is None
    assert not accepted[("activity", 1)]["current"] and accepted[("activity", 1)]["until"]
    assert officer.get("/api/forms/activity/2").get_json() == activity_now

    before = indicators(admin)
    filed = item(activity(campaign="chien_dich_an_toan_2026", title_content="Chiến dịch mới"),
                 version=2)
    assert sync(officer, filed)[0]["status"] == "accepted"
    # On version 1 the new value is not a choice: the old version is unchanged.
    old = sync(officer, item(activity(campaign="chien_dich_an_toan_2026")))[0]
    assert old["status"] == "rejected"
    assert {e["code"] for e in old["errors"]} == {"field.not_a_choice"}
    after = indicators(admin)
    assert after["K01"] == before["K01"] + 1  # a legal-education session, counted as such

    rows = list(csv.reader(io.StringIO(admin.get(
        "/api/reports/export?form=activity&format=csv&unit=94").get_data().decode("utf-8-sig"))))
    found = [r for r in rows if filed["uuid"] in r]
    assert found and "Chiến dịch Tháng an toàn cho phụ nữ 2026" in found[0]


def indicators(session) -> dict:
    res = session.get("/api/reports/indicators?unit=94&year=2024&include_pending=true")
    assert res.status_code == 200, res.get_json()
    return {i["code"]: i["actual"] for i in res.get_json()["indicators"]}


# --- what may change, what is refused ----------------------------------------------

def test_relabel_retire_and_hints_are_published_and_retired_choice_stays_valid(login):
    admin, officer = login("admin.tinh"), login("canbo.anthanh2")
    data = copy.deepcopy(current(admin))
    campaign = choices(data, "campaign")
    campaign["khac"]["retired"] = True
    campaign["none"]["label"] = {"vi": "Không thuộc đợt nào", "en": "No campaign"}
    field = next(f for f in data["fields"] if f["name"] == "hamlet")
    field["hint"] = {"vi": "Ghi tên ấp hoặc khóm.", "en": "Hamlet or neighbourhood."}
    data["title"] = {"vi": "Phiếu hoạt động", "en": "Activity"}
    res = post(admin, data)
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["changes"] == [
        "Đổi tên biểu mẫu: “Phiếu ghi nhận hoạt động” → “Phiếu hoạt động”.",
        "Hướng dẫn của trường “Ấp, khóm”: “Ghi tên ấp hoặc khóm.”.",
        "Trong “Đợt cao điểm”: đổi nhãn “Không thuộc đợt cao điểm nào” thành “Không thuộc "
        "đợt nào” (tiếng Anh: “No campaign”).",
        "Trong “Đợt cao điểm”: ngừng dùng “Đợt cao điểm khác” cho phiếu mới (các phiếu cũ "
        "giữ nguyên)."]
    served = current(officer)
    assert choices(served, "campaign")["khac"]["retired"] is True
    # Retired: still valid on old records and drafts, on either version.
    for version in (1, 2):
        assert sync(officer, item(activity(campaign="khac"), version=version))[0]["status"] \
            == "accepted"
    # Brought back with the label it had: allowed.
    again = copy.deepcopy(served)
    choices(again, "campaign")["khac"].pop("retired")
    res = post(admin, again)
    assert res.status_code == 201 and res.get_json()["changes"] == [
        "Trong “Đợt cao điểm”: dùng lại “Đợt cao điểm khác”."]


def _remove_field(d):
    d["fields"] = [f for f in d["fields"] if f["name"] != "hamlet"]


def _retype(d):
    next(f for f in d["fields"] if f["name"] == "hamlet")["type"] = "long_text"


def _require(d):
    next(f for f in d["fields"] if f["name"] == "hamlet")["required"] = True


def _add_field(d):
    d["fields"].append({"name": "weather", "type": "text",
                        "label": {"vi": "Thời tiết", "en": "Weather"}})


def _remove_choice(d):
    d["choice_lists"]["campaign"]["choices"] = [
        c for c in d["choice_lists"]["campaign"]["choices"] if c["value"] != "khac"]


def _retire_and_relabel(d):
    khac = choices(d, "campaign")["khac"]
    khac["retired"] = True
    khac["label"] = {"vi": "Chiến dịch 2026", "en": "Campaign 2026"}


def _retire_all(d):
    for c in d["choice_lists"]["lead_role"]["choices"]:
        c["retired"] = True


def _duplicate(d):
    d["choice_lists"]["campaign"]["choices"].append(
        {"value": "none", "label": {"vi": "Lặp", "en": "Again"}})


def _bad_value(d):
    d["choice_lists"]["campaign"]["choices"].append(
        {"value": "Chiến dịch", "label": {"vi": "Chiến dịch", "en": "Campaign"}})


def _no_english(d):
    d["choice_lists"]["campaign"]["choices"].append(
        {"value": "moi", "label": {"vi": "Mới", "en": ""}})


def _review_chain(d):
    d["review"] = {"chain": ["district", "province"]}


def _other_list(d):
    next(f for f in d["fields"] if f["name"] == "campaign")["choices"] = "lead_role"


def _drop_list(d):
    d["choice_lists"].pop("language")


def _condition(d):
    next(f for f in d["fields"] if f["name"] == "supervised_entity")["relevant"] = {
        "field": "activity_type", "eq": "giam_sat"}


@pytest.mark.parametrize("change, code, field", [
    (_remove_field, "form_version.field_removed", "hamlet"),
    (_retype, "form_version.type_changed", "hamlet"),
    (_require, "form_version.structure_changed", "hamlet.required"),
    (_condition, "form_version.structure_changed", "supervised_entity.relevant"),
    (_add_field, "form_version.field_added", "weather"),
    (_remove_choice, "form_version.choice_removed", "choice_lists.campaign"),
    (_retire_and_relabel, "form_version.value_reused", "choice_lists.campaign.choices.5"),
    (_retire_all, "form_version.no_choice_left", "choice_lists.lead_role"),
    (_duplicate, "form_version.duplicate_value", "choice_lists.campaign.choices.6"),
    (_bad_value, "form_version.bad_value", "choice_lists.campaign.choices.6"),
    (_no_english, "form_version.bad_label", "choice_lists.campaign.choices.6.label"),
    (_review_chain, "form_version.structure_changed", "review"),
    (_other_list, "form_version.structure_changed", "campaign.choices"),
    (_drop_list, "form_version.list_removed", "choice_lists.language"),
])
def test_a_change_that_would_break_records_is_refused(login, change, code, field):
    admin = login("admin.tinh")
    data = copy.deepcopy(current(admin))
    change(data)
    preview = post(admin, data, dry_run=True).get_json()
    assert (field, code) in {(r["field"], r["code"]) for r in preview["refusals"]}, preview
    assert all(r["message"] for r in preview["refusals"])
    body = assert_problem(post(admin, data), 400, "form.change_refused")
    assert (field, code) in {(e["field"], e["code"]) for e in body["errors"]}
    assert current(admin)["version"] == 1


def test_a_value_an_earlier_version_had_cannot_come_back_with_another_meaning(login):
    admin = login("admin.tinh")
    moi = {"value": "moi", "label": {"vi": "Đợt mới", "en": "New"}}
    assert post(admin, with_campaign(current(admin), moi)).status_code == 201
    v2 = current(admin)
    choices(v2, "campaign")["moi"]["retired"] = True
    assert post(admin, v2).status_code == 201
    v3 = current(admin)
    # Someone edits the JSON by hand and drops the retired value, then adds it back.
    v3["choice_lists"]["campaign"]["choices"] = [
        c for c in v3["choice_lists"]["campaign"]["choices"] if c["value"] != "moi"]
    v3["choice_lists"]["campaign"]["choices"].append(
        {"value": "moi", "label": {"vi": "Một nghĩa khác", "en": "Something else"}})
    refusals = post(admin, v3, dry_run=True).get_json()["refusals"]
    assert "form_version.value_reused" in {r["code"] for r in refusals}
    assert "Đợt mới" in next(r["message"] for r in refusals
                             if r["code"] == "form_version.value_reused")


def test_only_province_admins_publish_and_a_stale_edit_is_refused(login):
    data = with_campaign(current(login("admin.tinh")))
    for username in ("canbo.anthanh2", "giamsat.tinh"):
        assert_problem(post(login(username), data), 403, "auth.forbidden")
        assert_problem(post(login(username), data, dry_run=True), 403, "auth.forbidden")
        assert_problem(login(username).get("/api/forms/activity/versions"), 403,
                       "auth.forbidden")
    admin = login("admin.tinh")
    assert post(admin, data).status_code == 201
    # Edited from version 1 again, by a second administrator who had the old one open.
    other = with_campaign(data, {"value": "khac_2", "label": {"vi": "Khác 2", "en": "Other 2"}})
    assert_problem(post(admin, other), 409, "form.stale_version")
    assert_problem(post(admin, other, dry_run=True), 409, "form.stale_version")


@pytest.mark.parametrize("body, kwargs, status, code", [
    (None, {"data": b"{not json", "content_type": "application/json"}, 400,
     "request.malformed"),
    (None, {"data": b"[1, 2]", "content_type": "application/json"}, 400, "request.malformed"),
    (None, {"data": b"hello", "content_type": "text/plain"}, 415,
     "request.unsupported_media_type"),
    (None, {"data": b"PK\x03\x04 not a zip", "content_type": XLSX}, 400, "form.bad_sheet"),
])
def test_bad_bodies(login, body, kwargs, status, code):
    admin = login("admin.tinh")
    assert_problem(admin.post("/api/forms/activity/versions", **kwargs), status, code)


def test_unknown_form_no_change_and_bad_dry_run(login):
    admin = login("admin.tinh")
    data = current(admin)
    assert_problem(post(admin, {**data, "form": "nope"}, form="nope"), 404, "form.not_found")
    body = assert_problem(post(admin, data), 400, "form.change_refused")
    assert body["errors"][0]["code"] == "form_version.no_change"
    assert_problem(admin.post("/api/forms/activity/versions?dry_run=maybe", json=data), 400,
                   "request.invalid")


def test_publish_audit_lists_actor_before_and_after(app, login):
    admin = login("admin.tinh")
    v1 = current(admin)
    post(admin, with_campaign(v1))
    entries = admin.get("/api/forms/activity/versions").get_json()["entries"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["actor"] == "admin.tinh" and entry["action"] == "form.publish"
    assert entry["target"] == "activity" and entry["at"].endswith("Z")
    assert entry["before"]["version"] == 1 and entry["after"]["version"] == 2
    assert entry["after"]["changes"]
    # The same publish is in the administrators' audit, with the other admin changes.
    [audited] = admin.get("/api/audit/admin?target=form:activity").get_json()["entries"]
    assert (audited["actor"], audited["target"]) == ("admin.tinh", "form:activity")
    assert json.loads(audited["before"]) == {"version": 1}
    assert json.loads(audited["after"])["version"] == 2
    with app.app_context():
        row = db.session.scalar(db.select(FormVersion))
        assert row.base_hash == "4d8ac68dc81e9845afc485d594f6d1cfcf4a1623582a46f4891bbafe8423fc48"


def test_published_rows_are_append_only(tmp_path, login):
    """The migration's triggers refuse UPDATE and DELETE (SQLite here, PostgreSQL in pg)."""
    from flask_migrate import upgrade
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'v.db'}")
    with app.app_context():
        upgrade()
    seed(app)
    client = app.test_client()
    res = client.post("/api/auth/login", json={"username": "admin.tinh",
                                               "password": "mat-khau-thu-1"})
    token = res.get_json()["csrf_token"]
    data = with_campaign(client.get("/api/forms/activity/1").get_json())
    assert client.post("/api/forms/activity/versions", json=data,
                       headers={"X-CSRF-Token": token}).status_code == 201
    with app.app_context():
        for statement in ("UPDATE form_versions SET definition = '{}'",
                          "DELETE FROM form_versions"):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()


# --- the transition window -----------------------------------------------------------

def test_after_the_window_a_new_draft_on_the_old_version_is_refused(app, login):
    app.config["FORM_VERSION_GRACE_DAYS"] = 0
    admin, officer = login("admin.tinh"), login("canbo.anthanh2")
    stored = item()
    assert sync(officer, stored)[0]["status"] == "accepted"
    assert post(admin, with_campaign(current(admin))).status_code == 201
    late = sync(officer, item())[0]
    assert late["status"] == "rejected"
    assert [(e["field"], e["code"]) for e in late["errors"]] == [
        ("version", "form.version_expired")]
    # The record already stored keeps its version: a resend is a duplicate, a new
    # revision is accepted.
    assert sync(officer, stored)[0]["status"] == "duplicate"
    revised = {**stored, "base_revision": 1,
               "answers": activity(title_content="Sửa lại nội dung")}
    assert sync(officer, revised)[0]["status"] == "accepted"
    accepted = officer.get("/api/forms").get_json()["accepted"]
    assert ("activity", 1) not in {(a["form"], a["version"]) for a in accepted}


# --- the XLSForm sheet ---------------------------------------------------------------

def sheet(res):
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    assert res.mimetype == XLSX
    return load_workbook(io.BytesIO(res.get_data()))


def rows(ws):
    return [[c.value for c in r] for r in ws.iter_rows()]


def test_sheet_has_survey_choices_settings_in_both_languages(login):
    wb = sheet(login("canbo.anthanh2").get("/api/forms/activity/1.xlsx"))
    assert wb.sheetnames == ["survey", "choices", "settings"]
    survey = rows(wb["survey"])
    assert survey[0] == ["type", "name", "label::Vietnamese (vi)", "label::English (en)",
                         "hint::Vietnamese (vi)", "hint::English (en)", "required"]
    by_name = {r[1]: r for r in survey[1:]}
    assert by_name["campaign"][0] == "select_one campaign"
    assert by_name["start_date"][6] == "yes"
    choice_rows = rows(wb["choices"])
    assert choice_rows[0] == ["list_name", "name", "label::Vietnamese (vi)",
                              "label::English (en)", "retired"]
    assert ["campaign", "ngay_25_11"] in [r[:2] for r in choice_rows]
    assert rows(wb["settings"])[1][:2] == ["activity", 1]
    assert_problem(login("canbo.anthanh2").get("/api/forms/activity/9.xlsx"), 404,
                   "form.not_found")


def test_sheet_text_that_looks_like_a_formula_stays_text(login):
    admin = login("admin.tinh")
    evil = {"value": "bieu_thuc", "label": {"vi": "=HYPERLINK(\"http://x\",\"bấm\")",
                                            "en": "+cmd|' /C calc'!A0"}}
    assert post(admin, with_campaign(current(admin), evil)).status_code == 201
    wb = sheet(admin.get("/api/forms/activity/2.xlsx"))
    cells = [r for r in wb["choices"].iter_rows() if r[1].value == "bieu_thuc"][0]
    for cell in cells[2:4]:
        assert cell.data_type == "s" and cell.quotePrefix
    assert cells[2].value.startswith("=HYPERLINK")


def edited_sheet(session, edit) -> bytes:
    wb = sheet(session.get("/api/forms/activity/1.xlsx"))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_sheet_round_trip_adds_a_choice_and_publishes(login):
    admin = login("admin.tinh")
    unchanged = edited_sheet(admin, lambda wb: None)
    body = assert_problem(admin.post("/api/forms/activity/versions", data=unchanged,
                                     content_type=XLSX), 400, "form.change_refused")
    assert [e["code"] for e in body["errors"]] == ["form_version.no_change"]

    def add(wb):
        wb["choices"].append(["campaign", NEW_CAMPAIGN["value"], NEW_CAMPAIGN["label"]["vi"],
                              NEW_CAMPAIGN["label"]["en"], None])
        for row in wb["choices"].iter_rows(min_row=2):
            if row[0].value == "language" and row[1].value == "zh":
                row[4].value = "yes"

    body = edited_sheet(admin, add)
    preview = admin.post("/api/forms/activity/versions?dry_run=true", data=body,
                         content_type=XLSX)
    assert preview.status_code == 200, preview.get_json()
    assert preview.get_json()["refusals"] == []
    assert len(preview.get_json()["changes"]) == 2
    res = admin.post("/api/forms/activity/versions", data=body, content_type=XLSX)
    assert res.status_code == 201, res.get_json()
    served = current(admin)
    assert served["version"] == 2 and NEW_CAMPAIGN["value"] in choices(served, "campaign")
    assert choices(served, "language")["zh"]["retired"] is True
    # Everything the sheet does not carry is kept from version 1.
    v1 = admin.get("/api/forms/activity/1").get_json()
    assert served["checks"] == v1["checks"] and served["review"] == v1["review"]
    assert [f.get("relevant") for f in served["fields"]] == \
        [f.get("relevant") for f in v1["fields"]]


def _delete_row(wb):
    ws = wb["survey"]
    for index, row in enumerate(ws.iter_rows(min_row=2), 2):
        if row[1].value == "hamlet":
            ws.delete_rows(index)
            return


def _retype_row(wb):
    for row in wb["survey"].iter_rows(min_row=2):
        if row[1].value == "hamlet":
            row[0].value = "integer"


def test_sheet_changes_that_break_records_are_refused(login):
    admin = login("admin.tinh")
    for edit, code in ((_delete_row, "form_version.field_removed"),
                       (_retype_row, "form_version.type_changed")):
        body = assert_problem(admin.post("/api/forms/activity/versions",
                                         data=edited_sheet(admin, edit), content_type=XLSX),
                              400, "form.change_refused")
        assert [(e["field"], e["code"]) for e in body["errors"]] == [("hamlet", code)]


def _formula(wb):
    wb["choices"]["C2"] = "=1+1"


def _no_choices(wb):
    del wb["choices"]


def _no_name_column(wb):
    wb["survey"]["B1"] = "ten"


def _other_version(wb):
    wb["settings"]["B2"] = 7


def _bad_type(wb):
    wb["survey"]["A2"] = "geopoint"


def _stray_end(wb):
    wb["survey"]["A2"] = "end_repeat"


def _unclosed(wb):
    wb["survey"].append(["begin_repeat", "extra_rows", "Thêm", "More"])


@pytest.mark.parametrize("edit, field, detail", [
    (_formula, "choices!C2", "công thức"),
    (_stray_end, "survey!2", "end_repeat"),
    (_unclosed, "survey", "end_repeat"),
    (_no_choices, "choices", "choices"),
    (_no_name_column, "survey!1", "name"),
    (_other_version, "settings", "version"),
    (_bad_type, "survey!2", "geopoint"),
])
def test_bad_sheets_are_refused_with_the_cell(login, edit, field, detail):
    admin = login("admin.tinh")
    body = assert_problem(admin.post("/api/forms/activity/versions?dry_run=true",
                                     data=edited_sheet(admin, edit), content_type=XLSX),
                          400, "form.bad_sheet")
    assert any(e["field"] == field and detail in e["message"] for e in body["errors"]), body


def test_a_sheet_for_another_form_is_refused(login):
    admin = login("admin.tinh")
    wb = Workbook()
    wb.active.title = "survey"
    wb["survey"].append(["type", "name"])
    wb.create_sheet("choices").append(["list_name", "name"])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["report", 1])
    out = io.BytesIO()
    wb.save(out)
    body = assert_problem(admin.post("/api/forms/activity/versions", data=out.getvalue(),
                                     content_type=XLSX), 400, "form.bad_sheet")
    assert body["errors"][0]["field"] == "settings"


def test_published_version_survives_a_new_process(app, login):
    """The registry reads form_versions, not memory: a fresh parse of the stored row."""
    from cslp_forms.services.base import forms as forms_module

    admin = login("admin.tinh")
    assert post(admin, with_campaign(current(admin))).status_code == 201
    forms_module._parsed.clear()
    forms_module._merged.clear()
    assert current(login("canbo.anthanh2"))["version"] == 2


def test_the_published_vectors_definition_is_what_publishing_makes(login):
    """tests/vectors/published.json runs on the definition this publish serves."""
    import json

    from tests.vectors import VECTOR_DIR, published

    admin = login("admin.tinh")
    spec = json.loads((VECTOR_DIR / "published.json").read_text(encoding="utf-8"))
    v1 = current(admin)
    expected = published(v1, spec["published"])
    proposed = {**expected, "version": 1}
    res = post(admin, proposed)
    assert res.status_code == 201, res.get_json()
    assert current(admin) == expected
    officer = login("canbo.anthanh2")
    for case in spec["cases"]:
        answers = {**spec["base"], **case["answers"]}
        result = sync(officer, item(answers, version=2))[0]
        assert sorted((e["field"], e["code"]) for e in result.get("errors", [])) == \
            sorted((e["field"], e["code"]) for e in case["errors"]), case["name"]


def _mangled(edit):
    def build(base):
        data = copy.deepcopy(base)
        edit(data)
        return data
    return build


@pytest.mark.parametrize("build", [
    _mangled(lambda d: d.update(fields="x")),
    _mangled(lambda d: d.update(choice_lists=[])),
    _mangled(lambda d: d.update(title=5)),
    _mangled(lambda d: d.update(fields=[1, None, "a"])),
    _mangled(lambda d: d["choice_lists"]["campaign"].update(choices=[1, {"value": 2}, {}])),
    _mangled(lambda d: d["choice_lists"]["campaign"].update(choices="abc")),
    _mangled(lambda d: d["choice_lists"].update(campaign=None)),
    _mangled(lambda d: d["fields"][0].update(label=None, hint=[1])),
    _mangled(lambda d: d["choice_lists"]["campaign"]["choices"][0].update(
        retired="yes", label={"vi": 1, "en": None})),
    _mangled(lambda d: d.pop("date_field")),
    _mangled(lambda d: d.update(form=None)),
], ids=range(11))
def test_a_mangled_definition_is_refused_never_a_server_error(login, build):
    admin = login("admin.tinh")
    data = build(current(admin))
    preview = post(admin, data, dry_run=True)
    assert preview.status_code == 200 and preview.get_json()["refusals"], preview.get_json()
    assert_problem(post(admin, data), 400, "form.change_refused")
