"""GET /api/forms: the current definitions, with an ETag."""

from tests.conftest import assert_problem


def test_forms_are_served_with_an_etag_and_304(client):
    res = client.get("/api/forms")
    assert res.status_code == 200
    forms = {f["form"]: f for f in res.get_json()["forms"]}
    assert set(forms) == {"activity", "model_group", "incident", "report",
                          "incident_entry", "model_group_entry"}
    assert forms["activity"]["title"]["vi"] and forms["incident"]["sensitive"] is True
    etag = res.headers["ETag"]
    again = client.get("/api/forms", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/api/forms", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_model_group_offers_rapid_response_teams(client):
    forms = {f["form"]: f for f in client.get("/api/forms").get_json()["forms"]}
    values = [c["value"] for c in
              forms["model_group"]["choice_lists"]["model_type"]["choices"]]
    assert "to_phan_ung_nhanh_xam_hai_tre_em" in values


def test_incident_form_has_no_name_or_photo_field(client):
    forms = {f["form"]: f for f in client.get("/api/forms").get_json()["forms"]}
    names = [f["name"] for f in forms["incident"]["fields"]]
    assert not [n for n in names if "name" in n]
    assert not [f for f in forms["incident"]["fields"] if f["type"] == "photo"]


def test_entry_forms_name_their_parent_and_when_they_need_review(client):
    forms = {f["form"]: f for f in client.get("/api/forms").get_json()["forms"]}
    assert forms["incident_entry"]["parent_form"] == "incident"
    assert forms["model_group_entry"]["parent_form"] == "model_group"
    assert "parent_form" not in forms["incident"]
    assert forms["incident_entry"]["sensitive"] is True
    assert forms["incident_entry"]["review"]["when"] == {
        "field": "entry_kind", "in": ["closure", "reopening", "transfer"]}
    names = [f["name"] for f in forms["incident_entry"]["fields"]]
    assert {"entry_date", "entry_kind", "services", "closure_reason", "transfer_unit",
            "next_followup_date"} <= set(names)


def test_one_version_by_number(client):
    assert client.get("/api/forms/activity/1").get_json()["version"] == 1
    assert_problem(client.get("/api/forms/activity/7"), 404, "form.not_found")
