"""`flask cslp rebuild-report-facts`: every record's report facts and the rollups
recomputed from the stored records (after a data repair or an upgrade)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from ...extensions import db
from ...models import ReportFact, ReportRollup, Submission
from ..records.facts import fact_values, rollup_insert
from ..records.sealing import open_answers


def rebuild_facts(batch: int = 1000) -> int:
    """Returns the number of records."""
    db.session.execute(delete(ReportFact))
    count = 0
    query = select(Submission).order_by(Submission.uuid).execution_options(yield_per=batch)
    for submission in db.session.scalars(query):
        # A case's stored answers are only its plain part: open the sealed ones.
        values = fact_values(submission.form, open_answers(submission, submission.uuid),
                             submission.record_date)
        db.session.execute(insert(ReportFact).values(
            submission_uuid=submission.uuid, unit_id=submission.unit_id,
            status=submission.status, parent_uuid=submission.parent_uuid, **values))
        count += 1
    db.session.execute(delete(ReportRollup))
    db.session.execute(rollup_insert())
    db.session.flush()
    return count
