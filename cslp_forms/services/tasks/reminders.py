"""`flask cslp send-reminders` (cron or a systemd timer): the officers of every unit that
has not met a deadline rule are reminded on the rule's reminder days, and each case
worker on the morning of a case's next follow-up date."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from ...extensions import db
from ...models import DeadlineRule, Unit
from ..base.clock import local_today
from ..base.units import valid_on
from ..cases import followups_due
from ..deadlines import Period, compliance, period_for, reporters
from ..records.notices import notify


def _reminder_kind(rule: DeadlineRule, period: Period, today: date) -> str | None:
    days_left = (period.due - today).days
    if days_left in [d for d in rule.reminder_days if d >= 0]:
        return "due_today" if days_left == 0 else f"due_in_{days_left}"
    if -1 in rule.reminder_days and days_left == -1:
        return "overdue"
    return None


def send_reminders(*, now: datetime) -> list[dict]:
    """Remind the officers of every unit that has not met a rule, on the rule's reminder
    days, under the top units (provinces) of each period: after a reorganisation, a past
    period's units are still reminded of it. The dedupe key (rule, unit, period, user,
    kind) makes a second run, or two machines at once, send nothing twice."""
    today = local_today(now)
    sent = []
    for rule in db.session.scalars(select(DeadlineRule).where(DeadlineRule.active)):
        # Yesterday's period too: the day after a month's due date is already next month.
        periods = {p for p in (period_for(rule, today), period_for(rule, today - timedelta(1)))
                   if p is not None}
        for period in sorted(periods, key=lambda p: p.start):
            sent += _remind(rule, period, today, now)
    sent += _remind_followups(today, now)
    db.session.flush()
    return sent


def _remind_followups(today: date, now: datetime) -> list[dict]:
    """The case worker, on the day of a case's next follow-up (from its timeline); the
    key (case, day, user) sends it once however often the timer runs. The text names no
    detail of the case: a lock screen shows it."""
    sent = []
    for parent, state, users in followups_due(today):
        for user_id in users:
            made = notify(
                [user_id], kind="followup", now=now,
                key=f"followup:{parent.uuid}:{today.isoformat()}",
                title="Hôm nay có lịch theo dõi vụ việc",
                body=f"Vụ việc tiếp nhận ngày {parent.record_date:%d/%m/%Y}: hôm nay "
                     f"({today:%d/%m/%Y}) là ngày theo dõi tiếp theo.",
                url=f"/#/record/{parent.uuid}", tag=f"followup-{parent.uuid}")
            if made:
                sent.append({"rule": "followup", "unit": state["holder_unit"],
                             "period": today.isoformat(), "kind": "followup",
                             "user_id": user_id, "uuid": str(parent.uuid)})
    return sent


def _remind(rule: DeadlineRule, period: Period, today: date, now: datetime) -> list[dict]:
    kind = _reminder_kind(rule, period, today)
    if kind is None:
        return []
    sent = []
    roots = db.session.scalars(select(Unit).where(Unit.parent_id.is_(None),
                                                  valid_on(period.end))).all()
    rows = [row for root in roots for row in compliance(rule, period, root=root, today=today)]
    for row in rows:
        if row["state"] == "met":
            continue
        for user_id in reporters(row["unit_id"]):
            made = notify(
                [user_id], kind="reminder", now=now,
                key=f"reminder:{rule.code}:{row['unit']['code']}:{period.key}:{kind}",
                title="Nhắc hạn báo cáo" if kind != "overdue" else "Đã quá hạn",
                body=_reminder_text(rule, period, kind), url=f"/#/new/{rule.form}",
                tag=f"rule-{rule.code}")
            if made:
                sent.append({"rule": rule.code, "unit": row["unit"]["code"],
                             "period": period.key, "kind": kind, "user_id": user_id})
    return sent


def _reminder_text(rule: DeadlineRule, period: Period, kind: str) -> str:
    due = f"{period.due:%d/%m/%Y}"
    title = f"{rule.title}, năm {period.key}" if rule.period_type == "year" else rule.title
    if kind == "overdue":
        return f"{title}: hạn {due} đã qua mà đơn vị chưa gửi. Hãy gửi sớm."
    if kind == "due_today":
        return f"{title}: hôm nay ({due}) là hạn cuối."
    return f"{title}: còn {kind.removeprefix('due_in_')} ngày, hạn {due}."
