"""Thin views over services/review.py and services/reports/completeness.py."""

from flask_login import current_user, login_required

from ..extensions import db
from ..models.types import utcnow
from ..schemas.base import load_args, load_json
from ..schemas.review import (
    BulkApproveSchema,
    CompletenessArgsSchema,
    DecisionSchema,
    QueueArgsSchema,
)
from ..services import review
from ..services.base.clock import local_today
from ..services.base.periods import month_end
from ..services.reports.completeness import completeness
from ..unit_of_work import commit_retrying
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
    return payload


@bp.post("/decisions")
@login_required
def approve_many():
    """Approve several records at once; each gets its own result."""
    data = load_json(BulkApproveSchema())
    results = commit_retrying(
        lambda: review.approve_many(data["items"], actor=current_user, now=utcnow()))
    return {"results": results}


@bp.get("/queue")
@login_required
def list_queue():
    args = load_args(QueueArgsSchema())
    return review.queue(actor=current_user, unit_code=args.get("unit"), form=args.get("form"),
                        status=args.get("status"), period=args.get("period"),
                        limit=args["limit"], offset=args["offset"],
                        waiting=args.get("waiting"))


@bp.get("/completeness")
@login_required
def show_completeness():
    args = load_args(CompletenessArgsSchema())
    year, month = map(int, args["period"].split("-"))
    # Units as they stood at the end of the month (or today, for the current one).
    day = min(local_today(), month_end(year, month))
    return completeness(actor=current_user, unit_code=args.get("unit"),
                        period=args["period"], day=day)
