"""Indicators K01–K14 for a unit's subtree and a period, against the plan's targets.

Every figure is an SQL aggregate over `report_facts` (a handful of GROUP BY queries, one
row per unit and kind), folded here into the unit's total and one column per unit
directly below it: the figures behind the total, for drilling down. Only approved
records count, or also those still in review when asked. Incident figures count only
cases whose consent allows statistics, and small counts are hidden outside the unit they
are about (services/reports/suppression.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select, text
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import (
    OPEN_STATUSES,
    REVIEWER_ROLES,
    DeadlineRule,
    ReportFact,
    ReportRollup,
    Submission,
    Unit,
    User,
)
from ...models.types import iso
from ...problems import Problem, say
from .. import deadlines
from ..base.forms import registry
from ..base.periods import Period, make_period
from ..base.units import ancestors, find_version, in_subtree, within
from ..records.content import record_title
from ..records.facts import LAW_DAY_CAMPAIGNS, LAW_DAY_TYPES
from . import suppression
from .catalogue import CATALOGUE, Indicator
from .targets import effective_targets

F = ReportFact
APPROVED = ("approved",)
COMMENT_TYPES = ("gop_y_xd_dang_chinh_quyen", "gop_y_du_thao")
POLICY_TYPES = ("phan_bien", "gop_y_xd_dang_chinh_quyen", "gop_y_du_thao", "doi_thoai")
CAMPAIGN_K13 = ("thang_hanh_dong_bdg_15_11_15_12", "ngay_25_11")
RAPID_TEAM = "to_phan_ung_nhanh_xam_hai_tre_em"
SUMS = ("participants_total", "participants_female", "participants_male",
        "participants_minority", "recommendations_made", "recommendations_accepted",
        "petitions_received", "petitions_handled", "petitions_referred", "petitions_guided",
        "consultations", "mediations", "mediations_success")

PART_LABELS = {
    "sessions": "Số cuộc", "people": "Lượt người", "female": "Nữ", "male": "Nam",
    "minority": "Dân tộc thiểu số", "activities": "Số hoạt động",
    "unit_months_required": "Lượt đơn vị-tháng phải đạt", "units": "Số đơn vị",
    "missed_units": "Đơn vị thiếu ít nhất 1 tháng", "lead": "Chủ trì", "cooperate": "Phối hợp",
    "recommendations": "Kiến nghị", "accepted": "Kiến nghị được tiếp thu",
    "documents": "Văn bản góp ý", "members": "Thành viên", "teams_trained": "Tổ đã tập huấn TOT",
    "tot_classes": "Lớp TOT", "tot_people": "Lượt người dự TOT", "cases": "Số người được phát hiện",
    "reached": "Tiếp cận ≥1 dịch vụ", "handled": "Hội giải quyết", "referred": "Chuyển cơ quan",
    "guided": "Hướng dẫn", "advice_sessions": "Buổi tư vấn", "mediations": "Vụ hòa giải",
    "mediations_success": "Hòa giải thành", "received": "Tiếp nhận",
    "met": "Đã sinh hoạt trong kỳ", "meetings": "Buổi sinh hoạt trong kỳ",
    "supported": "Vụ việc được theo dõi trong kỳ",
    "served": "Vụ việc nhận dịch vụ trong kỳ (theo dõi)",
    "referrals": "Lượt chuyển gửi trong kỳ",
    "plans_due": "Kế hoạch năm đến hạn", "plans_on_time": "Kế hoạch gửi đúng hạn",
    "reports_due": "Báo cáo năm đến hạn", "reports_on_time": "Báo cáo năm gửi đúng hạn",
}


@dataclass
class Scope:
    """The unit asked for (every version of its code that overlaps the period), its
    subtree, and which unit directly below it each unit rolls up to."""

    roots: list[Unit]
    units: dict[int, Unit]
    period: Period
    depth: int = 0
    children: dict[str, Unit] = field(default_factory=dict)

    @property
    def root(self) -> Unit:
        return self.roots[-1]

    def condition(self, column):
        return in_subtree(self.roots, column)

    groups: dict[int, str] = field(default_factory=dict)
    law_months: Counter = field(default_factory=Counter)

    def group(self, unit_id: int) -> str:
        """'' for the unit's own records, else the code of the unit below it."""
        if unit_id not in self.groups:
            parts = self.units[unit_id].path.strip("/").split("/")
            self.groups[unit_id] = ("" if len(parts) <= self.depth
                                    else self.units[int(parts[self.depth])].code)
        return self.groups[unit_id]

    def overlaps(self, unit: Unit, start: date, end: date) -> bool:
        return unit.valid_from <= end and (unit.valid_to is None or unit.valid_to >= start)


