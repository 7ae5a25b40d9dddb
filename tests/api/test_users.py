"""An administrator manages the accounts of her subtree."""

import pytest

from cslp_forms.extensions import db
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


def _audit(login, **query):
    res = login("admin.tinh").get("/api/audit/accounts", query_string=query)
    assert res.status_code == 200, res.get_json()
    return [(e["actor"], e["user"], e["change"], e["before"], e["after"])
            for e in res.get_json()["entries"]]


def test_an_admin_cannot_lift_her_own_need_to_know_or_change_her_role(login):
    """Issue 14.5: need-to-know is never lifted by the one it restricts."""
    admin = login("admin.tinh")
    body = assert_problem(admin.patch("/api/users/admin.tinh", json={
        "incident_reviewer": True}), 400, "request.invalid")
    assert body["errors"][0]["field"] == "incident_reviewer"
    body = assert_problem(admin.patch("/api/users/admin.tinh", json={"role": "supervisor"}),
                          400, "request.invalid")
    assert body["errors"][0]["field"] == "role"
    # Saying what she already is changes nothing and is no error.
    assert admin.patch("/api/users/admin.tinh", json={"role": "admin"}).status_code == 200
    assert _audit(login) == []


def test_the_province_keeps_an_active_administrator(app, login):
    """Issue 14.5: the last active province administrator cannot leave that role."""
    with app.app_context():
        from cslp_forms.services.users import create_user

        create_user(username="admin.hai", display_name="Quản trị 2", password=PASSWORD,
                    role="admin", unit_code="94")
        db.session.commit()
    hai = login("admin.hai")
    assert hai.patch("/api/users/admin.tinh", json={"active": False}).status_code == 200
    # Now she is the only one: she may not lock herself out, nor move herself away.
    assert_problem(hai.patch("/api/users/admin.hai", json={"active": False}), 400,
                   "request.invalid")
    assert_problem(hai.patch("/api/users/admin.hai", json={"unit": "945"}), 409,
                   "user.last_province_admin")
    assert hai.patch("/api/users/admin.tinh", json={"active": True}).status_code == 200
    assert hai.patch("/api/users/admin.hai", json={"unit": "945"}).status_code == 200


def test_powers_over_survivors_data_are_audited_and_announced(app, login):
    """Issue 14.5: granting the incident permission, and a new password for a reviewer,
    reach the person and every province administrator, and stay in the account audit."""
    admin = login("admin.tinh")
    assert admin.patch("/api/users/phogiamsat.culaodung", json={
        "incident_reviewer": True}).status_code == 200
    assert admin.patch("/api/users/giamsat.culaodung", json={
        "password": "mot-mat-khau-moi"}).status_code == 200
    assert admin.patch("/api/users/canbo.anthanh2", json={"unit": "31633"}).status_code == 200
    assert _audit(login) == [
        ("admin.tinh", "canbo.anthanh2", "unit", "31630", "31633"),
        ("admin.tinh", "giamsat.culaodung", "password", None, None),
        ("admin.tinh", "phogiamsat.culaodung", "incident_reviewer", "false", "true")]
    assert _audit(login, user="giamsat.culaodung") == [
        ("admin.tinh", "giamsat.culaodung", "password", None, None)]
    told = login("phogiamsat.culaodung").get("/api/notifications").get_json()
    assert any("quyền xem chi tiết vụ việc" in n["body"] for n in told["notifications"])
    province = admin.get("/api/notifications").get_json()["notifications"]
    assert {n["title"] for n in province} == {"Thay đổi quyền tài khoản"} and len(province) == 2
    assert_problem(login("giamsat.tinh").get("/api/audit/accounts"), 403, "auth.forbidden")


@pytest.mark.parametrize("password", ["12345678", "password1", "matkhau123", "0912345678a",
                                      "hoiphunu2024"])
def test_common_and_guessable_passwords_are_refused(login, password):
    """Issue 14.9: a common password, the union's words or her own name, refused."""
    admin = login("admin.tinh")
    body = assert_problem(admin.post("/api/users", json={**NEW, "password": password}), 400,
                          "request.invalid")
    assert body["errors"][0]["field"] == "password" and "dễ bị đoán" in body["errors"][0][
        "message"]
    assert_problem(admin.patch("/api/users/canbo.anthanh2", json={"password": password}),
                   400, "request.invalid")
