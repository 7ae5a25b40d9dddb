"""Which communes have sent what: for a month, each commune under a unit with its counts
by form, the ones that sent nothing flagged."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ...extensions import db
from ...models import REVIEWER_ROLES, Submission, Unit, User
from ...problems import Problem
from ..base.forms import registry
from ..base.units import in_subtree, resolve_unit, valid_on, within


def completeness(*, actor: User, unit_code: str | None, period: str, day: date) -> dict:
    """For a period (YYYY-MM): each commune under her unit with its counts by form; the
    ones that sent nothing are flagged."""
    if actor.role not in REVIEWER_ROLES:
        raise Problem("review.not_allowed")
    root = resolve_unit(unit_code) if unit_code else actor.unit
    if not actor.unit.contains(root):
        raise Problem("review.not_allowed")
    communes = list(db.session.scalars(select(Unit).where(
        within(root), Unit.level == "commune", valid_on(day)).order_by(Unit.path)))
    if root.level == "commune":
        communes = [root]
    counts = db.session.execute(
        select(Submission.unit_id, Submission.form, func.count())
        .where(in_subtree(root, Submission.unit_id), Submission.period == period,
               Submission.status != "rejected")
        .group_by(Submission.unit_id, Submission.form)).all()
    by_unit: dict[int, dict[str, int]] = {}
    for unit_id, form, n in counts:
        by_unit.setdefault(unit_id, {})[form] = n
    forms = [d.form for d in registry().current()]
    rows = []
    for unit in communes:
        got = by_unit.get(unit.id, {})
        rows.append({"unit": unit.summary(), "counts": {f: got.get(f, 0) for f in forms},
                     "total": sum(got.values()), "missing": not got})
    return {"unit": root.summary(), "period": period, "forms": forms, "units": rows,
            "missing": sum(1 for r in rows if r["missing"])}
