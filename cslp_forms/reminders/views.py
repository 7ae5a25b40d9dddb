"""Thin views over services/deadlines.py."""

from flask_login import current_user, login_required

from ..auth.session import require_role
from ..extensions import db
from ..models import REVIEWER_ROLES
from ..models.types import utcnow
from ..problems import Problem
from ..schemas.base import load_args, load_json
from ..schemas.reminders import (
    ComplianceArgsSchema,
    FollowupNudgeSchema,
    NudgeSchema,
    OverdueArgsSchema,
    RuleSchema,
    RuleUpdateSchema,
)
from ..services import cases, deadlines
from ..services.base.clock import local_today
from ..services.base.units import resolve_unit
from ..unit_of_work import commit_retrying
from . import bp


@bp.get("/rules")
@login_required
def list_rules():
    if deadlines.seed_rules():
        db.session.commit()
    return {"rules": RuleSchema(many=True).dump(deadlines.rules())}


@bp.patch("/rules/<code>")
@require_role("admin")
def update_rule(code):
    deadlines.require_rule_editor(current_user)
    changes = load_json(RuleUpdateSchema())
    rule = deadlines.update_rule(code, actor=current_user, changes=changes)
    db.session.commit()
    return RuleSchema().dump(rule)


@bp.get("/due")
@login_required
def show_due():
    """What her own unit still owes this week (or is late with), for the home screen
    (read-only: with no rules loaded yet, nothing is due)."""
    return {"due": deadlines.due_for(current_user.unit, today=local_today())}


@bp.get("/compliance")
@require_role(*REVIEWER_ROLES)
def show_compliance():
    args = load_args(ComplianceArgsSchema())
    rule = deadlines.get_rule(args["rule"])
    day = args.get("on") or local_today()
    root = resolve_unit(args["unit"]) if "unit" in args else current_user.unit
    if not current_user.unit.contains(root):
        raise Problem("scope.forbidden")
    period = deadlines.period_for(rule, day)
    if period is None:
        return {"rule": rule.code, "period": None, "units": []}
    rows = deadlines.compliance(rule, period, root=root, today=day)
    for row in rows:
        row.pop("unit_id")
    return {"rule": rule.code, "title": rule.title, "period": {
        "key": period.key, "start": period.start.isoformat(), "end": period.end.isoformat(),
        "due": period.due.isoformat()}, "units": rows}


@bp.get("/overdue")
@require_role(*REVIEWER_ROLES)
def list_overdue():
    """Cases with no entry for 30 days and groups with no meeting this quarter."""
    args = load_args(OverdueArgsSchema())
    return cases.overdue(actor=current_user, unit_code=args.get("unit"),
                         today=args.get("on") or local_today())


@bp.post("/nudge")
@require_role(*REVIEWER_ROLES)
def nudge_units():
    data = load_json(NudgeSchema())
    made = deadlines.nudge(actor=current_user, rule_code=data["rule"], period_key=None,
                           unit_codes=data["units"], now=utcnow())
    db.session.commit()
    return {"notified": made}


@bp.post("/overdue/nudge")
@require_role(*REVIEWER_ROLES)
def nudge_followup():
    """Remind whoever follows one case or group of her overdue lists, once a day."""
    data = load_json(FollowupNudgeSchema())
    now = utcnow()
    made, text = commit_retrying(lambda: cases.nudge(
        actor=current_user, uuid=str(data["uuid"]), now=now))
    return {"notified": made, "message": text}
