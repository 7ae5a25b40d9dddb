"""The change stamp: every record a transaction changes gets the next numbers of one
monotonic counter, the order in which the pull feed (/api/sync/changes) hands them out."""

from __future__ import annotations

import uuid as uuid_lib
from functools import cache

from sqlalchemy import bindparam, update

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
    bump, stamp = _statements()
    count = {"count": len(uuids)}
    end = db.session.execute(bump, count).scalar_one_or_none()
    if end is None:  # the first change ever
        db.session.execute(insert_ignoring_conflict(Counter, {"name": "changes", "value": 0},
                                                    key=["name"]))
        end = db.session.execute(bump, count).scalar_one()
    start = end - len(uuids) + 1
    # One UPDATE for the whole batch: on PostgreSQL with the records and their numbers
    # as two arrays (every row it updates is this transaction's already: no new lock);
    # else executed with a row per record.
    if len(uuids) > 1 and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_stamp_from_arrays(), {
            "record": list(uuids), "seq": list(range(start, start + len(uuids)))})
        return
    db.session.execute(stamp, [{"record": u, "seq": start + i} for i, u in enumerate(uuids)])


@cache
def _stamp_from_arrays():
    records = Submission.__table__
    given = unnest({"record": records.c.uuid.type, "seq": records.c.change_seq.type})
    return (update(records).where(records.c.uuid == given.c.record)
            .values(change_seq=given.c.seq))
