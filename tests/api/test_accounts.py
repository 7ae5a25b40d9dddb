"""Issue 16.1-2: an administrator runs the accounts on her own: deactivate, move, role,
incident permission, a lock-out lifted, one-time sign-in codes instead of passwords she
would know; the officer chooses her own password before anything else."""

from datetime import timedelta

import pytest

from cslp_forms.extensions import db
from cslp_forms.models import LoginFailure, User
from cslp_forms.models.types import utcnow
from tests.conftest import PASSWORD, Session, assert_problem

NEW = {"username": "0912345678", "display_name": "Chị Lan", "role": "officer",
       "unit": "31633", "phone": "+84 912 345 678"}
OWN = "lua-chin-vang-dong-2026"


def _audit(admin, **query):
    res = admin.get("/api/audit/accounts", query_string=query)
    assert res.status_code == 200, res.get_json()
    return [(e["user"], e["change"], e["before"], e["after"]) for e in res.get_json()["entries"]]


def _sign_in_with_code(app, username, code):
    client = app.test_client()
    res = client.post("/api/auth/login", json={"username": username, "code": code})
    return client, res


def test_a_new_account_gets_a_one_time_code_not_a_password(app, login):
    admin = login("admin.tinh")
    res = admin.post("/api/users", json=NEW)
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert body["phone"] == "0912345678" and body["must_change_password"] is True
    code = body["sign_in_code"]["code"]
    assert len(code) == 11 and code[5] == "-"
    with app.app_context():
        stored = db.session.scalar(db.select(User).where(User.username == "0912345678"))
        assert code not in (stored.code_hash or "") and stored.code_hash
        expires = stored.code_expires_at
    assert timedelta(days=6, hours=23) < expires - utcnow() <= timedelta(days=7)
    # No password signs her in, not even an empty one.
    client = app.test_client()
    for password in ("", "not-a-real-password", code):
        res = client.post("/api/auth/login", json={"username": "0912345678",
                                                   "password": password})
        assert res.status_code in (400, 401)

    client, res = _sign_in_with_code(app, "0912345678", code.lower().replace("-", " "))
    assert res.status_code == 200, res.get_json()
    me = res.get_json()
    assert me["must_change_password"] is True
    officer = Session(client, me["csrf_token"], me)
    # Until she chooses a password, every other call is refused, clearly.
    for res in (officer.get("/api/forms"), officer.get("/api/sync/changes"),
                officer.post("/api/sync", json={"items": []})):
        body = assert_problem(res, 403, "auth.must_change_password")
        assert "mật khẩu" in body["title"]
    assert officer.get("/api/auth/me").status_code == 200
    # Her password must be hers and strong.
    assert_problem(officer.post("/api/auth/password", json={"password": "12345678"}), 400,
                   "request.invalid")
    res = officer.post("/api/auth/password", json={"password": OWN})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["must_change_password"] is False
    assert officer.get("/api/forms").status_code == 200
    # The code worked once.
    assert_problem(_sign_in_with_code(app, "0912345678", code)[1], 401,
                   "auth.invalid_credentials")
    assert login("0912345678", OWN).me["must_change_password"] is False


def test_an_expired_code_does_not_sign_in(app, login):
    code = login("admin.tinh").post("/api/users", json=NEW).get_json()["sign_in_code"]["code"]
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "0912345678"))
        user.code_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert_problem(_sign_in_with_code(app, "0912345678", code)[1], 401,
                   "auth.invalid_credentials")


def test_login_takes_a_password_or_a_code_not_both(client):
    for body in ({"username": "canbo.thienmy"},
                 {"username": "canbo.thienmy", "password": PASSWORD, "code": "ABCDE-FGHJK"}):
        assert_problem(client.post("/api/auth/login", json=body), 400, "request.invalid")


