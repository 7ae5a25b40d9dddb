"""Side effects wait for the transaction (services/base/effects.py): an after-commit
effect runs once its transaction committed and never after a rollback; an after-end
effect runs either way; both get a session of their own, so what they write stays even
when the request's transaction does not; one that fails never fails the caller."""

import pytest
from sqlalchemy import func, select

from cslp_forms.extensions import db
from cslp_forms.models import AccessLog, User
from cslp_forms.services.base import effects


@pytest.fixture(params=["memory", "file"])
def any_app(request):
    """In memory (one shared connection) and on a file (a pool): both must work."""
    return request.getfixturevalue("app" if request.param == "memory" else "file_app")


def _log(session, action="read"):
    with session.begin():
        session.add(AccessLog(user_id=1, action=action, allowed=False))


def _count(action) -> int:
    return db.session.scalar(select(func.count()).select_from(AccessLog)
                             .where(AccessLog.action == action))


def test_after_commit_runs_once_committed_and_not_before(any_app):
    with any_app.app_context():
        ran = []
        db.session.scalar(select(User.id).limit(1))
        effects.after_commit(lambda session: ran.append("pushed"))
        assert ran == []
        db.session.commit()
        assert ran == ["pushed"]
        db.session.scalar(select(User.id).limit(1))
        db.session.commit()
        assert ran == ["pushed"]  # once: a later transaction does not run it again


def test_after_commit_never_runs_after_a_rollback(any_app):
    with any_app.app_context():
        ran = []
        db.session.scalar(select(User.id).limit(1))
        effects.after_commit(lambda session: ran.append("pushed"))
        db.session.rollback()
        db.session.scalar(select(User.id).limit(1))
        db.session.commit()
        assert ran == []


def test_after_commit_waits_for_the_outer_transaction_not_a_savepoint(any_app):
    with any_app.app_context():
        ran = []
        db.session.scalar(select(User.id).limit(1))
        with db.session.begin_nested():
            effects.after_commit(lambda session: ran.append("pushed"))
        assert ran == []
        db.session.rollback()
        assert ran == []


def test_after_end_writes_in_its_own_transaction_whatever_happens(any_app):
    with any_app.app_context():
        db.session.add(AccessLog(user_id=1, action="change", allowed=True))
        db.session.flush()
        effects.after_end(lambda session: _log(session, "refused"))
        db.session.rollback()
        assert _count("refused") == 1 and _count("change") == 0


def test_a_failing_effect_is_logged_and_the_others_still_run(any_app, caplog):
    with any_app.app_context():
        def broken(session):
            raise RuntimeError("push service down")

        db.session.scalar(select(User.id).limit(1))
        effects.after_commit(broken)
        effects.after_commit(lambda session: _log(session, "after"))
        db.session.commit()
        assert _count("after") == 1
        assert "side effect" in caplog.text and "push service down" in caplog.text
