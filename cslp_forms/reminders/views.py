"""Thin views over services/deadlines.py."""

from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.session import require_role
from ..extensions import db
from ..models import DeadlineRule
from ..models.types import utcnow
from ..problems import Problem
from ..schemas.base import load_args, load_json
from ..schemas.reminders import ComplianceArgsSchema, NudgeSchema, RuleSchema, RuleUpdateSchema
from ..services import deadlines
from ..services.clock import local_today
from ..services.push import deliver_new
from ..services.units import resolve_unit
from . import bp

# The dates each kind of period is set by (services/deadlines.py, period_for).
DATES = {"due_md", "start_md", "end_md"}
DATES_OF = {"month": set(), "year": {"due_md"}, "window": {"start_md", "end_md"}}


def _rule(code: str) -> DeadlineRule:
    rule = db.session.scalar(select(DeadlineRule).where(DeadlineRule.code == code))
    if rule is None:
        raise Problem("deadline.not_found")
    return rule


@bp.get("/rules")
@login_required
def list_rules():
    if deadlines.seed_rules():
        db.session.commit()
    rules = db.session.scalars(select(DeadlineRule).order_by(DeadlineRule.id))
    return {"rules": RuleSchema(many=True).dump(rules)}


@bp.patch("/rules/<code>")
@require_role("admin")
def update_rule(code):
    if current_user.unit.level != "province":
        raise Problem("auth.forbidden", "Chỉ quản trị cấp tỉnh sửa được hạn báo cáo.")
    changes = load_json(RuleUpdateSchema())
    rule = _rule(code)
    wrong = sorted(set(changes) & DATES - DATES_OF[rule.period_type])
    if wrong:
        raise Problem("request.invalid", errors=[{
            "field": name, "code": "field.not_relevant",
            "message": "Không áp dụng cho loại kỳ của hạn này."} for name in wrong])
    for key, value in changes.items():
        setattr(rule, key, value)
    if rule.period_type == "window" and rule.start_md > rule.end_md:
        raise Problem("request.invalid", errors=[{
            "field": "end_md", "code": "field.invalid",
            "message": "Ngày kết thúc phải sau ngày bắt đầu (trong cùng một năm)."}])
    db.session.commit()
    return RuleSchema().dump(rule)


@bp.get("/compliance")
@require_role("supervisor", "admin")
def show_compliance():
    args = load_args(ComplianceArgsSchema())
    rule = _rule(args["rule"])
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


@bp.post("/nudge")
@require_role("supervisor", "admin")
def nudge_units():
    data = load_json(NudgeSchema())
    made = deadlines.nudge(actor=current_user, rule_code=data["rule"], period_key=None,
                           unit_codes=data["units"], now=utcnow())
    db.session.commit()
    deliver_new()
    return {"notified": made}