def test_a_reset_gives_a_code_and_ends_the_old_password(app, login):
    officer = login("canbo.anthanh2")
    admin = login("admin.tinh")
    res = admin.post("/api/users/canbo.anthanh2/sign-in-code")
    assert res.status_code == 201
    code = res.get_json()["code"]
    assert_problem(officer.get("/api/auth/me"), 401, "auth.required")
    assert_problem(app.test_client().post("/api/auth/login", json={
        "username": "canbo.anthanh2", "password": PASSWORD}), 401, "auth.invalid_credentials")
    # A second reset replaces the first code.
    second = admin.post("/api/users/canbo.anthanh2/sign-in-code").get_json()["code"]
    assert_problem(_sign_in_with_code(app, "canbo.anthanh2", code)[1], 401,
                   "auth.invalid_credentials")
    assert _sign_in_with_code(app, "canbo.anthanh2", second)[1].status_code == 200
    changes = _audit(admin, user="canbo.anthanh2")
    assert [c[1] for c in changes] == ["sign_in_code", "sign_in_code"]
    # Not for herself (she changes her own password), nor for a deactivated account.
    assert_problem(admin.post("/api/users/admin.tinh/sign-in-code"), 400, "request.invalid")
    admin.patch("/api/users/canbo.thienmy", json={"active": False})
    assert_problem(admin.post("/api/users/canbo.thienmy/sign-in-code"), 400,
                   "request.invalid")
    # Out of her subtree: not found.
    district = login("admin.tinh")
    assert district.post("/api/users/nobody.here/sign-in-code").status_code == 404


def test_changing_ones_password_needs_the_current_one(login):
    officer = login("canbo.anthanh2")
    res = officer.post("/api/auth/password", json={"password": OWN})
    assert assert_problem(res, 400, "request.invalid")["errors"][0]["field"] == (
        "current_password")
    res = officer.post("/api/auth/password", json={"password": OWN,
                                                    "current_password": "sai"})
    assert assert_problem(res, 400, "request.invalid")["errors"][0]["field"] == (
        "current_password")
    res = officer.post("/api/auth/password", json={"password": OWN,
                                                    "current_password": PASSWORD})
    assert res.status_code == 200
    assert officer.get("/api/forms").status_code == 200  # this session goes on
    login("canbo.anthanh2", OWN)


def test_an_admin_lifts_a_lock_out(app, login, client):
    for _ in range(10):
        client.post("/api/auth/login", json={"username": "canbo.anthanh2", "password": "x"})
    admin = login("admin.tinh")
    listed = {u["username"]: u for u in admin.get("/api/users?unit=31630").get_json()["users"]}
    assert listed["canbo.anthanh2"]["locked"] is True
    assert_problem(client.post("/api/auth/login", json={
        "username": "canbo.anthanh2", "password": PASSWORD}), 429, "auth.too_many_attempts")
    res = admin.post("/api/users/canbo.anthanh2/unlock")
    assert res.status_code == 200 and res.get_json()["locked"] is False
    assert client.post("/api/auth/login", json={
        "username": "canbo.anthanh2", "password": PASSWORD}).status_code == 200
    assert _audit(admin, user="canbo.anthanh2") == [
        ("canbo.anthanh2", "lockout_lifted", "10", "0")]
    assert_problem(login("giamsat.culaodung").post("/api/users/canbo.anthanh2/unlock"), 403,
                   "auth.forbidden")


def test_a_deactivated_account_is_told_whom_to_call_and_it_is_no_failure(app, login, client):
    admin = login("admin.tinh")
    assert admin.patch("/api/users/giamsat.culaodung", json={"phone": "0987654321"}
                       ).status_code == 200
    assert admin.patch("/api/users/canbo.anthanh2", json={"active": False}).status_code == 200
    for _ in range(12):
        res = client.post("/api/auth/login", json={"username": "canbo.anthanh2",
                                                   "password": PASSWORD})
        body = assert_problem(res, 403, "auth.account_disabled")
    assert "Tài khoản đã bị khóa, liên hệ" in body["detail"]
    assert "0987654321" in body["detail"] and "Cù Lao Dung" in body["detail"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(LoginFailure.id))) == 0
    # Reactivated, she signs in with the same password.
    assert admin.patch("/api/users/canbo.anthanh2", json={"active": True}).status_code == 200
    assert login("canbo.anthanh2").me["active"] is True
    assert [c[1:] for c in _audit(admin, user="canbo.anthanh2")] == [
        ("active", "false", "true"), ("active", "true", "false")]


