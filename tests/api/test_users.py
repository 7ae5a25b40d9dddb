"""An administrator manages the accounts of her subtree."""

import pytest

from tests.conftest import PASSWORD, assert_problem

NEW = {"username": "0912345678", "display_name": "Chị Lan", "password": "mat-khau-lan-1",
       "role": "officer", "unit": "31633"}


def test_admin_creates_officer_who_can_sign_in(login, client):
    admin = login("admin.tinh")
    res = admin.post("/api/users", json=NEW)
    assert res.status_code == 201
    assert res.get_json()["unit"] == {"code": "31633", "name": "Xã An Thạnh 3",
                                      "level": "commune"}
    assert "password" not in res.get_json()
    me = login("0912345678", "mat-khau-lan-1").me
    assert me["unit_path"][-1]["name"] == "Xã An Thạnh 3"


def test_duplicate_username_is_409(login):
    admin = login("admin.tinh")
    assert_problem(admin.post("/api/users", json={**NEW, "username": "canbo.anthanh2"}),
                   409, "user.exists")


@pytest.mark.parametrize("name", ["Chị\x0bLan", "Chị Lan\x1f", "\ufffeChị Lan"])
def test_a_name_with_a_character_no_export_can_hold_is_refused(login, name):
    admin = login("admin.tinh")
    assert_problem(admin.post("/api/users", json={**NEW, "display_name": name}), 400,
                   "request.malformed")
    assert_problem(admin.patch("/api/users/canbo.anthanh2", json={"display_name": name}),
                   400, "request.malformed")


@pytest.mark.parametrize("change, field", [
    ({"role": "chief"}, "role"),
    ({"password": "short"}, "password"),
    ({"username": "Có dấu"}, "username"),
    ({"unit": 31633}, "unit"),
])
def test_invalid_new_user_fields(login, change, field):
    body = assert_problem(login("admin.tinh").post("/api/users", json={**NEW, **change}),
                          400, "request.invalid")
    assert [e["field"] for e in body["errors"]] == [field]


def test_officer_cannot_be_attached_to_province(login):
    body = assert_problem(login("admin.tinh").post("/api/users", json={**NEW, "unit": "94"}),
                          400, "request.invalid")
    assert body["errors"][0]["field"] == "unit"


def test_district_admin_is_limited_to_her_district(login):
    admin = login("admin.tinh")
    res = admin.post("/api/users", json={**NEW, "username": "admin.cld", "role": "admin",
                                         "unit": "945"})
    assert res.status_code == 201
    district_admin = login("admin.cld", NEW["password"])
    assert_problem(district_admin.post("/api/users", json={**NEW, "unit": "31585"}),
                   403, "scope.forbidden")
    listed = district_admin.get("/api/users").get_json()["users"]
    assert {u["username"] for u in listed} == {"admin.cld", "canbo.anthanh2", "canbo.anthanh3",
                                               "giamsat.culaodung", "phogiamsat.culaodung"}
    assert_problem(district_admin.patch("/api/users/canbo.thienmy", json={"active": False}),
                   404, "user.not_found")


def test_officer_and_supervisor_cannot_manage_users(login):
    for username in ("canbo.anthanh2", "giamsat.culaodung"):
        assert_problem(login(username).post("/api/users", json=NEW), 403, "auth.forbidden")


def test_admin_cannot_lock_herself_out(login):
    admin = login("admin.tinh")
    assert_problem(admin.patch("/api/users/admin.tinh", json={"active": False}),
                   400, "request.invalid")
    assert admin.get("/api/auth/me").status_code == 200


def test_list_users_filtered_by_unit(login):
    listed = login("admin.tinh").get("/api/users?unit=942").get_json()["users"]
    assert {u["username"] for u in listed} == {"canbo.thienmy", "giamsat.chauthanh"}
    assert PASSWORD not in str(listed)
