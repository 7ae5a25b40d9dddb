"""GET /api/units: children for pickers."""

from tests.conftest import assert_problem


def test_top_level_is_the_province(login):
    units = login("canbo.anthanh2").get("/api/units").get_json()["units"]
    assert [(u["code"], u["name"], u["level"]) for u in units] == [
        ("94", "Tỉnh Sóc Trăng", "province")]


def test_children_of_province_are_eleven_districts(login):
    units = login("canbo.anthanh2").get("/api/units?parent=94").get_json()["units"]
    assert len(units) == 11
    assert {"code": "945", "name": "Huyện Cù Lao Dung", "level": "district",
            "parent_code": "94", "valid_from": "2024-01-01", "valid_to": None} in units


def test_children_of_cu_lao_dung(login):
    units = login("giamsat.culaodung").get("/api/units?parent=945").get_json()["units"]
    names = [u["name"] for u in units]
    assert "Xã An Thạnh 2" in names and len(units) == 8
    assert all(u["level"] == "commune" and u["parent_code"] == "945" for u in units)


def test_unknown_parent_is_404(login):
    assert_problem(login("admin.tinh").get("/api/units?parent=99999"), 404, "unit.not_found")


def test_units_need_sign_in(client):
    assert_problem(client.get("/api/units"), 401, "auth.required")


def test_the_whole_picker_tree_comes_in_one_request(login):
    """Issue 19, item 1: the phone fetched each district's communes one request after
    another (12 round trips at sign-in on 3G); depth=2 answers them all at once, the same
    units as asking district by district."""
    officer = login("canbo.anthanh2")
    res = officer.get("/api/units?parent=94&depth=2")
    assert res.status_code == 200
    tree = res.get_json()["units"]
    assert len(tree) == len(officer.get("/api/units?parent=94").get_json()["units"])
    for district in tree:
        one_by_one = officer.get(f"/api/units?parent={district['code']}").get_json()["units"]
        assert district["children"] == one_by_one
    cu_lao_dung = next(d for d in tree if d["code"] == "945")
    assert "31630" in [c["code"] for c in cu_lao_dung["children"]]
    for bad in ("3", "0", "two"):
        assert_problem(officer.get(f"/api/units?parent=94&depth={bad}"), 400, "request.invalid")
