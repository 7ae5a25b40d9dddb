"""Retry a whole idempotent unit of work when the database says it collided with another
transaction (a PostgreSQL deadlock or serialization failure, SQLite busy)."""

import logging
import time

from sqlalchemy.exc import OperationalError

from ..extensions import db
from ..problems import Problem

log = logging.getLogger(__name__)
ATTEMPTS = 4


def retry_on_contention(work):
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return work()
        except OperationalError as err:
            db.session.rollback()
            log.warning("database contention (attempt %s): %s", attempt, err.orig)
            if attempt == ATTEMPTS:
                raise Problem("server.unavailable", headers={"Retry-After": "5"}) from None
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")
