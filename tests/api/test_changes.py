"""GET /api/sync/changes: what changed in the caller's scope, paged by cursor."""

import pytest

from tests.api.sync_helpers import activity, item
from tests.api.test_sync import sync
from tests.conftest import assert_problem


def pull(session, cursor=None, limit=None):
    query = []
    if cursor is not None:
        query.append(f"cursor={cursor}")
    if limit is not None:
        query.append(f"limit={limit}")
    res = session.get("/api/sync/changes?" + "&".join(query))
    assert res.status_code == 200, res.get_data(as_text=True)
    return res.get_json()


def test_officer_pulls_her_own_records_in_change_order(login):
    officer = login("canbo.anthanh2")
    first, second = item(), item()
    sync(officer, first, second)
    page = pull(officer)
    assert [c["uuid"] for c in page["changes"]] == [first["uuid"], second["uuid"]]
    assert page["has_more"] is False
    change = page["changes"][0]
    assert change["status"] == "submitted" and change["revision"] == 1
    assert change["answers"] == first["answers"] and change["author"] == "canbo.anthanh2"
    assert change["unit"] == {"code": "31630", "name": "Xã An Thạnh 2", "level": "commune"}
    # Nothing new since the cursor.
    assert pull(officer, page["cursor"]) == {"changes": [], "cursor": page["cursor"],
                                            "has_more": False}


def test_an_edit_moves_the_record_to_the_end_of_the_feed(login):
    officer = login("canbo.anthanh2")
    first, second = item(), item()
    sync(officer, first, second)
    cursor = pull(officer)["cursor"]
    sync(officer, {**first, "base_revision": 1, "answers": activity(participants_total=46)})
    page = pull(officer, cursor)
    assert [(c["uuid"], c["revision"]) for c in page["changes"]] == [(first["uuid"], 2)]


def test_paging_is_bounded_and_complete(login):
    officer = login("canbo.anthanh2")
    items = [item() for _ in range(7)]
    sync(officer, *items)
    seen, cursor = [], "0"
    while True:
        page = pull(officer, cursor, limit=3)
        assert len(page["changes"]) <= 3
        seen += [c["uuid"] for c in page["changes"]]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert seen == [i["uuid"] for i in items]


def test_scope_officer_supervisor_and_other_district(login):
    officer, colleague = login("canbo.anthanh2"), login("canbo.thienmy")
    mine = item()
    sync(officer, mine)
    sync(colleague, item(unit="31585"))
    assert [c["uuid"] for c in pull(officer)["changes"]] == [mine["uuid"]]
    assert [c["uuid"] for c in pull(login("giamsat.culaodung"))["changes"]] == [mine["uuid"]]
    assert [c["unit"]["code"] for c in pull(login("giamsat.chauthanh"))["changes"]] == [
        "31585"]
    assert len(pull(login("admin.tinh"))["changes"]) == 2


@pytest.mark.parametrize("query", ["cursor=abc", "cursor=-1", "cursor=1.5",
                                   "cursor=99999999999999999999", "cursor=%EF%BC%91"])
def test_malformed_cursor_is_400(login, query):
    res = login("canbo.anthanh2").get(f"/api/sync/changes?{query}")
    assert_problem(res, 400, "sync.bad_cursor")


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=x"])
def test_bad_limit_is_400(login, query):
    assert_problem(login("canbo.anthanh2").get(f"/api/sync/changes?{query}"), 400,
                   "request.invalid")
