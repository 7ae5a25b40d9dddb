"""Review up the hierarchy: the state machine, permissions, history, queue, completeness."""

import pytest

from tests.api.sync_helpers import activity, item
from tests.api.test_sync import sync
from tests.conftest import assert_problem

GROUP = {"model_type": "to_phan_ung_nhanh_xam_hai_tre_em",
         "name": "Tổ phản ứng nhanh xã An Thạnh 2", "program_source": ["de_an_938"],
         "established_date": "2024-06-01",
         "status": "dang_hoat_dong", "status_date": "2024-11-01", "members_total": 9,
         "member_sectors": ["hoi_phu_nu", "cong_an"]}


def file_record(login, form="activity", answers=None, username="canbo.anthanh2", unit="31630"):
    officer = login(username)
    it = item(answers or (activity() if form == "activity" else GROUP), form=form, unit=unit)
    assert sync(officer, it)[0]["status"] == "accepted", it
    return it["uuid"]


def decide(session, uuid, decision, revision=1, comment=None, **extra):
    body = {"decision": decision, "revision": revision, **extra}
    if comment is not None:
        body["comment"] = comment
    return session.post(f"/api/review/{uuid}/decisions", json=body)


def bring_to(login, uuid, status):
    """Put an activity in `status` through real decisions."""
    district = login("giamsat.culaodung")
    if status == "approved":
        assert decide(district, uuid, "approve").status_code == 200
    elif status == "returned":
        assert decide(district, uuid, "return", comment="Thiếu số người tham dự").status_code == 200
    elif status == "rejected":
        assert decide(district, uuid, "reject", comment="Trùng phiếu").status_code == 200


# (state, actor, decision) -> HTTP status, problem code or new state
ACTIVITY_TABLE = [
    ("submitted", "giamsat.culaodung", "approve", 200, "approved"),
    ("submitted", "giamsat.culaodung", "return", 200, "returned"),
    ("submitted", "giamsat.culaodung", "reject", 200, "rejected"),
    ("submitted", "giamsat.chauthanh", "approve", 403, "review.not_allowed"),
    ("submitted", "canbo.anthanh2", "approve", 403, "review.not_allowed"),
    ("submitted", "canbo.thienmy", "return", 403, "review.not_allowed"),
    ("submitted", "giamsat.tinh", "approve", 403, "review.not_allowed"),
    ("submitted", "admin.tinh", "approve", 403, "review.not_allowed"),
    ("approved", "giamsat.culaodung", "approve", 409, "review.invalid_transition"),
    ("approved", "giamsat.culaodung", "return", 409, "review.invalid_transition"),
    ("approved", "giamsat.culaodung", "reject", 409, "review.invalid_transition"),
    ("returned", "giamsat.culaodung", "approve", 409, "review.invalid_transition"),
    ("returned", "giamsat.culaodung", "reject", 409, "review.invalid_transition"),
    ("rejected", "giamsat.culaodung", "approve", 409, "review.invalid_transition"),
    ("rejected", "giamsat.culaodung", "return", 409, "review.invalid_transition"),
    ("approved", "giamsat.chauthanh", "return", 403, "review.not_allowed"),
]


@pytest.mark.parametrize("state, actor, decision, status, outcome", ACTIVITY_TABLE)
def test_activity_state_machine(login, state, actor, decision, status, outcome):
    uuid = file_record(login)
    bring_to(login, uuid, state)
    res = decide(login(actor), uuid, decision, comment="Lý do")
    if status == 200:
        assert res.status_code == 200, res.get_json()
        assert res.get_json()["status"] == outcome
    else:
        assert_problem(res, status, outcome)


