"""The change stamp: every record a transaction changes gets the next numbers of one
monotonic counter, the order in which the pull feed (/api/sync/changes) hands them out."""

from __future__ import annotations

import uuid as uuid_lib
from functools import cache

from sqlalchemy import BigInteger, bindparam, update

from ...extensions import db
from ...models import Counter, Submission
from ..base.sql import insert_ignoring_conflict, unnest


@cache
def _statements():
    """Built once, on the tables: they run with every batch."""
    counter, records = Counter.__table__, Submission.__table__
    bump = (update(counter).where(counter.c.name == "changes")
            .values(value=counter.c.value + bindparam("count")).returning(counter.c.value))
    stamp = (update(records).where(records.c.uuid == bindparam("record"))
             .values(change_seq=bindparam("seq")))
    return bump, stamp


def stamp_changes(uuids: list[uuid_lib.UUID]) -> None:
    """Give each changed record the next change numbers. Call last, just before commit:
    the counter row stays locked until then, so numbers become visible in order and a
    pull cursor never skips a record that commits late."""
    if not uuids:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        _stamp_in_one_statement(uuids)
        return
    bump, stamp = _statements()
    end = _bump(bump, len(uuids))
    start = end - len(uuids) + 1
    # One UPDATE for the whole batch, executed with a row per record.
    db.session.execute(stamp, [{"record": u, "seq": start + i} for i, u in enumerate(uuids)])


def _bump(bump, count: int) -> int:
    end = db.session.execute(bump, {"count": count}).scalar_one_or_none()
    if end is None:  # the first change ever
        _make_counter()
        end = db.session.execute(bump, {"count": count}).scalar_one()
    return end


def _make_counter() -> None:
    db.session.execute(insert_ignoring_conflict(Counter, {"name": "changes", "value": 0},
                                                key=["name"]))


def _stamp_in_one_statement(uuids: list[uuid_lib.UUID]) -> None:
    """PostgreSQL: the counter moved and the records stamped by one statement (the bump
    in a WITH, the records and their offsets as two arrays). The same numbers as one
    UPDATE per record in this order: a record named twice keeps its last. Every row it
    updates is this transaction's already, so it takes no lock but the counter's."""
    last = {u: offset for offset, u in enumerate(uuids, start=1)}
    values = {"count": len(uuids), "record": list(last), "offset": list(last.values())}
    # No row stamped: there was no counter row (the WITH moved nothing), the first change
    # ever. Make it unless another transaction just did (it may have committed it since
    # this statement ran: asking whether it exists now would leave these records with no
    # number), and stamp again. Records that are gone move the counter twice: a gap.
    if db.session.execute(_stamp_statement(), values).rowcount == 0:
        _make_counter()
        db.session.execute(_stamp_statement(), values)


@cache
def _stamp_statement():
    counter, records = Counter.__table__, Submission.__table__
    bump = (update(counter).where(counter.c.name == "changes")
            .values(value=counter.c.value + bindparam("count", type_=BigInteger))
            .returning(counter.c.value).cte("bump"))
    given = unnest({"record": records.c.uuid.type, "offset": BigInteger()})
    number = bump.c.value - bindparam("count", type_=BigInteger) + given.c.offset
    # value >= offset holds for every record (the counter, moved by `count`, never
    # went down; no offset is above `count`): it joins the bump's one row to the arrays,
    # which SQLAlchemy asks of an UPDATE … FROM more than one.
    return (update(records)
            .where(records.c.uuid == given.c.record, bump.c.value >= given.c.offset)
            .values(change_seq=number))
