"""Shared fixtures: an app on in-memory SQLite with the 2024 units and three accounts,
a JSON client, and sign-in helpers. tests/pg and tests/e2e override `app`."""

from __future__ import annotations

import os

import pytest

from cslp_forms import create_app
from cslp_forms.extensions import db
from cslp_forms.services.base import units as unit_service
from cslp_forms.services.users import create_user

PASSWORD = "mat-khau-thu-1"
# username -> (role, unit, may read incident details)
ACCOUNTS = {
    "canbo.anthanh2": ("officer", "31630", False),
    "canbo.anthanh3": ("officer", "31633", False),
    "canbo.thienmy": ("officer", "31585", False),
    "giamsat.culaodung": ("supervisor", "945", True),
    "phogiamsat.culaodung": ("supervisor", "945", False),
    "giamsat.chauthanh": ("supervisor", "942", True),
    "giamsat.tinh": ("supervisor", "94", True),
    "admin.tinh": ("admin", "94", False),
}

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str):
    """Skip locally; fail under CI=true, where a missing browser or database is a bug."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def seed(app) -> None:
    """The 2024 unit list and the test accounts."""
    with app.app_context():
        rows = unit_service.read_unit_file(unit_service.UNITS_2024)[1]
        unit_service.load_units(rows, valid_from=unit_service.date(2024, 1, 1))
        for username, (role, unit, incidents) in ACCOUNTS.items():
            create_user(username=username, display_name=username, password=PASSWORD,
                        role=role, unit_code=unit, incident_reviewer=incidents)
        db.session.commit()


# Apps made during the test that is running: their push couriers are stopped after it.
_MADE: list = []


def make_app(**config):
    # The fake push service of the tests listens on plain http on 127.0.0.1.
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
                      "PUSH_ENDPOINT_SCHEMES": ("https", "http"),
                      "PUSH_HOSTS": ("127.0.0.1", "*.example"), **config})
    _MADE.append(app)
    return app


@pytest.fixture(autouse=True)
def _stop_push_couriers():
    """A test app's courier thread outlives the test unless stopped: every POLL seconds
    it opens a connection of its own, and a long run ran PostgreSQL out of connections
    ("too many clients") and logged rounds failing on dropped databases."""
    yield
    from cslp_forms.services.base.push import stop_courier

    while _MADE:
        stop_courier(_MADE.pop())


@pytest.fixture
def app():
    app = make_app(DATABASE_URL="sqlite://")
    with app.app_context():
        db.create_all()
    seed(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()


class Session:
    """A signed-in client that sends the CSRF header on state-changing calls."""

    def __init__(self, client, csrf: str, me: dict):
        self.client, self.csrf, self.me = client, csrf, me

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def _send(self, method, url, **kw):
        headers = {"X-CSRF-Token": self.csrf, **kw.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kw)

    def post(self, url, **kw):
        return self._send("POST", url, **kw)

    def put(self, url, **kw):
        return self._send("PUT", url, **kw)

    def patch(self, url, **kw):
        return self._send("PATCH", url, **kw)

    def delete(self, url, **kw):
        return self._send("DELETE", url, **kw)


@pytest.fixture
def login(app):
    def _login(username: str, password: str = PASSWORD) -> Session:
        client = app.test_client()
        res = client.post("/api/auth/login", json={"username": username, "password": password})
        assert res.status_code == 200, res.get_json()
        body = res.get_json()
        return Session(client, body["csrf_token"], body)

    return _login


def assert_problem(res, status: int, code: str) -> dict:
    assert res.status_code == status, (res.status_code, res.get_data(as_text=True))
    assert res.headers["Content-Type"].startswith("application/problem+json")
    body = res.get_json(force=True)
    assert body["code"] == code, body
    assert body["status"] == status
    return body


# An app on an SQLite file: for tests where threads need their own connections.
@pytest.fixture
def file_app(tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'c.db'}")
    with app.app_context():
        db.create_all()
    seed(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def file_login(file_app):
    def _login(username, password=PASSWORD):
        client = file_app.test_client()
        body = client.post("/api/auth/login",
                           json={"username": username, "password": password}).get_json()
        return Session(client, body["csrf_token"], body)

    return _login