MODEL_GROUP_TABLE = [
    # (decisions before, actor, decision) -> status, outcome
    ([], "giamsat.culaodung", "approve", 200, "in_review"),
    ([], "giamsat.tinh", "approve", 403, "review.not_allowed"),
    (["giamsat.culaodung"], "giamsat.tinh", "approve", 200, "approved"),
    (["giamsat.culaodung"], "giamsat.tinh", "return", 200, "returned"),
    (["giamsat.culaodung"], "giamsat.culaodung", "approve", 403, "review.not_allowed"),
    (["giamsat.culaodung", "giamsat.tinh"], "giamsat.tinh", "approve", 409,
     "review.invalid_transition"),
]


@pytest.mark.parametrize("before, actor, decision, status, outcome", MODEL_GROUP_TABLE)
def test_model_group_climbs_district_then_province(login, before, actor, decision, status,
                                                  outcome):
    uuid = file_record(login, form="model_group")
    for reviewer in before:
        assert decide(login(reviewer), uuid, "approve").status_code == 200
    res = decide(login(actor), uuid, decision, comment="Bổ sung quyết định thành lập")
    if status == 200:
        body = res.get_json()
        assert res.status_code == 200 and body["status"] == outcome
        if outcome == "in_review":
            assert body["awaiting"] == {"code": "94", "name": "Tỉnh Sóc Trăng",
                                        "level": "province"}
    else:
        assert_problem(res, status, outcome)


def test_a_districts_own_activity_goes_to_the_province(login):
    uuid = file_record(login, username="giamsat.culaodung", unit="945")
    assert_problem(decide(login("giamsat.culaodung"), uuid, "approve"), 403,
                   "review.not_allowed")
    res = decide(login("giamsat.tinh"), uuid, "approve")
    assert res.status_code == 200 and res.get_json()["status"] == "approved"


def test_decision_on_a_stale_revision_is_409(login):
    officer = login("canbo.anthanh2")
    it = item()
    sync(officer, it)
    sync(officer, {**it, "base_revision": 1, "answers": activity(participants_total=50)})
    assert_problem(decide(login("giamsat.culaodung"), it["uuid"], "approve", revision=1), 409,
                   "review.stale")


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_return_and_reject_need_a_comment(login, decision):
    uuid = file_record(login)
    body = assert_problem(decide(login("giamsat.culaodung"), uuid, decision, comment="  "),
                          400, "request.invalid")
    assert body["errors"][0]["field"] == "comment"


@pytest.mark.parametrize("body", [{"decision": "maybe", "revision": 1},
                                  {"decision": "approve"},
                                  {"decision": "approve", "revision": "1"},
                                  {"decision": "approve", "revision": 1, "comment": 5}])
def test_malformed_decisions_are_400(login, body):
    uuid = file_record(login)
    res = login("giamsat.culaodung").post(f"/api/review/{uuid}/decisions", json=body)
    assert_problem(res, 400, "request.invalid")


def test_unknown_record_is_403_not_a_leak(login):
    res = decide(login("giamsat.culaodung"), "6f1c2b0e-3f7a-4c55-9d0e-2a8f3b1c9e01", "approve")
    assert_problem(res, 403, "review.not_allowed")


def test_return_reaches_the_officer_and_resubmission_is_reviewed_again(login):
    officer, district = login("canbo.anthanh2"), login("giamsat.culaodung")
    it = item()
    sync(officer, it)
    res = decide(district, it["uuid"], "return", comment="Thiếu số nam tham dự",
                 field_comments={"participants_male": "Ghi số nam"})
    assert res.status_code == 200
    change = officer.get("/api/sync/changes").get_json()["changes"][-1]
    assert change["status"] == "returned"
    assert change["review"]["comment"] == "Thiếu số nam tham dự"
    assert change["review"]["field_comments"] == {"participants_male": "Ghi số nam"}
    assert change["review"]["by"] == "giamsat.culaodung"
    result = sync(officer, {**it, "base_revision": 1,
                            "answers": activity(participants_male=7)})[0]
    assert result == {"uuid": it["uuid"], "status": "accepted", "revision": 2}
    detail = district.get(f"/api/submissions/{it['uuid']}").get_json()
    assert (detail["status"], detail["revision"], detail["can_decide"]) == ("submitted", 2, True)
    assert decide(district, it["uuid"], "approve", revision=2).get_json()["status"] == "approved"
    locked = sync(officer, {**it, "base_revision": 2, "answers": activity(participants_male=6)})
    assert locked[0]["status"] == "locked"


