"""Sign-in, sessions, CSRF and throttling."""

import pytest

from tests.conftest import PASSWORD, assert_problem


def test_me_requires_sign_in(client):
    assert_problem(client.get("/api/auth/me"), 401, "auth.required")


def test_officer_sees_her_unit_and_path(login):
    session = login("canbo.anthanh2")
    me = session.get("/api/auth/me").get_json()
    assert me["username"] == "canbo.anthanh2"
    assert me["role"] == "officer"
    assert me["unit"] == {"code": "31630", "name": "Xã An Thạnh 2", "level": "commune"}
    assert [u["name"] for u in me["unit_path"]] == [
        "Tỉnh Sóc Trăng", "Huyện Cù Lao Dung", "Xã An Thạnh 2"]
    assert me["csrf_token"] == session.csrf


def test_login_sets_httponly_lax_cookie(client):
    res = client.post("/api/auth/login", json={"username": "admin.tinh", "password": PASSWORD})
    assert res.status_code == 200
    cookie = res.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie
    assert "password" not in res.get_data(as_text=True)


def test_cookie_is_secure_over_https(client):
    res = client.post("/api/auth/login", json={"username": "admin.tinh", "password": PASSWORD},
                      base_url="https://localhost")
    assert "Secure" in res.headers["Set-Cookie"]


def test_username_is_case_and_space_insensitive(client):
    res = client.post("/api/auth/login",
                      json={"username": "  CanBo.AnThanh2 ", "password": PASSWORD})
    assert res.status_code == 200


@pytest.mark.parametrize("username", ["canbo.anthanh2", "nobody.here"])
def test_wrong_credentials_give_one_answer(client, username):
    res = client.post("/api/auth/login", json={"username": username, "password": "sai-mat-khau"})
    body = assert_problem(res, 401, "auth.invalid_credentials")
    assert "nobody" not in str(body)


@pytest.mark.parametrize("body, code", [
    ("not json", "request.malformed"),
    ("[1, 2]", "request.malformed"),
    ('"a string"', "request.malformed"),
    ("{", "request.malformed"),
    ('{"username": "canbo.anthanh2"}', "request.invalid"),
    ('{"username": 5, "password": "x"}', "request.invalid"),
    ('{"username": "a", "password": "b", "extra": 1}', "request.invalid"),
    ('{"username": "", "password": "b"}', "request.invalid"),
])
def test_malformed_login_is_400(client, body, code):
    res = client.post("/api/auth/login", data=body, content_type="application/json")
    problem = assert_problem(res, 400, code)
    if code == "request.invalid":
        assert problem["errors"] and all("field" in e and "code" in e for e in problem["errors"])


def test_eleventh_failure_is_throttled_with_retry_after(client):
    for _ in range(10):
        res = client.post("/api/auth/login",
                          json={"username": "canbo.anthanh2", "password": "sai"})
        assert res.status_code == 401
    res = client.post("/api/auth/login", json={"username": "canbo.anthanh2", "password": "sai"})
    assert_problem(res, 429, "auth.too_many_attempts")
    assert 0 < int(res.headers["Retry-After"]) <= 15 * 60
    # Even the right password waits: the throttle is per account, not per guess.
    res = client.post("/api/auth/login",
                      json={"username": "canbo.anthanh2", "password": PASSWORD})
    assert res.status_code == 429
    # Another account is not affected.
    res = client.post("/api/auth/login", json={"username": "admin.tinh", "password": PASSWORD})
    assert res.status_code == 200


def test_failures_older_than_the_window_do_not_count(app, client):
    from datetime import timedelta

    from cslp_forms.extensions import db
    from cslp_forms.models import LoginFailure
    from cslp_forms.models.types import utcnow

    with app.app_context():
        old = utcnow() - timedelta(minutes=16)
        db.session.add_all(LoginFailure(username="canbo.anthanh2", at=old) for _ in range(10))
        db.session.commit()
    res = client.post("/api/auth/login",
                      json={"username": "canbo.anthanh2", "password": PASSWORD})
    assert res.status_code == 200


def test_state_change_without_csrf_token_is_refused(login):
    session = login("admin.tinh")
    res = session.client.post("/api/auth/logout")
    assert_problem(res, 403, "auth.csrf_failed")
    res = session.client.post("/api/auth/logout", headers={"X-CSRF-Token": "wrong"})
    assert_problem(res, 403, "auth.csrf_failed")
    assert session.get("/api/auth/me").status_code == 200


def test_logout_ends_the_session(login):
    session = login("admin.tinh")
    assert session.post("/api/auth/logout").status_code == 200
    assert_problem(session.get("/api/auth/me"), 401, "auth.required")


def test_a_copied_cookie_stops_working_after_logout(app, login):
    session = login("canbo.anthanh2")
    cookie = session.client.get_cookie("cslp_session").value
    thief = app.test_client()
    thief.set_cookie("cslp_session", cookie)
    assert thief.get("/api/auth/me").status_code == 200
    assert session.post("/api/auth/logout").status_code == 200
    assert_problem(thief.get("/api/auth/me"), 401, "auth.required")


def test_two_devices_have_separate_sessions(login):
    phone, laptop = login("canbo.anthanh2"), login("canbo.anthanh2")
    assert phone.post("/api/auth/logout").status_code == 200
    assert laptop.get("/api/auth/me").status_code == 200


def test_non_ascii_csrf_header_is_refused_not_a_crash(login):
    session = login("canbo.anthanh2")
    res = session.client.post("/api/sync", json={"items": []},
                              headers={"X-CSRF-Token": "ü".encode().decode("latin-1")})
    assert_problem(res, 403, "auth.csrf_failed")


@pytest.mark.parametrize("body", [r'{"username": "\ud800", "password": "x"}',
                                  r'{"username": "a\u0000", "password": "x"}',
                                  r'{"username": "a\u000b", "password": "x"}',
                                  r'{"username": "a", "password": "\uffff"}',
                                  "[" * 50000 + "]" * 50000])
def test_unstorable_or_deep_login_bodies_are_400(client, body):
    res = client.post("/api/auth/login", data=body, content_type="application/json")
    assert_problem(res, 400, "request.malformed")


def test_password_change_ends_other_sessions(login):
    officer = login("canbo.anthanh2")
    admin = login("admin.tinh")
    res = admin.patch("/api/users/canbo.anthanh2", json={"password": "mat-khau-moi-2"})
    assert res.status_code == 200
    assert_problem(officer.get("/api/auth/me"), 401, "auth.required")
    assert login("canbo.anthanh2", "mat-khau-moi-2").me["username"] == "canbo.anthanh2"


def test_deactivated_user_cannot_sign_in(login, client):
    admin = login("admin.tinh")
    assert admin.patch("/api/users/canbo.thienmy", json={"active": False}).status_code == 200
    res = client.post("/api/auth/login", json={"username": "canbo.thienmy", "password": PASSWORD})
    assert_problem(res, 401, "auth.invalid_credentials")
