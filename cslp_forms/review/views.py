"""Thin views over services/review.py."""

import calendar
from datetime import date

from flask_login import current_user, login_required

from ..extensions import db
from ..models.types import utcnow
from ..problems import Problem
from ..schemas.base import load_args, load_json
from ..schemas.review import (
    BulkApproveSchema,
    CompletenessArgsSchema,
    DecisionSchema,
    QueueArgsSchema,
)
from ..services import review
from ..services.clock import local_today
from ..services.facts import write_rollups
from ..services.push import deliver_new
from ..services.submissions import stamp_changes
from ..sync.retry import retry_on_contention
from . import bp


@bp.post("/<uuid:uuid>/decisions")
@login_required
def create_decision(uuid):
    data = load_json(DecisionSchema())
    review.decide(uuid, actor=current_user, decision=data["decision"],
                  revision=data["revision"], comment=data["comment"],
                  field_comments=data["field_comments"], now=utcnow())
    payload = review.record_detail(uuid, actor=current_user)
    db.session.commit()
    deliver_new()
    return payload


@bp.post("/decisions")
@login_required
def approve_many():
    """Approve several records at once; each gets its own result."""
    data = load_json(BulkApproveSchema())

    def attempt():
        # Locks in the order a sync batch takes them: the records in UUID order, then
        # the rollup rows in key order, then the change counter (services/sync.py), so
        # a reviewer and the phones (or another reviewer) never wait in a circle.
        results, rollups, stamps = [None] * len(data["items"]), {}, []
        for index, item in sorted(enumerate(data["items"]), key=lambda p: str(p[1]["uuid"])):
            try:
                with db.session.begin_nested():
                    review.decide(item["uuid"], actor=current_user, decision="approve",
                                  revision=item["revision"], comment=None,
                                  field_comments=None, now=utcnow(), rollups=rollups,
                                  stamps=stamps)
                results[index] = {"uuid": str(item["uuid"]), "ok": True}
            except Problem as problem:
                results[index] = {"uuid": str(item["uuid"]), "ok": False,
                                         "code": problem.code,
                                         "detail": problem.detail or problem.title}
        write_rollups(rollups)
        stamp_changes(stamps)
        db.session.commit()
        return results

    results = retry_on_contention(attempt)
    deliver_new()
    return {"results": results}


@bp.get("/queue")
@login_required
def list_queue():
    args = load_args(QueueArgsSchema())
    return review.queue(actor=current_user, unit_code=args.get("unit"), form=args.get("form"),
                        status=args.get("status"), period=args.get("period"),
                        limit=args["limit"], offset=args["offset"])


@bp.get("/completeness")
@login_required
def show_completeness():
    args = load_args(CompletenessArgsSchema())
    year, month = map(int, args["period"].split("-"))
    # Units as they stood at the end of the month (or today, for the current one).
    day = min(local_today(), _month_end(year, month))
    return review.completeness(actor=current_user, unit_code=args.get("unit"),
                               period=args["period"], day=day)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
