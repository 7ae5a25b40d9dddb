"""The unit hierarchy: loading the official lists and their changes, resolving a code on
a date, and subtree queries in SQL over the materialised path."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Select, func, literal, or_, select, update
from sqlalchemy.orm.util import identity_key

from ...extensions import db
from ...models import LEVELS, Unit, UnitSuccession
from ...problems import Problem, say

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "units"
UNITS_2024 = DATA_DIR / "soc_trang_units_2024.csv"
CHANGES_2024 = DATA_DIR / "soc_trang_units_changes_2024.csv"
MAPPING_2025 = DATA_DIR / "soc_trang_2025_mapping.csv"
# NQ 1668/NQ-UBTVQH15, Điều 2: the new communes took office on 1 July 2025.
EFFECTIVE_2025 = date(2025, 7, 1)

BASE_COLUMNS = ["code", "name", "level", "parent_code"]
CHANGE_COLUMNS = ["event_date", "old_code", "old_name", "new_code", "new_name", "parent_code"]
MAPPING_COLUMNS = ["old_code", "old_name", "old_district_code", "new_code", "new_name",
                   "new_province_code", "new_province_name"]


class UnitFileError(ValueError):
    """The file is not one of the unit formats, or refers to a unit that does not exist."""


@dataclass
class LoadReport:
    kind: str
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    successions: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.successions)

    def describe(self) -> str:
        if not self.changed:
            return f"{self.kind}: {self.rows} dòng, không có gì thay đổi (nothing changed)."
        return (
            f"{self.kind}: {self.rows} dòng; tạo mới {len(self.created)}, "
            f"cập nhật {len(self.updated)}, kế thừa {self.successions} "
            f"(created {len(self.created)}, updated {len(self.updated)}, "
            f"successions {self.successions})."
        )


def read_unit_file(path: Path) -> tuple[str, list[dict]]:
    """Tell the format by its header: the unit list, the 2024 change list or the 2025
    succession mapping."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = set(reader.fieldnames or [])
        rows = [{k: (v or "").strip() for k, v in row.items()} for row in reader]
    for kind, columns in (("changes", CHANGE_COLUMNS), ("mapping", MAPPING_COLUMNS),
                          ("units", BASE_COLUMNS)):
        if header.issuperset(columns):
            return kind, rows
    raise UnitFileError(
        f"{path}: không nhận ra định dạng; cần các cột {', '.join(BASE_COLUMNS)} "
        f"(or a change list / 2025 mapping)"
    )


def load_unit_file(path: Path, *, valid_from: date, effective: date = EFFECTIVE_2025
                   ) -> LoadReport:
    kind, rows = read_unit_file(path)
    if kind == "units":
        return load_units(rows, valid_from=valid_from)
    if kind == "changes":
        return apply_changes(rows)
    return apply_mapping(rows, effective=effective)


# --- lookups -------------------------------------------------------------------------

def valid_on(day: date):
    return (Unit.valid_from <= day) & ((Unit.valid_to.is_(None)) | (Unit.valid_to >= day))


def find_version(code: str, day: date | None = None) -> Unit | None:
    """The version of `code` valid on `day`; without a day, the current one, else the
    latest that existed."""
    query = select(Unit).where(Unit.code == code)
    if day is not None:
        return db.session.scalars(query.where(valid_on(day))).first()
    return db.session.scalars(
        query.order_by(Unit.valid_to.is_not(None), Unit.valid_from.desc())
    ).first()


def resolve_unit(code: str, day: date | None = None) -> Unit:
    unit = find_version(str(code), day)
    if unit is None:
        raise Problem("unit.not_found", say("unit.no_such_code", code=code))
    return unit


def _below(path: str):
    """Units whose path starts with `path`: one indexed prefix match. Paths hold only
    digits and '/', so they need no LIKE escaping."""
    return Unit.path.like(f"{path}%")


def within(*roots: Unit):
    """A condition on Unit: inside the subtree of any of `roots` (each root included),
    e.g. every version of a code that a reorganisation split."""
    return _within(*(root.path for root in roots))


def _within(*paths: str):
    return or_(*(_below(path) for path in paths))


def subtree(*roots: Unit) -> Select:
    """Every unit version under `roots`."""
    return select(Unit).where(within(*roots))


def in_subtree(roots: Unit | list[Unit], unit_id_column):
    """A condition: `unit_id_column` points at a unit inside the subtree of `roots` (a
    unit, or several versions of one)."""
    roots = roots if isinstance(roots, list) else [roots]
    return _in_subtree(tuple(root.path for root in roots), unit_id_column)


@lru_cache(maxsize=4096)
def _in_subtree(paths: tuple[str, ...], unit_id_column):
    # Built once per subtree and column, then shared (SQL expressions are immutable):
    # every signed-in supervisor's request filters by one, and building it costs more
    # than the month-end pull it filters.
    return unit_id_column.in_(select(Unit.id).where(_within(*paths)))


def ancestors(unit: Unit) -> list[Unit]:
    """Province → … → the unit itself, in one query, or none when the session holds them
    already (a signed-in user's units come with her: services/users.session_user)."""
    ids = [int(part) for part in unit.path.strip("/").split("/")]
    held = db.session.identity_map
    found = [held.get(identity_key(Unit, i)) for i in ids]
    if all(u is not None for u in found):
        return found
    by_id = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(ids)))}
    return [by_id[i] for i in ids]


def children(parent: Unit | None, day: date) -> list[Unit]:
    query = select(Unit).where(valid_on(day))
    if parent is None:
        query = query.where(Unit.parent_id.is_(None))
    else:
        query = query.where(Unit.parent_id == parent.id)
    return list(db.session.scalars(query.order_by(Unit.code)))