def test_history_shows_revisions_diffs_and_decisions(login):
    officer, district = login("canbo.anthanh2"), login("giamsat.culaodung")
    it = item()
    sync(officer, it)
    decide(district, it["uuid"], "return", comment="Thiếu số nam tham dự")
    sync(officer, {**it, "base_revision": 1, "answers": activity(participants_total=50)})
    decide(district, it["uuid"], "approve", revision=2)
    events = officer.get(f"/api/submissions/{it['uuid']}/history").get_json()["events"]
    assert [(e["kind"], e.get("revision"), e.get("decision")) for e in events] == [
        ("revision", 1, None), ("decision", 1, "return"), ("revision", 2, None),
        ("decision", 2, "approve")]
    assert events[1]["comment"] == "Thiếu số nam tham dự"
    assert events[2]["changes"] == [{"field": "participants_total", "before": 45,
                                     "after": 50}]
    assert events[3]["unit"]["code"] == "945"


def test_history_and_detail_respect_scope(login):
    uuid = file_record(login)
    for username in ("canbo.thienmy", "giamsat.chauthanh"):
        assert_problem(login(username).get(f"/api/submissions/{uuid}/history"), 404,
                       "submission.not_found")
        assert_problem(login(username).get(f"/api/submissions/{uuid}"), 404,
                       "submission.not_found")
    assert login("admin.tinh").get(f"/api/submissions/{uuid}").status_code == 200


def test_queue_puts_records_awaiting_her_first_and_filters(login):
    first = file_record(login, form="model_group")
    second = file_record(login)
    decide(login("giamsat.culaodung"), first, "approve")  # now awaiting the province
    district = login("giamsat.culaodung")
    queue = district.get("/api/review/queue").get_json()
    assert [r["uuid"] for r in queue["records"]] == [second, first]
    assert [r["awaiting_me"] for r in queue["records"]] == [True, False]
    province = login("giamsat.tinh").get("/api/review/queue").get_json()
    assert province["records"][0]["uuid"] == first and province["records"][0]["awaiting_me"]
    only = district.get("/api/review/queue?form=activity&status=submitted&period=2024-11")
    assert [r["uuid"] for r in only.get_json()["records"]] == [second]
    assert district.get("/api/review/queue?period=2023-01").get_json()["total"] == 0
    assert_problem(district.get("/api/review/queue?unit=942"), 403, "review.not_allowed")
    assert_problem(login("canbo.anthanh2").get("/api/review/queue"), 403, "review.not_allowed")
    assert_problem(district.get("/api/review/queue?period=2024-13"), 400, "request.invalid")


def test_bulk_approve_gives_one_result_per_record(login):
    a, b = file_record(login), file_record(login)
    res = login("giamsat.culaodung").post("/api/review/decisions", json={
        "decision": "approve", "items": [{"uuid": a, "revision": 1}, {"uuid": b, "revision": 5}]})
    assert res.status_code == 200
    assert [(r["uuid"], r["ok"], r.get("code")) for r in res.get_json()["results"]] == [
        (a, True, None), (b, False, "review.stale")]
    detail = login("giamsat.culaodung").get(f"/api/submissions/{a}").get_json()
    assert detail["status"] == "approved"


def test_completeness_shows_who_sent_nothing(login):
    file_record(login)
    district = login("giamsat.culaodung")
    data = district.get("/api/review/completeness?period=2024-11").get_json()
    rows = {r["unit"]["code"]: r for r in data["units"]}
    assert len(rows) == 8 and data["missing"] == 7
    assert rows["31630"]["counts"]["activity"] == 1 and not rows["31630"]["missing"]
    assert rows["31633"]["missing"] and rows["31633"]["total"] == 0
    province = login("giamsat.tinh").get("/api/review/completeness?period=2024-11").get_json()
    assert len(province["units"]) == 108 and province["missing"] == 107
    assert_problem(district.get("/api/review/completeness?period=2024-11&unit=942"), 403,
                   "review.not_allowed")
    assert_problem(district.get("/api/review/completeness"), 400, "request.invalid")


