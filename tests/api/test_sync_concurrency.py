"""Concurrent replays on SQLite (a file: threads need real connections)."""

import pytest

from cslp_forms.extensions import db
from tests.api.concurrency import replay_concurrently
from tests.conftest import make_app, seed


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
    from tests.conftest import PASSWORD, Session

    def _login(username, password=PASSWORD):
        client = file_app.test_client()
        body = client.post("/api/auth/login",
                           json={"username": username, "password": password}).get_json()
        return Session(client, body["csrf_token"], body)

    return _login


def test_replayed_batch_from_four_threads_is_stored_once(file_app, file_login):
    replay_concurrently(file_app, file_login)
