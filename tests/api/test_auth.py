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
    body = res.get_data(as_text=True)  # the contract names must_change_password
    assert PASSWORD not in body and "password_hash" not in body and "code_hash" not in body


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
    again = login("canbo.anthanh2", "mat-khau-moi-2")
    assert again.me["username"] == "canbo.anthanh2"
    # A password the administrator knows is only good for choosing her own (issue 16.2).
    assert again.me["must_change_password"] is True
    assert_problem(again.get("/api/forms"), 403, "auth.must_change_password")


def test_deactivated_user_cannot_sign_in(login, client):
    """Issue 16.1: she is told her account is locked and whom to call, not that her
    password is wrong; a wrong password still says only that."""
    admin = login("admin.tinh")
    assert admin.patch("/api/users/canbo.thienmy", json={"active": False}).status_code == 200
    res = client.post("/api/auth/login", json={"username": "canbo.thienmy", "password": PASSWORD})
    body = assert_problem(res, 403, "auth.account_disabled")
    # Her district (Châu Thành) has a supervisor and no administrator of its own.
    assert body["detail"].startswith("Tài khoản đã bị khóa, liên hệ giamsat.chauthanh")
    res = client.post("/api/auth/login", json={"username": "canbo.thienmy", "password": "sai"})
    assert_problem(res, 401, "auth.invalid_credentials")


def test_no_api_answer_may_be_stored_and_sign_out_clears_the_cache(login, client):
    """Issue 14.1: a record's answers must not outlive sign-out in the HTTP cache."""
    officer = login("canbo.anthanh2")
    answers = [officer.get("/api/auth/me"), officer.get("/api/forms"),
               officer.get("/api/units?parent=945"), client.get("/api/auth/me"),
               officer.get("/api/submissions/00000000-0000-4000-8000-000000000000"),
               officer.get("/api/no-such-thing")]
    etag = answers[1].headers["ETag"]
    answers.append(officer.get("/api/forms", headers={"If-None-Match": etag}))
    assert answers[-1].status_code == 304
    assert [r.headers.get("Cache-Control") for r in answers] == ["no-store"] * len(answers)
    out = officer.post("/api/auth/logout")
    assert out.status_code == 200 and out.headers["Clear-Site-Data"] == '"cache"'
    assert out.headers["Cache-Control"] == "no-store"


def _from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _try(client, username, password="sai-mat-khau"):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def test_the_owner_signs_in_while_someone_else_guesses_her_password(app):
    """Issue 14.4: the throttle stops the guesser, not the owner on her own phone."""
    attacker, owner = _from(app, "203.0.113.9"), _from(app, "198.51.100.7")
    for _ in range(10):
        assert _try(attacker, "canbo.anthanh2").status_code == 401
    assert_problem(_try(attacker, "canbo.anthanh2", PASSWORD), 429, "auth.too_many_attempts")
    assert _try(owner, "canbo.anthanh2", PASSWORD).status_code == 200
    # A second guesser gets one try: the account has had its share of failures.
    other = _from(app, "203.0.113.10")
    assert _try(other, "canbo.anthanh2").status_code == 401
    assert_problem(_try(other, "canbo.anthanh2"), 429, "auth.too_many_attempts")


def test_one_address_guessing_many_names_is_throttled(app):
    """Issue 14.3: random user names from one address stop at the address's limit."""
    loop = _from(app, "203.0.113.20")
    for n in range(app.config["LOGIN_MAX_CLIENT_FAILURES"]):
        assert _try(loop, f"khong-co-{n}").status_code == 401
    assert_problem(_try(loop, "khong-co-nua"), 429, "auth.too_many_attempts")
    assert _try(_from(app, "198.51.100.8"), "admin.tinh", PASSWORD).status_code == 200


def test_the_password_is_checked_with_no_write_lock_held(file_app, monkeypatch):
    """Issue 14.3: scrypt runs while other requests may write (SQLite: BEGIN IMMEDIATE
    succeeds from another connection at that moment)."""
    import sqlite3

    from cslp_forms.services import users

    path = file_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    seen = []
    real = users.check_password_hash

    def check(stored, password):
        other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            seen.append("free")
        except sqlite3.OperationalError as err:
            seen.append(str(err))
        finally:
            other.close()
        return real(stored, password)

    monkeypatch.setattr(users, "check_password_hash", check)
    client = file_app.test_client()
    assert _try(client, "canbo.anthanh2").status_code == 401
    assert _try(client, "canbo.anthanh2", PASSWORD).status_code == 200
    assert seen == ["free", "free"]