def test_a_resent_record_carries_no_old_comment(login):
    officer = login("canbo.anthanh2")
    it = item()
    sync(officer, it)
    decide(login("giamsat.culaodung"), it["uuid"], "return", comment="Sửa số liệu")
    sync(officer, {**it, "base_revision": 1, "answers": activity(participants_total=50)})
    change = officer.get("/api/sync/changes").get_json()["changes"][-1]
    assert (change["revision"], change["status"], change["review"]) == (2, "submitted", None)


def test_a_supervisors_own_record_for_her_commune_goes_to_the_unit_above_her(login):
    """Issue 14.6: she filed it for a commune of her district; she cannot approve it, and
    it waits for the province, not for her district."""
    uuid = file_record(login, username="giamsat.culaodung", unit="31630")
    mine = login("giamsat.culaodung")
    body = assert_problem(decide(mine, uuid, "approve"), 403, "review.not_allowed")
    assert "chính mình" in body["detail"]
    detail = mine.get(f"/api/submissions/{uuid}").get_json()
    assert detail["awaiting"]["code"] == "94" and detail["can_decide"] is False
    assert [u["code"] for u in detail["chain"]] == ["94"]
    [line] = [r for r in mine.get("/api/review/queue").get_json()["records"]
              if r["uuid"] == uuid]
    assert line["can_decide"] is False
    bulk = mine.post("/api/review/decisions", json={"decision": "approve",
                                                    "items": [{"uuid": uuid, "revision": 1}]})
    assert bulk.get_json()["results"][0]["ok"] is False
    assert_problem(decide(login("phogiamsat.culaodung"), uuid, "approve"), 403,
                   "review.not_allowed")  # the province decides, not her district
    res = decide(login("giamsat.tinh"), uuid, "approve")
    assert res.status_code == 200 and res.get_json()["status"] == "approved"


def test_the_province_admins_own_record_waits_for_another_province_reviewer(login):
    """At the top there is no unit above: another reviewer of the province decides."""
    uuid = file_record(login, username="admin.tinh", unit="94")
    assert_problem(decide(login("admin.tinh"), uuid, "approve"), 403, "review.not_allowed")
    res = decide(login("giamsat.tinh"), uuid, "approve")
    assert res.status_code == 200 and res.get_json()["status"] == "approved"


def test_queue_pages_through_every_record_with_hers_apart(login):
    uuids = [file_record(login) for _ in range(7)]
    decide(login("giamsat.culaodung"), uuids[0], "approve")  # now the province's
    bring_to(login, uuids[1], "returned")
    district = login("giamsat.culaodung")

    def every(query):
        seen, offset, pages = [], 0, 0
        while offset is not None:
            page = district.get(f"/api/review/queue?limit=2&offset={offset}&{query}").get_json()
            assert page["offset"] == offset and len(page["records"]) <= 2
            seen += page["records"]
            offset, pages = page["next_offset"], pages + 1
        assert len(seen) == page["total"]
        return [r["uuid"] for r in seen], pages

    mine, pages = every("waiting=me")
    assert sorted(mine) == sorted(uuids[2:]) and pages == 3
    others, _ = every("waiting=others")
    assert sorted(others) == sorted(uuids[:2])
    both, _ = every("")
    assert both[:5] == mine and sorted(both) == sorted(uuids)  # hers first, none twice
    last = district.get("/api/review/queue?limit=50").get_json()
    assert last["next_offset"] is None and last["total"] == 7
    assert_problem(district.get("/api/review/queue?waiting=somebody"), 400, "request.invalid")
