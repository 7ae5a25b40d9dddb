"""Deadlines: the rules (seeded from the plan, edited by the province administrator), the
period a day falls in, each unit's compliance computed in SQL, and a supervisor's nudge.
Every function takes `now`/`day`: dates are the union's (Asia/Ho_Chi_Minh). The
scheduled reminders are services/tasks/reminders.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, select

from ..extensions import db
from ..models import COUNTED_STATUSES, DeadlineRule, Submission, Unit, User
from ..problems import Problem, field_error, invalid, say
from .base.audit import admin_audit
from .base.clock import local_today, local_zone
from .base.periods import month_end
from .base.sql import insert_ignoring_conflict
from .base.units import in_subtree, valid_on, within
from .records.notices import notify

# Seeded from the 2024 plan (PLAN-MAP.md, "Deadlines the plan creates"). The province
# administrator edits them (PATCH /api/reminders/rules/<code>), e.g. the year-end cut-off.
SEED = [
    {"code": "ngay_phap_luat_hang_thang",
     "title": "Ít nhất 1 hoạt động tuyên truyền, PBGDPL mỗi tháng",
     "basis": "Kế hoạch CSLP 2024, mục II.10 (hưởng ứng Ngày Pháp luật)",
     "form": "activity",
     "condition": {"field": "activity_type", "in": ["pbgdpl", "ngay_phap_luat"]},
     "unit_levels": ["commune"], "period_type": "month", "due_offset_days": 0,
     "reminder_days": [7, 2, 0, -1]},
    {"code": "ngay_phap_luat_9_11", "title": "Hoạt động hưởng ứng Ngày Pháp luật 9/11",
     "basis": "Luật PBGDPL 2012, Điều 8; Kế hoạch CSLP 2024, mục II.10",
     "form": "activity", "condition": {"field": "activity_type", "in": ["ngay_phap_luat"]},
     "unit_levels": ["commune"], "period_type": "window", "start_md": "11-01",
     "end_md": "11-09", "reminder_days": [7, 2, 0]},
    {"code": "thang_hanh_dong_bdg", "title": "Hoạt động Tháng hành động vì bình đẳng giới "
     "(15/11–15/12)", "basis": "Kế hoạch CSLP 2024, mục II.4", "form": "activity",
     "condition": {"field": "campaign", "in": ["thang_hanh_dong_bdg_15_11_15_12", "ngay_25_11"]},
     "unit_levels": ["commune"], "period_type": "window", "start_md": "11-15",
     "end_md": "12-15", "reminder_days": [14, 7, 2, 0]},
    {"code": "ngay_25_11", "title": "Hoạt động hưởng ứng Ngày Quốc tế xóa bỏ bạo lực đối "
     "với phụ nữ 25/11", "basis": "Kế hoạch CSLP 2024, mục II.4", "form": "activity",
     "condition": {"field": "campaign", "in": ["ngay_25_11"]},
     "unit_levels": ["commune"], "period_type": "window", "start_md": "11-15",
     "end_md": "11-25", "reminder_days": [7, 2, 0]},
    {"code": "ke_hoach_nam", "title": "Kế hoạch công tác CSLP của đơn vị, gửi trong quý I",
     "basis": "Kế hoạch CSLP 2024, mục III.2", "form": "report",
     "condition": {"field": "report_type", "in": ["ke_hoach_nam"]},
     "period_field": "report_year", "unit_levels": ["commune", "district"],
     "period_type": "year", "due_md": "03-31", "reminder_days": [14, 7, 2, 0, -1]},
    {"code": "bao_cao_nam", "title": "Báo cáo kết quả công tác CSLP cả năm của đơn vị",
     "basis": "Kế hoạch CSLP 2024, mục III.2; chốt số liệu năm 14/12 (NĐ 09/2019/NĐ-CP)",
     "form": "report", "condition": {"field": "report_type", "in": ["bao_cao_nam"]},
     "period_field": "report_year", "unit_levels": ["commune", "district"],
     "period_type": "year", "due_md": "12-14", "reminder_days": [14, 7, 2, 0, -1]},
]
# The rules indicator K14 (plans and year-end reports on time) is measured by.
TIMELINESS_RULES = ("ke_hoach_nam", "bao_cao_nam")


def seed_rules() -> int:
    """Add the plan's rules that are missing (never overwrites an edited one). Two
    processes seeding a fresh database at once (two app servers' timers) add each once."""
    have = set(db.session.scalars(select(DeadlineRule.code)))
    added = 0
    for spec in SEED:
        if spec["code"] not in have:
            added += db.session.execute(insert_ignoring_conflict(
                DeadlineRule, spec, key=["code"])).first() is not None
    return added


# The dates each kind of period is set by (period_for).
DATES = {"due_md", "start_md", "end_md"}
DATES_OF = {"month": set(), "year": {"due_md"}, "window": {"start_md", "end_md"}}


def get_rule(code: str) -> DeadlineRule:
    rule = db.session.scalar(select(DeadlineRule).where(DeadlineRule.code == code))
    if rule is None:
        raise Problem("deadline.not_found")
    return rule


def rules() -> list[DeadlineRule]:
    return list(db.session.scalars(select(DeadlineRule).order_by(DeadlineRule.id)))


def require_rule_editor(actor: User) -> None:
    """Only the province's administrators edit the rules."""
    if actor.role != "admin" or actor.unit.level != "province":
        raise Problem("auth.forbidden", say("deadline.province_only"))


def update_rule(code: str, *, actor: User, changes: dict) -> DeadlineRule:
    """Edit a rule (its dates, reminder days, whether it is active); a date the rule's
    kind of period does not use is refused."""
    require_rule_editor(actor)
    rule = get_rule(code)
    wrong = sorted(set(changes) & DATES - DATES_OF[rule.period_type])
    if wrong:
        raise Problem("request.invalid", errors=[
            field_error(name, "field.not_relevant", "deadline.date_not_used") for name in wrong])
    before = {key: getattr(rule, key) for key in sorted(changes)}
    for key, value in changes.items():
        setattr(rule, key, value)
    if rule.period_type == "window" and rule.start_md > rule.end_md:
        raise invalid("end_md", "field.invalid", "deadline.end_before_start")
    db.session.flush()
    after = {key: getattr(rule, key) for key in sorted(changes)}
    if after != before:
        admin_audit(actor, "rule", target=f"rule:{rule.code}", before=before, after=after)
    return rule


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date
    due: date


def _md(year: int, md: str) -> date:
    month, day = map(int, md.split("-"))
    return date(year, month, min(day, month_end(year, month).day))


def period_for(rule: DeadlineRule, day: date) -> Period | None:
    """The period of `rule` that `day` belongs to (a window rule: the year's window, if
    `day` is inside it or within its reminder reach before it)."""
    if rule.period_type == "month":
        start, end = day.replace(day=1), month_end(day.year, day.month)
        return Period(f"{day:%Y-%m}", start, end, end + timedelta(days=rule.due_offset_days))
    if rule.period_type == "year":
        start, end = date(day.year, 1, 1), date(day.year, 12, 31)
        due = _md(day.year, rule.due_md or "12-31") + timedelta(days=rule.due_offset_days or 0)
        return Period(str(day.year), start, min(end, due), due)
    start, end = _md(day.year, rule.start_md), _md(day.year, rule.end_md)
    reach = max([d for d in rule.reminder_days if d > 0] or [0])
    if not (start - timedelta(days=reach) <= day <= end + timedelta(days=1)):
        return None
    return Period(f"{day.year}-{rule.code}", start, end,
                  end + timedelta(days=rule.due_offset_days))


def _matches(rule: DeadlineRule):
    condition = rule.condition or {}
    if not condition:
        return True
    value = Submission.answers[condition["field"]]
    wanted = condition.get("in") or [condition.get("eq")]
    # Campaign-style answers are single strings; JSON extraction compares as text.
    return value.as_string().in_([str(v) for v in wanted])


def _in_period(rule: DeadlineRule, period: Period):
    """A record is for the period by its date, or by the year its answer names."""
    if rule.period_field:
        return Submission.answers[rule.period_field].as_integer() == period.start.year
    return and_(Submission.record_date >= period.start, Submission.record_date <= period.end)


def compliance(rule: DeadlineRule, period: Period, *, root: Unit, today: date,
               statuses: tuple[str, ...] = COUNTED_STATUSES) -> list[dict]:
    """Each unit of the rule's levels under `root`, valid during the period, with how many
    counted records it has (and how many arrived by the due date) and whether it is met,
    due soon, overdue or pending."""
    units = db.session.scalars(select(Unit).where(
        within(root), Unit.level.in_(rule.unit_levels),
        valid_on(period.end)).order_by(Unit.path)).all()
    # On time: it reached the server by the end of the due day (the union's time), not
    # the date typed on the document.
    due_end = datetime.combine(period.due + timedelta(days=1), time(0), tzinfo=local_zone())
    counts = {unit_id: (n, on_time) for unit_id, n, on_time in db.session.execute(
        select(Submission.unit_id, func.count(),
               func.count().filter(Submission.created_at < due_end.astimezone(UTC))).where(and_(
            in_subtree(root, Submission.unit_id), Submission.form == rule.form,
            Submission.status.in_(statuses), _in_period(rule, period), _matches(rule)))
        .group_by(Submission.unit_id))}
    rows = []
    for unit in units:
        n, on_time = counts.get(unit.id, (0, 0))
        if n:
            state = "met"
        elif today > period.due:
            state = "overdue"
        elif (period.due - today).days <= 7:
            state = "due_soon"
        else:
            state = "pending"
        rows.append({"unit": unit.summary(), "unit_id": unit.id, "count": n,
                     "on_time": on_time, "state": state})
    return rows


def reporters(unit_id: int) -> list[int]:
    """Who files a unit's records: its officers; at a district, which files its own plan
    and report, also its supervisors."""
    return db.session.scalars(select(User.id).where(
        User.unit_id == unit_id, User.active,
        User.role.in_(("officer", "supervisor")))).all()


def nudge(*, actor: User, rule_code: str, period_key: str | None, unit_codes: list[str],
          now: datetime) -> int:
    """A supervisor's one-tap reminder to the officers of units in her subtree."""
    rule = get_rule(rule_code)
    period = period_for(rule, local_today(now))
    key = period_key or (period.key if period else local_today(now).isoformat())
    made = 0
    for code in unit_codes:
        unit = db.session.scalar(select(Unit).where(Unit.code == code).order_by(
            Unit.valid_to.is_not(None), Unit.valid_from.desc()))
        if unit is None or not actor.unit.contains(unit):
            raise Problem("scope.forbidden")
        made += len(notify(
            reporters(unit.id), kind="nudge", now=now,
            key=f"nudge:{rule.code}:{code}:{key}:{local_today(now).isoformat()}",
            title="Nhắc từ cấp trên", body=f"{actor.unit.name} nhắc: {rule.title}.",
            url=f"/#/new/{rule.form}", tag=f"rule-{rule.code}"))
    return made
