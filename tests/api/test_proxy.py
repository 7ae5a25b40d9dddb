"""Behind nginx: X-Forwarded-* are believed only when CSLP_PROXY_FIX says a proxy is
there; then a request that reached nginx over HTTPS gets a Secure cookie and HSTS."""

import pytest

from cslp_forms.extensions import db
from tests.conftest import PASSWORD, make_app, seed

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7",
             "X-Forwarded-Host": "cslp.example.vn"}


def _login(app):
    with app.app_context():
        db.create_all()
    seed(app)
    return app.test_client().post(
        "/api/auth/login", json={"username": "admin.tinh", "password": PASSWORD},
        headers=FORWARDED, environ_base={"REMOTE_ADDR": "127.0.0.1"})


@pytest.mark.parametrize("proxy_fix, trusted", [(0, False), (1, True)])
def test_forwarded_https_is_trusted_only_when_configured(proxy_fix, trusted):
    res = _login(make_app(DATABASE_URL="sqlite://", PROXY_FIX=proxy_fix))
    assert res.status_code == 200
    assert ("Secure" in res.headers["Set-Cookie"]) is trusted
    assert ("Strict-Transport-Security" in res.headers) is trusted


def test_proxy_fix_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CSLP_PROXY_FIX", "1")
    app = make_app(DATABASE_URL="sqlite://")
    seen = {}

    @app.get("/_probe")
    def probe():
        from flask import request
        seen.update(scheme=request.scheme, remote=request.remote_addr, host=request.host)
        return ""

    app.test_client().get("/_probe", headers=FORWARDED,
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == {"scheme": "https", "remote": "203.0.113.7", "host": "cslp.example.vn"}
