"""The plan's targets as data: per unit, year and indicator; seeded from the plan's own
figures, changed by the administrator. Rates (percentages, the monthly Law Day rule)
set at a unit apply to every unit below it; counts apply to the unit they are set for."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from ...extensions import db
from ...models import REVIEWER_ROLES, ReportTarget, Unit, User
from ...models.types import iso
from ...problems import Problem, invalid, say
from ..base.audit import admin_audit
from ..base.units import ancestors, find_version, resolve_unit
from .catalogue import CATALOGUE

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "targets"
PLAN_2024 = DATA_DIR / "soc_trang_2024.json"
INHERITED_BASES = ("percent", "per_unit_month")


def target_payload(target: ReportTarget) -> dict:
    return {
        "indicator": target.indicator, "year": target.year, "unit": target.unit.summary(),
        "basis": target.basis, "value": target.value, "detail": target.detail or {},
        "note": target.note, "source": target.source,
        "label": CATALOGUE[target.indicator].label,
        "updated_by": target.updated_by.display_name if target.updated_by else None,
        "updated_at": iso(target.updated_at),
    }


def unit_for(actor: User, code: str, year: int | None) -> Unit:
    unit = (find_version(code, date(year, 12, 31)) if year else None) or resolve_unit(code)
    if actor.role not in REVIEWER_ROLES or not actor.unit.contains(unit):
        raise Problem("report.not_allowed")
    return unit


def effective_targets(unit: Unit, year: int) -> dict[str, ReportTarget]:
    """The targets that apply to `unit` in `year`: its own, and rates set above it (the
    nearest ancestor wins)."""
    lineage = ancestors(unit)
    ids = [u.id for u in lineage]
    rows = list(db.session.scalars(select(ReportTarget).where(
        ReportTarget.unit_id.in_(ids), ReportTarget.year == year)))
    depth = {uid: i for i, uid in enumerate(ids)}
    chosen: dict[str, ReportTarget] = {}
    for row in sorted(rows, key=lambda r: depth[r.unit_id]):
        if row.unit_id == unit.id or row.basis in INHERITED_BASES:
            chosen[row.indicator] = row
    return chosen


def list_targets(*, actor: User, unit_code: str | None, year: int | None) -> dict:
    unit = unit_for(actor, unit_code or actor.unit.code, year)
    query = select(ReportTarget).where(ReportTarget.unit_id == unit.id)
    if year:
        query = query.where(ReportTarget.year == year)
    rows = list(db.session.scalars(query.order_by(ReportTarget.year.desc(),
                                                  ReportTarget.indicator)))
    years = sorted(set(db.session.scalars(
        select(ReportTarget.year).where(ReportTarget.unit_id.in_(
            [u.id for u in ancestors(unit)])).distinct())), reverse=True)
    return {"unit": unit.summary(), "year": year, "years": years,
            "targets": [target_payload(t) for t in rows],
            "indicators": [{"code": c, "label": spec.label, "bases": list(spec.bases)}
                           for c, spec in CATALOGUE.items()]}


def put_target(*, actor: User, unit_code: str, year: int, indicator: str, value: float,
               basis: str | None, detail: dict | None, note: str | None,
               now: datetime) -> ReportTarget:
    """Create or change one target (administrators, inside their own subtree)."""
    if actor.role != "admin":
        raise Problem("report.not_allowed", say("report.targets_admins"))
    spec = CATALOGUE.get(indicator)
    if spec is None:
        raise Problem("report.unknown_indicator")
    unit = unit_for(actor, unit_code, year)
    basis = basis or spec.bases[0]
    if basis not in spec.bases:
        raise invalid("basis", "field.not_a_choice", "report.basis_choices",
                      indicator=indicator, bases=", ".join(spec.bases))
    if basis == "percent" and value > 100:
        raise invalid("value", "field.above_max", "report.percent_max")
    for place in (detail or {}).get("places") or ():
        if find_version(place, date(year, 12, 31)) is None:
            raise invalid("detail.places", "field.invalid_unit", "plan.unknown_place",
                          unit=place)
    target = db.session.scalar(select(ReportTarget).where(
        ReportTarget.unit_id == unit.id, ReportTarget.year == year,
        ReportTarget.indicator == indicator))
    before = _audited(target)
    if target is None:
        target = ReportTarget(unit_id=unit.id, year=year, indicator=indicator)
        db.session.add(target)
    target.basis, target.value = basis, value
    if detail is not None:
        target.detail = detail
    if note is not None:
        target.note = note.strip() or None
    target.updated_by_id, target.updated_at = actor.id, now
    db.session.flush()
    db.session.refresh(target)
    after = _audited(target)
    if after != before:
        admin_audit(actor, "target_set", target=_audit_key(year, unit, indicator),
                    before=before, after=after)
    return target


def _audit_key(year: int, unit: Unit, indicator: str) -> str:
    return f"target:{year}/{unit.code}/{indicator}"


def _audited(target: ReportTarget | None) -> dict | None:
    """What the admin audit keeps of a target (before and after a change)."""
    if target is None:
        return None
    return {"basis": target.basis, "value": target.value, "detail": target.detail or {},
            "note": target.note}


def delete_target(*, actor: User, unit_code: str, year: int, indicator: str) -> None:
    if actor.role != "admin":
        raise Problem("report.not_allowed", say("report.targets_admins"))
    unit = unit_for(actor, unit_code, year)
    target = db.session.scalar(select(ReportTarget).where(
        ReportTarget.unit_id == unit.id, ReportTarget.year == year,
        ReportTarget.indicator == indicator))
    if target is None:
        raise Problem("report.target_not_found")
    admin_audit(actor, "target_removed", target=_audit_key(year, unit, indicator),
                before=_audited(target))
    db.session.delete(target)
    db.session.flush()


def load_targets_file(path: Path) -> tuple[int, int]:
    """Seed targets from a plan file. Idempotent, and never overwrites a target the
    administrator has already set: returns (created, kept)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    year = int(data["year"])
    unit = find_version(str(data["unit"]), date(year, 12, 31))
    if unit is None:
        raise Problem("unit.not_found", say("unit.no_such_code", code=data["unit"]))
    created = kept = 0
    for row in data["targets"]:
        spec = CATALOGUE[row["indicator"]]
        if row["basis"] not in spec.bases:
            raise ValueError(f"{row['indicator']}: basis {row['basis']} not in {spec.bases}")
        exists = db.session.scalar(select(ReportTarget.id).where(
            ReportTarget.unit_id == unit.id, ReportTarget.year == year,
            ReportTarget.indicator == row["indicator"]))
        if exists is not None:
            kept += 1
            continue
        db.session.add(ReportTarget(
            unit_id=unit.id, year=year, indicator=row["indicator"], basis=row["basis"],
            value=float(row["value"]), detail=row.get("detail"), note=row.get("note"),
            source=row.get("source")))
        created += 1
    db.session.flush()
    return created, kept
