"""stamp_changes on PostgreSQL (one statement: the counter's bump in a WITH, the
records as arrays) hands out the numbers one UPDATE per record would: in the order
given, a record named twice keeping its last, the counter moved by all of them."""

import uuid

import pytest
from sqlalchemy import delete, event, insert, select, update

from cslp_forms.extensions import db
from cslp_forms.models import Counter, Submission
from cslp_forms.services.records.changes import stamp_changes
from tests.api.sync_helpers import item

pytestmark = pytest.mark.pg


def test_numbers_in_order_a_record_named_twice_keeps_its_last(app, login):
    officer = login("canbo.anthanh2")
    sent = [item() for _ in range(3)]
    res = officer.post("/api/sync", json={"items": sent})
    assert [r["status"] for r in res.get_json()["results"]] == ["accepted"] * 3
    a, b, c = (uuid.UUID(i["uuid"]) for i in sent)
    with app.app_context():
        before = db.session.get(Counter, "changes").value
        stamp_changes([b, a, c, a])
        seq = dict(db.session.execute(select(Submission.uuid, Submission.change_seq)).all())
        assert (seq[b], seq[a], seq[c]) == (before + 1, before + 4, before + 3)
        db.session.expire_all()
        assert db.session.get(Counter, "changes").value == before + 4
        stamp_changes([c])
        assert db.session.scalar(select(Submission.change_seq).where(
            Submission.uuid == c)) == before + 5
        db.session.rollback()


def test_the_first_change_ever_makes_the_counter(app, login):
    with app.app_context():
        assert db.session.get(Counter, "changes") is None
    officer = login("canbo.anthanh2")
    res = officer.post("/api/sync", json={"items": [item(), item()]})
    assert [r["status"] for r in res.get_json()["results"]] == ["accepted"] * 2
    with app.app_context():
        assert db.session.get(Counter, "changes").value == 2
        assert sorted(db.session.scalars(select(Submission.change_seq))) == [1, 2]


def test_a_counter_another_batch_made_meanwhile_still_numbers_this_one(app, login):
    """Two first batches at once: this one's stamp finds no counter row; before it goes
    on, the other batch makes the row and commits. This batch's records still get numbers
    (the chaos run on a fresh database once stored records with none)."""
    officer = login("canbo.anthanh2")
    sent = item()
    assert officer.post("/api/sync", json={"items": [sent]}).get_json()[
        "results"][0]["status"] == "accepted"
    record = uuid.UUID(sent["uuid"])
    with app.app_context():
        db.session.execute(delete(Counter))
        db.session.execute(update(Submission).values(change_seq=None))
        db.session.commit()

        def the_other_batch_commits(_conn, _cursor, statement, *_):
            if statement.lstrip().startswith("WITH") and not made:
                made.append(True)
                with db.engine.begin() as other:  # another connection of the pool
                    other.execute(insert(Counter).values(name="changes", value=10))

        made: list = []
        connection = db.session.connection()
        event.listen(connection, "after_cursor_execute", the_other_batch_commits)
        try:
            stamp_changes([record])
        finally:
            event.remove(connection, "after_cursor_execute", the_other_batch_commits)
        assert made
        assert db.session.scalar(select(Submission.change_seq)) == 11
        db.session.commit()
        assert db.session.get(Counter, "changes").value == 11