def load_scope(viewer: User, unit_code: str | None, period: Period) -> Scope:
    if viewer.role not in REVIEWER_ROLES:
        raise Problem("report.not_allowed", say("report.supervisors"))
    code = unit_code or viewer.unit.code
    roots = list(db.session.scalars(select(Unit).where(
        Unit.code == code, Unit.valid_from <= period.end,
        or_(Unit.valid_to.is_(None), Unit.valid_to >= period.start))
        .order_by(Unit.valid_from)))
    if not roots:
        latest = find_version(code)
        if latest is None:
            raise Problem("unit.not_found", say("unit.no_such_code", code=code))
        roots = [latest]
    if not all(viewer.unit.contains(r) for r in roots):
        raise Problem("report.not_allowed")
    units = {u.id: u for u in db.session.scalars(select(Unit).where(within(*roots)))}
    scope = Scope(roots, units, period, depth=len(roots[0].path.strip("/").split("/")))
    below = [u for u in units.values()
             if len(u.path.strip("/").split("/")) == scope.depth + 1
             and scope.overlaps(u, period.start, period.end)]
    for unit in sorted(below, key=lambda u: (u.code, u.valid_from)):
        scope.children[unit.code] = unit  # the latest version names the row
    return scope


def _statuses(include_pending: bool) -> tuple[str, ...]:
    return APPROVED + OPEN_STATUSES if include_pending else APPROVED


def _in_period(period: Period):
    return F.record_date.between(period.start, period.end)


