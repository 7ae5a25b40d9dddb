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
