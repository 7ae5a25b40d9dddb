"""The change stamp: every record a transaction changes gets the next numbers of one
monotonic counter, the order in which the pull feed (/api/sync/changes) hands them out."""

from __future__ import annotations

import uuid as uuid_lib

from sqlalchemy import case, update

from ...extensions import db
from ...models import Counter, Submission
from ..base.sql import insert_ignoring_conflict


def stamp_changes(uuids: list[uuid_lib.UUID]) -> None:
    """Give each changed record the next change numbers. Call last, just before commit:
    the counter row stays locked until then, so numbers become visible in order and a
    pull cursor never skips a record that commits late."""
    if not uuids:
        return
    bump = (update(Counter).where(Counter.name == "changes")
            .values(value=Counter.value + len(uuids)).returning(Counter.value))
    end = db.session.execute(bump).scalar_one_or_none()
    if end is None:  # the first change ever
        db.session.execute(insert_ignoring_conflict(Counter, {"name": "changes", "value": 0},
                                                    key=["name"]))
        end = db.session.execute(bump).scalar_one()
    start = end - len(uuids) + 1
    # One UPDATE … SET change_seq = CASE uuid WHEN … for the whole batch.
    db.session.execute(
        update(Submission).where(Submission.uuid.in_(uuids))
        .values(change_seq=case({u: start + i for i, u in enumerate(uuids)},
                                value=Submission.uuid))
        .execution_options(synchronize_session=False))