def _tune() -> None:
    """PostgreSQL, for this transaction only: group in memory rather than sort to disk,
    and no JIT compilation (it costs more than it saves on these short queries)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL work_mem = '32MB'"))
        db.session.execute(text("SET LOCAL jit = off"))


@dataclass(frozen=True)
class Counting:
    """One counter an activity rollup row adds to: `figure` of the row ("n", the number
    of activities; "lead"/"cooperate", those it led or joined; or one of SUMS), when the
    row's kind is in `kinds` or its campaign in `campaigns` (neither: every row), unless
    its kind is in `unless`."""

    counter: str
    figure: str
    kinds: tuple[str, ...] | None = None
    campaigns: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()

    def counts(self, kind: str | None, campaign: str | None) -> bool:
        if kind in self.unless:
            return False
        if self.kinds is None and not self.campaigns:
            return True
        return kind in (self.kinds or ()) or campaign in self.campaigns


# Legal education and Law Day activities: the bulk of the rows, counted only as such.
_EDUCATION = ("pbgdpl", "ngay_phap_luat")


def _each(kinds: tuple[str, ...] | None, pairs: dict[str, str], **how) -> list[Counting]:
    return [Counting(counter, figure, kinds, **how) for counter, figure in pairs.items()]


# What the activities add up to, indicator by indicator (FORMS.md §5). Adding an
# indicator's activity figures is adding its rows here.
ACTIVITY_COUNTS: tuple[Counting, ...] = (
    Counting("activities", "n"),
    *_each(("pbgdpl",), {"k01_sessions": "n", "k01_people": "participants_total",
                         "k01_female": "participants_female", "k01_male": "participants_male",
                         "k01_minority": "participants_minority"}),
    *_each(LAW_DAY_TYPES, {"k02_activities": "n", "k02_people": "participants_total"},
           campaigns=LAW_DAY_CAMPAIGNS),
    *_each(None, {"k13_sessions": "n", "k13_people": "participants_total"},
           campaigns=CAMPAIGN_K13),
    *_each(("giam_sat",), {"k03_sessions": "n", "k03_lead": "lead",
                           "k03_cooperate": "cooperate",
                           "k03_recommendations": "recommendations_made",
                           "k03_accepted": "recommendations_accepted"}),
    Counting("k04_sessions", "n", ("phan_bien",)),
    Counting("k04_documents", "n", COMMENT_TYPES),
    Counting("policy_dialogues", "n", ("doi_thoai",)),
    *_each(POLICY_TYPES, {"policy_recommendations": "recommendations_made",
                          "policy_accepted": "recommendations_accepted"}),
    *_each(("tot",), {"k06_tot_classes": "n", "k06_tot_people": "participants_total"}),
    *_each(("hoi_nghi_nhan_rong_mo_hinh",), {"k07_sessions": "n",
                                             "k07_people": "participants_total"}),
    Counting("k11_sessions", "n", ("tiep_nhan_don_thu",)),
    Counting("k12_advice_sessions", "n", ("tu_van_phap_luat",)),
    Counting("k12_mediation_sessions", "n", ("hoa_giai",)),
    # Petitions, advice and mediation figures of any other activity.
    *[Counting(counter, figure, unless=_EDUCATION) for counter, figure in {
        "k11_received": "petitions_received", "k11_handled": "petitions_handled",
        "k11_referred": "petitions_referred", "k11_guided": "petitions_guided",
        "k12_consultations": "consultations", "k12_mediations": "mediations",
        "k12_mediations_success": "mediations_success"}.items()],
)


def aggregate(scope: Scope, statuses: tuple[str, ...]) -> dict[str, Counter]:
    """Run the SQL aggregates and fold them by group ('' = the unit's own records)."""
    _tune()
    acc: dict[str, Counter] = defaultdict(Counter)
    _count_activities(scope, statuses, acc)
    _count_models(scope, statuses, acc)
    _count_cases(scope, statuses, acc)
    return acc


def _count_activities(scope: Scope, statuses: tuple[str, ...], acc: dict) -> None:
    """Activities from their monthly rollups (every period is whole months): by unit,
    type and campaign, and for Law Day activities also by month (the monthly rule)."""
    R = ReportRollup
    month_of = R.cutoff_period if scope.period.union_cutoff else R.period
    months = scope.period.months()
    lead = func.sum(case((R.lead_role == "chu_tri", R.n), else_=0))
    coop = func.sum(case((R.lead_role == "phoi_hop", R.n), else_=0))
    month = case((R.law_day.is_(True), month_of), else_=None)
    rows = db.session.execute(
        select(R.unit_id, R.kind, R.campaign, month, func.sum(R.n), lead, coop,
               *[func.sum(getattr(R, c)) for c in SUMS])
        .where(month_of.between(months[0], months[-1]), R.status.in_(statuses),
               scope.condition(R.unit_id))
        .group_by(R.unit_id, R.kind, R.campaign, month)
        .having(func.sum(R.n) > 0))
    countings: dict[tuple, list[Counting]] = {}  # by (kind, campaign): a few dozen
    for unit_id, kind, campaign, law_month, n, n_lead, n_coop, *sums in rows:
        figures = {"n": int(n), "lead": int(n_lead or 0), "cooperate": int(n_coop or 0),
                   **{c: int(v) if v else 0 for c, v in zip(SUMS, sums, strict=True)}}
        if law_month:
            scope.law_months[(scope.units[unit_id].code, law_month)] += figures["n"]
        if (kind, campaign) not in countings:
            countings[(kind, campaign)] = [c for c in ACTIVITY_COUNTS
                                           if c.counts(kind, campaign)]
        g = acc[scope.group(unit_id)]
        for counting in countings[(kind, campaign)]:
            g[counting.counter] += figures[counting.figure]


def _entries(form: str, statuses: tuple[str, ...], pick, *, period: Period | None = None,
             until: date | None = None, parent=lambda P: True):
    """Entry facts (F) on approved cases or groups (their facts as P): `pick(P)` the
    columns, `parent(P)` a condition on the parent, entries dated in `period` or up to
    `until`. An entry counts in the period of its own date, under the unit that held its
    parent then."""
    P = aliased(F)
    day = F.record_date <= until if until is not None else _in_period(period)
    return select(*pick(P)).join(P, P.submission_uuid == F.parent_uuid).where(
        F.form == form, day, F.status.in_(statuses), P.status.in_(statuses), parent(P))


def _latest(kind: str, value, statuses: tuple[str, ...], scope: Scope, until: date, *where):
    """The last approved group entry of `kind` per group up to `until` (by date, then
    UUID) and its `value(F)`: a subquery of (parent_uuid, value)."""
    rank = func.row_number().over(partition_by=F.parent_uuid,
                                  order_by=(F.record_date.desc(), F.submission_uuid.desc()))
    ranked = _entries("model_group_entry", statuses, lambda P: (
        F.parent_uuid, value(F).label("value"), rank.label("rank")), until=until).where(
        F.kind == kind, scope.condition(F.unit_id), *where).subquery()
    return select(ranked.c.parent_uuid, ranked.c.value).where(ranked.c.rank == 1).subquery()


def _count_models(scope: Scope, statuses: tuple[str, ...], acc: dict) -> None:
    """Active models are a stock: their status at the period's end (the last approved
    status entry up to then, else the record's own) is "active"; those among them that
    met in the period (a meeting entry dated in it) and the meetings; members as the last
    membership entry up to then says. Rapid response teams count when launched within
    the period. Summed in SQL by unit and model type: a province holds thousands of
    groups over the years."""
    period = scope.period
    G = aliased(F)
    status = _latest("status", lambda E: E.model_status, statuses, scope, period.end,
                     F.model_status.isnot(None), F.model_status != "")
    members = _latest("membership", lambda E: E.members_total, statuses, scope, period.end)
    met = _entries("model_group_entry", statuses, lambda P: (
        F.parent_uuid, func.count().label("n")), period=period).where(
        F.kind == "meeting", scope.condition(F.unit_id)).group_by(F.parent_uuid).subquery()
    active = and_(G.record_date <= period.end,
                  func.coalesce(status.c.value, G.model_status) == "dang_hoat_dong")
    counted_members = case((members.c.parent_uuid.isnot(None), func.coalesce(members.c.value, 0)),
                           else_=func.coalesce(G.members_total, 0))
    meetings = func.coalesce(met.c.n, 0)
    team = and_(G.established_date.between(period.start, period.end), G.kind == RAPID_TEAM)
    trained = and_(team, G.trained_tot.is_(True))

    def total(condition, value=1):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    rows = db.session.execute(
        select(G.unit_id, G.kind, total(active), total(active, counted_members),
               total(and_(active, meetings > 0)), total(active, meetings), total(team),
               total(trained), total(trained, func.coalesce(G.tot_trained_count, 0)))
        .outerjoin(status, status.c.parent_uuid == G.submission_uuid)
        .outerjoin(members, members.c.parent_uuid == G.submission_uuid)
        .outerjoin(met, met.c.parent_uuid == G.submission_uuid)
        .where(G.form == "model_group",
               or_(G.record_date <= period.end,
                   G.established_date.between(period.start, period.end)),
               G.status.in_(statuses), scope.condition(G.unit_id))
        .group_by(G.unit_id, G.kind))
    for unit_id, kind, *figures in rows:
        g = acc[scope.group(unit_id)]
        for counter, n in zip((
                "k05_models", "k05_members", "k05_met", "k05_meetings", "k06_teams",
                "k06_teams_trained", "k06_team_members_trained"), figures, strict=True):
            if n:
                g[counter] += int(n)
        if figures[0]:
            g[f"k05_type:{kind}"] += int(figures[0])


CASE_CODES = ("k08", "k09", "k10")


def _codes(dv, trafficking, child, female) -> list[str]:
    return [code for code, hit in zip(CASE_CODES, (dv and female, trafficking, child),
                                      strict=True) if hit]


def _count_cases(scope: Scope, statuses: tuple[str, ...], acc: dict) -> None:
    """Cases whose consent allows statistics, by category: those detected in the period
    and, of them, those that reached a service by its end (at intake or in an entry dated
    up to then); and from the entries dated in the period, under the case's categories
    and consent: the cases followed up, those that received a service, the referrals."""
    period = scope.period
    E = aliased(F)
    by_entry = select(E.submission_uuid).where(
        E.form == "incident_entry", E.parent_uuid == F.submission_uuid, E.service_reached.is_(True),
        E.status.in_(statuses), E.record_date <= period.end).exists()
    detected = select(F.unit_id, F.domestic_violence, F.trafficking_return, F.child_abuse,
                      F.survivor_female,
                      or_(F.service_reached.is_(True), by_entry).label("reached")).where(
        F.form == "incident", F.consent_reporting.is_(True), _in_period(period),
        F.status.in_(statuses), scope.condition(F.unit_id)).subquery()
    c = detected.c
    rows = db.session.execute(
        select(c.unit_id, c.domestic_violence, c.trafficking_return, c.child_abuse,
               c.survivor_female, c.reached, func.count())
        .group_by(c.unit_id, c.domestic_violence, c.trafficking_return, c.child_abuse,
                  c.survivor_female, c.reached))
    for unit_id, dv, trafficking, child, female, reached, n in rows:
        g = acc[scope.group(unit_id)]
        for code in _codes(dv, trafficking, child, female):
            g[f"{code}_cases"] += n
            if reached:
                g[f"{code}_reached"] += n
    query = _entries("incident_entry", statuses, lambda P: (
        F.unit_id, F.parent_uuid, F.kind, F.service_reached, P.domestic_violence,
        P.trafficking_return, P.child_abuse, P.survivor_female), period=period,
        parent=lambda P: P.consent_reporting.is_(True))
    followed: dict = defaultdict(set)
    served: dict = defaultdict(set)
    for unit_id, parent, kind, reached, dv, trafficking, child, female in db.session.execute(
            query.where(scope.condition(F.unit_id))):
        group = scope.group(unit_id)
        for code in _codes(dv, trafficking, child, female):
            followed[(group, code)].add(parent)
            if reached:
                served[(group, code)].add(parent)
            if kind == "referral":
                acc[group][f"{code}_referrals"] += 1
    for (group, code), cases in followed.items():
        acc[group][f"{code}_supported"] += len(cases)
    for (group, code), cases in served.items():
        acc[group][f"{code}_served"] += len(cases)


def law_day(scope: Scope, rule, today: date) -> dict:
    """The monthly Law Day rule: every unit of the levels the target names must file at
    least `value` Law Day activities each month. Months not yet over do not count."""
    period = scope.period
    done = scope.law_months  # (unit code, month) -> Law Day activities, from aggregate()
    months = [m for m in period.months() if period.month_end(m) <= today]
    levels = set((rule.detail or {}).get("levels") or ("province", "district", "commune"))
    need = max(1, int(rule.value))
    bounds = []
    for month in months:
        bounds.append((month, period.month_start(month), period.month_end(month)))
    required: dict[str, dict] = {}
    for unit in sorted(scope.units.values(), key=lambda u: (u.path, u.valid_from)):
        if unit.level not in levels:
            continue
        for month, start, end in bounds:
            if scope.overlaps(unit, start, end):
                entry = required.setdefault(unit.code, {"unit": unit, "months": []})
                entry["unit"] = unit
                if month not in entry["months"]:
                    entry["months"].append(month)
    per_group: dict[str, Counter] = defaultdict(Counter)
    missed = []
    for code, entry in required.items():
        unit = entry["unit"]
        group = scope.group(unit.id)
        lacking = [m for m in entry["months"] if done.get((code, m), 0) < need]
        per_group[group]["required"] += len(entry["months"])
        per_group[group]["met"] += len(entry["months"]) - len(lacking)
        if lacking:
            per_group[group]["missed_units"] += 1
            parent = scope.units.get(unit.parent_id)
            missed.append({"unit": unit.summary(),
                           "parent": parent.name if parent else None, "months": lacking})
    return {"months": months, "levels": sorted(levels), "per_unit_month": need,
            "required": sum(c["required"] for c in per_group.values()),
            "met": sum(c["met"] for c in per_group.values()),
            "units": len(required), "per_group": per_group, "missed": missed}


def _progress(actual, target) -> float | None:
    if not isinstance(actual, int | float) or not target:
        return None
    return round(100 * actual / target, 1)


def _parts(**values) -> list[dict]:
    return [{"key": k, "label": PART_LABELS[k], "value": v} for k, v in values.items()]


def compute_indicators(**query) -> dict:
    """The dashboard: every indicator of a unit's subtree for a period (see
    indicators_with_totals for the arguments)."""
    return indicators_with_totals(**query)[0]


def indicators_with_totals(*, viewer: User, unit_code: str | None, year: int,
                           period_key: str | None, union_cutoff: bool, include_pending: bool,
                           today: date, now: datetime) -> tuple[dict, Counter]:
    """The dashboard, and the counters its figures were drawn from (the year-end report
    says more of them than the dashboard shows)."""
    period = make_period(year, period_key, union_cutoff=union_cutoff)
    scope = load_scope(viewer, unit_code, period)
    statuses = _statuses(include_pending)
    acc = aggregate(scope, statuses)
    total: Counter = Counter()
    for counts in acc.values():
        total.update(counts)
    targets = effective_targets(scope.root, year)
    own_code = viewer.unit.code
    law = None
    if "K02" in targets and targets["K02"].basis == "per_unit_month":
        law = law_day(scope, targets["K02"], today)
    timely = timeliness(scope, statuses, today)
    # The unit's own row: when it has figures of its own, a plan or report included.
    if acc.get("") or timely["per_group"].get(""):
        acc.setdefault("", Counter())
    else:
        acc.pop("", None)
    groups = [("", scope.root)] if "" in acc else []
    groups += list(scope.children.items())

    summaries = {key: u.summary() | ({"own": True} if key == "" else {}) for key, u in groups}

    def unit_rows(fn) -> list[dict]:
        return [{"unit": summaries[key], **fn(acc[key], key)} for key, _ in groups]

    figures = Figures(total, acc, scope, unit_rows, law, timely, own_code)

    out = []
    for code, spec in CATALOGUE.items():
        target = targets.get(code)
        item = {"code": code, "label": spec.label, "label_en": spec.label_en,
                "item": spec.item, "incident": spec.incident,
                "target": target.value if target else None,
                "target_basis": target.basis if target else spec.bases[0],
                "target_note": target.note if target else None,
                "target_source": target.source if target else None, "available": True}
        item |= _indicator(spec, target, figures)
        if item.get("progress") is None:
            item["progress"] = _progress(item["actual"], item["target"])
        out.append(item)
    return {
        "unit": scope.root.summary(), "path": _path(scope.root),
        "children": [u.summary() for u in scope.children.values()],
        "period": period.to_dict(), "statuses": list(statuses),
        "include_pending": include_pending, "generated_at": iso(now),
        "indicators": out,
        "law_day": {k: v for k, v in law.items() if k != "per_group"} if law else None,
    }, total


def _path(unit: Unit) -> list[dict]:
    return [u.summary() for u in ancestors(unit)]


@dataclass
class Figures:
    """What one dashboard's indicators are drawn from."""

    total: Counter
    acc: dict[str, Counter]
    scope: Scope
    unit_rows: Callable
    law: dict | None
    timely: dict
    own_code: str


def _indicator(spec: Indicator, target, figures: Figures) -> dict:
    """actual, parts and the per-unit rows of one indicator: the counters its catalogue
    entry names, and for some what only they show."""
    total = figures.total
    out = {"actual": total[spec.counter(spec.actual)] if spec.actual else None,
           "parts": _parts(**{key: total[spec.counter(key)] for key in spec.parts}),
           "units": figures.unit_rows(lambda g, k: {
               "actual": g[spec.counter(spec.actual)] if spec.actual else None,
               **{name: g[spec.counter(name)] for name in spec.columns}})}
    special = SPECIAL.get(spec.code)
    return special(out, spec, target, figures) if special else out


def _law_day_rule(out: dict, spec, target, figures: Figures) -> dict:
    """K02 against the monthly rule: unit-months met of those required."""
    law = figures.law
    if law is None:
        return out
    per = law["per_group"]
    return {"actual": law["met"], "target": law["required"],
            "target_basis": "per_unit_month",
            "parts": _parts(activities=figures.total["k02_activities"], units=law["units"],
                            unit_months_required=law["required"],
                            missed_units=len(law["missed"])),
            "units": figures.unit_rows(lambda g, k: {
                "actual": per[k]["met"], "target": per[k]["required"],
                "progress": _progress(per[k]["met"], per[k]["required"]),
                "activities": g["k02_activities"]})}


def _supervised_places(out: dict, spec, target, figures: Figures) -> dict:
    """K03: a target naming places (the plan's four sessions) is met place by place."""
    places = _places(figures.scope, target)
    if places:
        out["actual"] = sum(p["done"] for p in places)
    return out | {"places": places}


def _model_types(out: dict, spec, target, figures: Figures) -> dict:
    """K05: the active models by type, most first."""
    labels = _choice_labels("model_group", "model_type")
    by_type = sorted(((k.split(":", 1)[1], v) for k, v in figures.total.items()
                      if k.startswith("k05_type:")), key=lambda kv: -kv[1])
    return out | {"by_type": [{"key": k, "label": labels.get(k, k), "value": v}
                              for k, v in by_type]}


def _cases(out: dict, spec, target, figures: Figures) -> dict:
    return _incident(spec.code, figures.total, figures.acc, figures.scope,
                     figures.unit_rows, figures.own_code)


def _timeliness(out: dict, spec, target, figures: Figures) -> dict:
    return _timely(figures.timely, figures.unit_rows)


# Indicators with figures of their own, beside (or instead of) their catalogue counters.
SPECIAL = {"K02": _law_day_rule, "K03": _supervised_places, "K05": _model_types,
           "K08": _cases, "K09": _cases, "K10": _cases, "K14": _timeliness}


def timeliness(scope: Scope, statuses: tuple[str, ...], today: date) -> dict:
    """K14: of the yearly plans and year-end reports due within the period (by the
    deadline rules, so an edited cut-off moves them), how many were sent on time, by
    group. A deadline not yet passed counts only once its plan or report is in."""
    per_group: dict[str, Counter] = defaultdict(Counter)
    total: Counter = Counter()
    for rule in db.session.scalars(select(DeadlineRule).where(
            DeadlineRule.code.in_(deadlines.TIMELINESS_RULES), DeadlineRule.active)):
        for year in range(scope.period.start.year, scope.period.end.year + 1):
            period = deadlines.period_for(rule, date(year, 1, 1))
            if not scope.period.start <= period.due <= scope.period.end:
                continue
            rows = {row["unit_id"]: row for root in scope.roots
                    for row in deadlines.compliance(rule, period, root=root, today=today,
                                                    statuses=statuses)}
            for row in rows.values():
                if period.due >= today and not row["on_time"]:
                    continue
                on_time = int(row["on_time"] > 0)
                for counts in (per_group[scope.group(row["unit_id"])], total):
                    counts["due"] += 1
                    counts["on_time"] += on_time
                total[f"{rule.code}_due"] += 1
                total[f"{rule.code}_on_time"] += on_time
    return {"per_group": per_group, "total": total}


def _timely(timely: dict, unit_rows) -> dict:
    total, per = timely["total"], timely["per_group"]
    if not total["due"]:
        return {"actual": None, "parts": [], "units": [], "available": False,
                "unavailable_reason": "Chưa đến hạn gửi kế hoạch năm hay báo cáo năm nào "
                                      "trong kỳ này."}
    return {"actual": _progress(total["on_time"], total["due"]),
            "parts": _parts(plans_due=total["ke_hoach_nam_due"],
                            plans_on_time=total["ke_hoach_nam_on_time"],
                            reports_due=total["bao_cao_nam_due"],
                            reports_on_time=total["bao_cao_nam_on_time"]),
            "units": unit_rows(lambda g, k: {"actual": _progress(per[k]["on_time"], per[k]["due"]),
                                             "on_time": per[k]["on_time"],
                                             "due": per[k]["due"]})}


def _incident(code, total, acc, scope, unit_rows, own_code) -> dict:
    """Cases and the share reaching a service, with consent only and small counts hidden
    outside the unit they are about."""
    own_total = scope.root.code == own_code
    key = code.lower()
    cases, reached = total[f"{key}_cases"], total[f"{key}_reached"]
    keys = [""] * ("" in acc) + list(scope.children)
    own_keys = {k for k in keys if (k or scope.root.code) == own_code}
    shown_cases = suppression.mask_siblings({k: acc[k][f"{key}_cases"] for k in keys},
                                            own=own_keys)
    shown_reached = suppression.mask_siblings({k: acc[k][f"{key}_reached"] for k in keys},
                                              own=own_keys)

    def row(g, k):
        own = k in own_keys
        share = suppression.share(g[f"{key}_reached"], g[f"{key}_cases"], own=own)
        if shown_cases[k] == suppression.COMPLEMENT or shown_reached[k] in (
                suppression.SMALL, suppression.COMPLEMENT):
            share = None
        values = {"cases": shown_cases[k], "reached": shown_reached[k]}
        if code == "K10":
            return {"actual": shown_cases[k], **values}
        return {"actual": share, **values}

    parts = _parts(cases=suppression.mask(cases, own=own_total),
                   reached=suppression.mask(reached, own=own_total),
                   supported=suppression.mask(total[f"{key}_supported"], own=own_total),
                   served=suppression.mask(total[f"{key}_served"], own=own_total),
                   referrals=suppression.mask(total[f"{key}_referrals"], own=own_total))
    if code == "K10":
        actual = suppression.mask(cases, own=own_total)
    else:
        actual = suppression.share(reached, cases, own=own_total)
    return {"actual": actual, "parts": parts, "consent_only": True,
            "units": unit_rows(row)}


def _places(scope: Scope, target) -> list[dict]:
    """The supervision target's places and whether a session there is on record."""
    codes = list((target.detail or {}).get("places") or []) if target else []
    if not codes:
        return []
    found = db.session.execute(
        select(F.supervised_unit, F.status).where(
            F.supervised_unit.in_(codes), _in_period(scope.period), F.kind == "giam_sat",
            F.status.in_(APPROVED + OPEN_STATUSES), scope.condition(F.unit_id)).distinct()).all()
    approved = {code for code, status in found if status in APPROVED}
    done = {code for code, _ in found}
    out = []
    for code in codes:
        unit = find_version(code, scope.period.end) or find_version(code)
        out.append({"code": code, "name": unit.name if unit else code,
                    "done": code in approved, "pending": code in done - approved})
    return out


def _choice_labels(form: str, choices: str) -> dict[str, str]:
    """Vietnamese labels of a value list, from the newest definition of the form."""
    definition = next((d for d in registry().current() if d.form == form), None)
    if definition is None:
        return {}
    listed = definition.data.get("choice_lists", {}).get(choices, {}).get("choices", [])
    return {c["value"]: c["label"]["vi"] for c in listed}


# --- the records behind an indicator (activities and models only) -------------------

RECORD_FILTERS = {
    "K01": lambda p: and_(F.form == "activity", F.kind == "pbgdpl", _in_period(p)),
    "K02": lambda p: and_(F.law_day.is_(True), _in_period(p)),
    "K03": lambda p: and_(F.form == "activity", F.kind == "giam_sat", _in_period(p)),
    "K04": lambda p: and_(F.form == "activity", F.kind.in_(("phan_bien", *COMMENT_TYPES)),
                          _in_period(p)),
    "K05": lambda p: and_(F.form == "model_group", F.model_status == "dang_hoat_dong",
                          F.record_date <= p.end),
    "K06": lambda p: or_(and_(F.form == "model_group", F.kind == RAPID_TEAM,
                              F.established_date.between(p.start, p.end)),
                         and_(F.form == "activity", F.kind == "tot", _in_period(p))),
    "K07": lambda p: and_(F.form == "activity", F.kind == "hoi_nghi_nhan_rong_mo_hinh",
                          _in_period(p)),
    "K11": lambda p: and_(F.form == "activity", F.kind == "tiep_nhan_don_thu",
                          _in_period(p)),
    "K12": lambda p: and_(F.form == "activity",
                          F.kind.in_(("tu_van_phap_luat", "hoa_giai")), _in_period(p)),
    "K13": lambda p: and_(F.form == "activity", F.campaign.in_(CAMPAIGN_K13),
                          _in_period(p)),
}


def indicator_records(*, viewer: User, unit_code: str | None, year: int,
                      period_key: str | None, union_cutoff: bool, include_pending: bool,
                      indicator: str | None, limit: int, offset: int) -> dict:
    """The records an indicator counts, for drilling down to a commune's records. Case
    records are never listed here: their figures are aggregates only."""
    if indicator and indicator not in CATALOGUE:
        raise Problem("report.unknown_indicator")
    if indicator and CATALOGUE[indicator].incident:
        raise Problem("report.private")
    if indicator == "K14":
        return {"records": [], "total": 0}
    period = make_period(year, period_key, union_cutoff=union_cutoff)
    scope = load_scope(viewer, unit_code, period)
    condition = RECORD_FILTERS[indicator](period) if indicator else and_(
        F.form.in_(("activity", "model_group")), _in_period(period))
    query = (select(Submission, F.kind).join(F, F.submission_uuid == Submission.uuid)
             .where(condition, F.status.in_(_statuses(include_pending)),
                    scope.condition(F.unit_id)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(Submission.record_date.desc(), Submission.uuid)
                              .limit(limit).offset(offset)).all()
    labels = {"activity": _choice_labels("activity", "activity_type"),
              "model_group": _choice_labels("model_group", "model_type")}
    records = []
    for submission, kind in rows:
        answers = submission.answers or {}
        records.append({
            "uuid": str(submission.uuid), "form": submission.form,
            "unit": submission.unit.summary(), "record_date": submission.record_date.isoformat(),
            "status": submission.status, "kind": kind,
            "kind_label": labels.get(submission.form, {}).get(kind, kind),
            "title": record_title(answers),
            "participants": answers.get("participants_total", answers.get("members_total")),
        })
    return {"unit": scope.root.summary(), "period": period.to_dict(), "indicator": indicator,
            "records": records, "total": total}
