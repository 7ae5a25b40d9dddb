"""The unit of work of a view that writes what phones and reviewers send: run it, commit
it, and run it again when the database says it collided with another transaction (the
work must be idempotent: a sync batch, a list of approvals)."""

from .extensions import db
from .services.base.sql import retry_on_contention


def commit_retrying(work):
    """`work()`'s result, once what it wrote is committed."""
    def attempt():
        result = work()
        db.session.commit()
        return result

    return retry_on_contention(attempt)