def test_move_role_name_phone_and_incident_permission_are_audited(login):
    admin = login("admin.tinh")
    res = admin.patch("/api/users/phogiamsat.culaodung", json={
        "unit": "942", "display_name": "Chị Hoa", "phone": "0901 234 567",
        "incident_reviewer": True})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["unit"]["code"] == "942" and res.get_json()["phone"] == "0901234567"
    res = admin.patch("/api/users/phogiamsat.culaodung", json={"incident_reviewer": False,
                                                                "role": "admin"})
    assert res.status_code == 200
    assert sorted(c[1:] for c in _audit(admin, user="phogiamsat.culaodung")) == sorted([
        ("unit", "945", "942"), ("display_name", "phogiamsat.culaodung", "Chị Hoa"),
        ("phone", None, "0901234567"), ("incident_reviewer", "false", "true"),
        ("incident_reviewer", "true", "false"), ("role", "supervisor", "admin")])
    # One phone, one account; a phone must be a phone.
    assert_problem(admin.patch("/api/users/canbo.thienmy", json={"phone": "0901234567"}),
                   409, "user.phone_taken")
    body = assert_problem(admin.patch("/api/users/canbo.thienmy", json={"phone": "12ab"}),
                          400, "request.invalid")
    assert body["errors"][0]["field"] == "phone"


@pytest.mark.parametrize("who, target, allowed", [
    ("admin.tinh", "canbo.thienmy", True),
    ("admin.cld", "canbo.anthanh2", True),
    ("admin.cld", "canbo.thienmy", False),
    ("admin.cld", "admin.tinh", False),
])
def test_who_manages_whom(app, login, who, target, allowed):
    """README: a province admin manages the province, a district admin her district
    (its communes and itself); supervisors and officers no one."""
    admin = login("admin.tinh")
    if who != "admin.tinh":
        code = admin.post("/api/users", json={**NEW, "username": who, "role": "admin",
                                              "unit": "945", "phone": "0911111111"}
                          ).get_json()["sign_in_code"]["code"]
        client, res = _sign_in_with_code(app, who, code)
        me = res.get_json()
        actor = Session(client, me["csrf_token"], me)
        assert actor.post("/api/auth/password", json={"password": OWN}).status_code == 200
    else:
        actor = admin
    for call in (lambda: actor.post(f"/api/users/{target}/unlock"),
                 lambda: actor.post(f"/api/users/{target}/sign-in-code"),
                 lambda: actor.patch(f"/api/users/{target}", json={"display_name": "X"})):
        res = call()
        assert (res.status_code in (200, 201)) == allowed, res.get_json()
        if not allowed:
            assert_problem(res, 404, "user.not_found")


def test_a_printable_sheet_of_codes_with_a_qr_each(app, login):
    import re

    import segno

    from cslp_forms.users.sheet import sign_in_url

    admin = login("admin.tinh")
    made = []
    for i in range(9):  # two A4 pages
        body = admin.post("/api/users", json={**NEW, "username": f"can.bo{i}",
                                              "display_name": f"Chị <Lan> {i}",
                                              "phone": f"091234560{i}"}).get_json()
        made.append(body["sign_in_code"])
    res = admin.post("/api/users/sheet", json={"accounts": [
        {"username": m["username"], "code": m["code"]} for m in made]})
    assert res.status_code == 200 and res.mimetype == "text/html"
    html = res.get_data(as_text=True)
    assert html.count('class="page"') == 2 and html.count('class="slip"') == 9
    assert "Chị &lt;Lan&gt; 0" in html and "<Lan>" not in html  # escaped
    assert "Mã đăng nhập một lần" in html and "Xã An Thạnh 3" in html
    assert "style=" not in html and "<script" not in html  # the strict CSP holds
    # Each QR code is the one of her sign-in link (segno is deterministic).
    url = sign_in_url("http://localhost/", "can.bo3", made[3]["code"])
    expected = segno.make(url, error="m").svg_inline(scale=3, title="QR", svgclass="qr",
                                                     omitsize=True)
    assert re.search(r' d="([^"]+)"', expected).group(1) in html
    # A code that was replaced cannot be printed again; nor someone out of her subtree.
    admin.post("/api/users/can.bo3/sign-in-code")
    body = assert_problem(admin.post("/api/users/sheet", json={"accounts": [
        {"username": "can.bo3", "code": made[3]["code"]}]}), 400, "request.invalid")
    assert body["errors"][0]["field"] == "accounts.0.code"
    assert_problem(login("canbo.anthanh2").post("/api/users/sheet", json={"accounts": [
        {"username": "can.bo1", "code": made[1]["code"]}]}), 403, "auth.forbidden")
