"""Form versions on PostgreSQL: the Done-when flow, the refusals, the stale edit, the
sheet round trip and the transition window of tests/api, and the database refusing to
change or delete a published version."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cslp_forms.extensions import db
from tests.api.test_form_versions import current as current_form
from tests.api.test_form_versions import (  # noqa: F401
    post,
    test_a_change_that_would_break_records_is_refused,
    test_after_the_window_a_new_draft_on_the_old_version_is_refused,
    test_new_campaign_published_old_draft_accepted_new_choice_counted_and_exported,
    test_only_province_admins_publish_and_a_stale_edit_is_refused,
    test_relabel_retire_and_hints_are_published_and_retired_choice_stays_valid,
    test_sheet_round_trip_adds_a_choice_and_publishes,
    test_the_published_vectors_definition_is_what_publishing_makes,
    with_campaign,
)

pytestmark = pytest.mark.pg


def test_published_versions_refuse_update_and_delete(app, login):
    admin = login("admin.tinh")
    assert post(admin, with_campaign(current_form(admin))).status_code == 201
    with app.app_context():
        for statement in ("UPDATE form_versions SET definition = '{}'",
                          "DELETE FROM form_versions"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()


def test_two_administrators_publishing_at_once_make_one_version(app, login):
    """Each edits version 1; one publishes version 2, the others are told to reload."""
    import threading

    from cslp_forms.models import FormVersion

    base = current_form(login("admin.tinh"))
    sessions = [login("admin.tinh") for _ in range(4)]
    statuses: list[int] = []
    start = threading.Barrier(len(sessions))

    def run(index, session):
        choice = {"value": f"dot_{index}", "label": {"vi": f"Đợt {index}", "en": f"Round {index}"}}
        start.wait()
        statuses.append(post(session, with_campaign(base, choice)).status_code)

    workers = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(sessions)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert sorted(statuses) == [201, 409, 409, 409]
    with app.app_context():
        assert db.session.scalars(db.select(FormVersion.version)).all() == [2]


def test_a_version_published_through_one_server_counts_on_the_other_from_its_next_request(
        app, pg_url, login):
    """Two app servers on one database: each request's first query says what
    form_versions holds, so the other server's registry follows at once, not after a
    restart or a timeout."""
    from tests.api.sync_helpers import activity, item
    from tests.conftest import PASSWORD, Session, make_app

    other = make_app(DATABASE_URL=pg_url)
    client = other.test_client()
    res = client.post("/api/auth/login", json={"username": "canbo.anthanh2",
                                               "password": PASSWORD})
    officer = Session(client, res.get_json()["csrf_token"], res.get_json())
    try:
        assert current_form(officer)["version"] == 1
        new = {"value": "dot_hai_may", "label": {"vi": "Đợt hai máy", "en": "Two servers"}}
        admin = login("admin.tinh")
        assert post(admin, with_campaign(current_form(admin), new)).status_code == 201
        assert current_form(officer)["version"] == 2
        res = officer.post("/api/sync", json={"items": [
            item(activity(campaign="dot_hai_may"), version=2)]})
        assert res.get_json()["results"][0]["status"] == "accepted", res.get_json()
        # Now that it has merged them, its requests no longer read form_versions.
        from sqlalchemy import event

        seen: list[str] = []
        with other.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert current_form(officer)["version"] == 2
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert seen and not [q for q in seen if "FROM form_versions ORDER BY" in q], seen
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
