"""Side effects that must wait for the request's transaction to end: a push once what it
announces is committed, an access-log row of a refused read whatever happens to the
transaction that refused it. A service schedules its own effect here; no view or command
has to remember a second call.

An effect runs when the session's outer transaction ends (after its COMMIT or ROLLBACK,
its connection given back), so it never holds the request's locks, and it gets a session
of its own (the request's is closing when it runs), in which it begins and ends its own
short transactions. One that fails is logged; it never fails the request that scheduled
it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from ...extensions import db

log = logging.getLogger(__name__)

Effect = Callable[[Session], None]
_PENDING = "cslp_after_commit"   # run if the outer transaction commits
_READY = "cslp_committed"        # its transaction committed: run when it ends
_ALWAYS = "cslp_after_end"       # run when the outer transaction ends, however


def after_commit(effect: Effect) -> None:
    """Run `effect(session)` once the current transaction has committed; never if it
    rolls back."""
    _schedule(_PENDING, effect)


def after_end(effect: Effect) -> None:
    """Run `effect(session)` once the current transaction has ended, committed or not."""
    _schedule(_ALWAYS, effect)


def _schedule(kind: str, effect: Effect) -> None:
    session = db.session()
    if session.get_transaction() is None:  # nothing to wait for
        if kind == _ALWAYS:
            _run([effect])
        return
    session.info.setdefault(kind, []).append(effect)


def _run(effects: list[Effect]) -> None:
    for effect in effects:
        try:
            with Session(db.engine) as own:
                effect(own)
        except Exception:  # noqa: BLE001  (an effect's trouble never fails her request)
            log.exception("side effect %s failed", getattr(effect, "__name__", effect))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    session.info.setdefault(_READY, []).extend(session.info.pop(_PENDING, []))


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return  # a savepoint: the outer transaction decides
    effects = session.info.pop(_READY, []) + session.info.pop(_ALWAYS, [])
    session.info.pop(_PENDING, None)
    if effects:
        _run(effects)
