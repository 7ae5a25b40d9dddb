"""Every /api/* error is problem+json with a stable code; nothing answers 500 to input."""

import pytest

from tests.conftest import assert_problem


def test_unknown_api_url_is_problem_404(client):
    assert_problem(client.get("/api/no/such/thing"), 404, "request.not_found")


def test_wrong_method_is_problem_405(client):
    res = client.delete("/api/auth/login")
    assert_problem(res, 405, "request.method_not_allowed")
    assert "POST" in res.headers["Allow"]


def test_oversized_body_is_problem_413(app, client):
    big = b"{" + b" " * (app.config["MAX_CONTENT_LENGTH"] + 10) + b"}"
    res = client.post("/api/auth/login", data=big, content_type="application/json")
    assert_problem(res, 413, "request.too_large")


def test_unstorable_text_in_the_url_is_400(login):
    session = login("admin.tinh")
    assert_problem(session.get("/api/units?parent=%00"), 400, "request.malformed")
    assert_problem(session.get("/api/users?unit=%00"), 400, "request.malformed")
    assert_problem(session.patch("/api/users/a%00b", json={}), 400, "request.malformed")
    assert_problem(session.get("/api/units?parent=a%0Bb"), 400, "request.malformed")
    assert_problem(session.get("/api/users?unit=%EF%BF%BE"), 400, "request.malformed")
    # Bytes that are not UTF-8 stay percent-escaped: an unknown unit, not a crash.
    assert_problem(session.get("/api/units?parent=%ED%A0%80"), 404, "unit.not_found")


@pytest.mark.parametrize("query", ["on=yesterday", "on=2024-13-01", "bogus=1"])
def test_bad_query_parameters_are_400(login, query):
    session = login("admin.tinh")
    assert_problem(session.get(f"/api/units?{query}"), 400, "request.invalid")


def test_problem_titles_are_vietnamese_and_hide_internals(client):
    body = assert_problem(client.get("/api/auth/me"), 401, "auth.required")
    assert body["title"] == "Vui lòng đăng nhập."
    assert body["type"] == "urn:cslp:problem:auth.required"


def test_unexpected_error_is_problem_500_without_details(app, client):
    @app.get("/api/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM table")

    res = client.get("/api/boom")
    body = assert_problem(res, 500, "server.error")
    assert "SELECT" not in res.get_data(as_text=True) and "RuntimeError" not in str(body)


def test_a_locked_database_is_503_with_retry_after(app, login, monkeypatch):
    """SQLite's "database is locked" while a signed-in request loads its session (before
    any view's own retry): the phone is told to try again, not given a 500."""
    from sqlalchemy.exc import OperationalError

    from cslp_forms.auth import session as auth_session

    officer = login("canbo.anthanh2")

    def locked(*args, **kwargs):
        raise OperationalError("SELECT users", {}, Exception("database is locked"))

    monkeypatch.setattr(auth_session, "session_user", locked)
    res = officer.post("/api/sync", json={"items": []})
    assert_problem(res, 503, "server.unavailable")
    assert res.headers["Retry-After"] == "5" and "SELECT" not in res.get_data(as_text=True)


def test_non_api_404_stays_html(client):
    res = client.get("/no-such-page")
    assert res.status_code == 404
    assert not res.headers["Content-Type"].startswith("application/problem+json")


def test_an_overlong_url_is_problem_414(login):
    """Issue 14, item 9: gunicorn answered an overlong request line with its own HTML."""
    officer = login("canbo.anthanh2")
    assert officer.get("/api/units/" + "a" * 3000).status_code == 404
    assert_problem(officer.get("/api/units/" + "a" * 4100), 414, "request.uri_too_long")


def test_too_many_or_too_large_headers_are_problem_431(login):
    officer = login("canbo.anthanh2")
    many = {f"X-Probe-{n}": "1" for n in range(120)}
    assert_problem(officer.get("/api/units", headers=many), 431, "request.headers_too_large")
    assert_problem(officer.get("/api/units", headers={"X-Probe": "a" * 9000}), 431,
                   "request.headers_too_large")
    assert officer.get("/api/units", headers={"X-Probe": "a" * 8000}).status_code == 200