# --- loading -------------------------------------------------------------------------

def _child_level(parent: Unit | None) -> str:
    if parent is None:
        return "province"
    return LEVELS[min(LEVELS.index(parent.level) + 1, len(LEVELS) - 1)]


def _create(report: LoadReport, *, code, name, level, parent, valid_from, valid_to=None,
            source=None) -> Unit:
    unit = Unit(code=code, name=name, level=level, parent_id=parent.id if parent else None,
                valid_from=valid_from, valid_to=valid_to, source=source, path="")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    report.created.append(f"{code} {name} ({valid_from.isoformat()})")
    return unit


def _close(report: LoadReport, unit: Unit, last_day: date, name: str | None = None) -> None:
    """End a version that spans a change. Its id stays, so records filed under it keep
    pointing at it."""
    if unit.valid_to is not None and unit.valid_to <= last_day and (not name or
                                                                   unit.name == name):
        return
    unit.valid_to = last_day
    if name:
        unit.name = name
    report.updated.append(f"{unit.code} {unit.name} → {last_day.isoformat()}")


def _succeed(report: LoadReport, old: Unit, new: Unit, day: date, basis: str | None) -> None:
    exists = db.session.scalar(select(UnitSuccession.id).where(
        UnitSuccession.old_unit_id == old.id, UnitSuccession.new_unit_id == new.id))
    if exists is None:
        db.session.add(UnitSuccession(old_unit_id=old.id, new_unit_id=new.id,
                                      effective_date=day, legal_basis=basis))
        report.successions += 1


def load_units(rows: list[dict], *, valid_from: date) -> LoadReport:
    """Create or update the versions starting on `valid_from`. Running it twice changes
    nothing the second time."""
    report = LoadReport("units", rows=len(rows))
    for row in rows:
        if row["level"] not in LEVELS:
            raise UnitFileError(f"{row['code']}: cấp '{row['level']}' không hợp lệ")
    ordered = sorted(rows, key=lambda r: LEVELS.index(r["level"]))
    for row in ordered:
        parent = None
        if row["parent_code"]:
            parent = find_version(row["parent_code"], valid_from)
            if parent is None:
                raise UnitFileError(f"{row['code']}: không thấy đơn vị cha {row['parent_code']}")
        unit = db.session.scalar(select(Unit).where(Unit.code == row["code"],
                                                    Unit.valid_from == valid_from))
        if unit is None:
            _create(report, code=row["code"], name=row["name"], level=row["level"],
                    parent=parent, valid_from=valid_from, source=row.get("source"))
            continue
        parent_id = parent.id if parent else None
        # A version a change list has ended keeps the name it had then.
        if unit.valid_to is not None or (unit.name, unit.level, unit.parent_id) == (
                row["name"], row["level"], parent_id):
            continue
        old_path = unit.path
        unit.name, unit.level, unit.parent_id = row["name"], row["level"], parent_id
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        if unit.path != old_path:
            db.session.flush()
            db.session.execute(
                update(Unit).where(_below(old_path), Unit.id != unit.id)
                .values(path=literal(unit.path) + func.substr(Unit.path, len(old_path) + 1))
                .execution_options(synchronize_session=False))
        report.updated.append(f"{unit.code} {unit.name}")
    db.session.flush()
    return report


def apply_changes(rows: list[dict]) -> LoadReport:
    """Apply a dated change list (old_code → new_code on event_date)."""
    report = LoadReport("changes", rows=len(rows))
    for row in rows:
        day = date.fromisoformat(row["event_date"])
        last_day = day - timedelta(days=1)
        parent_before = find_version(row["parent_code"], last_day)
        parent_after = find_version(row["parent_code"], day)
        if parent_before is None or parent_after is None:
            raise UnitFileError(f"không thấy đơn vị cha {row['parent_code']} quanh {day}")
        old = find_version(row["old_code"], last_day)
        if old is None:
            old = _create(report, code=row["old_code"], name=row["old_name"],
                          level=_child_level(parent_before), parent=parent_before,
                          valid_from=parent_before.valid_from, valid_to=last_day)
        else:
            _close(report, old, last_day, name=row["old_name"])
        new = db.session.scalar(select(Unit).where(Unit.code == row["new_code"],
                                                   Unit.valid_from == day))
        if new is None:
            new = _create(report, code=row["new_code"], name=row["new_name"],
                          level=_child_level(parent_after), parent=parent_after,
                          valid_from=day)
        _succeed(report, old, new, day, row.get("legal_basis"))
    db.session.flush()
    return report


def apply_mapping(rows: list[dict], *, effective: date) -> LoadReport:
    """Apply a reorganisation: old communes (and their districts and province) end the day
    before `effective`; new communes start on it under the new province."""
    report = LoadReport("mapping", rows=len(rows))
    last_day = effective - timedelta(days=1)
    for row in rows:
        province = db.session.scalar(select(Unit).where(
            Unit.code == row["new_province_code"], Unit.valid_from == effective))
        if province is None:
            province = _create(report, code=row["new_province_code"],
                               name=row["new_province_name"], level="province", parent=None,
                               valid_from=effective)
        old = find_version(row["old_code"], last_day)
        if old is None:
            raise UnitFileError(f"{row['old_code']} {row['old_name']}: không có trước {effective}")
        _close(report, old, last_day)
        for ancestor in ancestors(old)[:-1]:
            _close(report, ancestor, last_day)
        new = db.session.scalar(select(Unit).where(Unit.code == row["new_code"],
                                                   Unit.valid_from == effective))
        if new is None:
            new = _create(report, code=row["new_code"], name=row["new_name"],
                          level="commune", parent=province, valid_from=effective)
        _succeed(report, old, new, effective, row.get("legal_basis"))
    db.session.flush()
    return report
