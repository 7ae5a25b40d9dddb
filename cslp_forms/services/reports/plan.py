"""The year's plan as a whole (issue 16, item 4): copy last year's targets to start the
next, and the plan as an Excel sheet the province staff fill in and upload back (one row
per indicator, K03's supervision places as unit codes). Every change goes through
targets.put_target, so the rules (administrators only, their subtree, bases, percent
at most 100) and the audit are the same as for one target changed on screen."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from sqlalchemy import select

from ...extensions import db
from ...models import ReportTarget, User
from ...problems import Problem, field_error, say
from ..base.units import find_version
from .catalogue import CATALOGUE
from .exports import xlsx_row
from .targets import put_target, unit_for

BASIS_LABELS = {"count": "Số lượng", "percent": "Tỷ lệ %",
                "per_unit_month": "Mỗi đơn vị mỗi tháng"}
HEADERS = ["Mã chỉ tiêu", "Chỉ tiêu", "Cách tính", "Giá trị",
           "Địa bàn giám sát (mã đơn vị, cách nhau dấu phẩy)", "Ghi chú"]
SHEET = "Chỉ tiêu"
MAX_ROWS = 200


def _require_admin(actor: User) -> None:
    if actor.role != "admin":
        raise Problem("report.not_allowed", say("report.targets_admins"))


def _own_targets(unit_id: int, year: int) -> dict[str, ReportTarget]:
    return {t.indicator: t for t in db.session.scalars(select(ReportTarget).where(
        ReportTarget.unit_id == unit_id, ReportTarget.year == year))}


def copy_plan(*, actor: User, unit_code: str | None, from_year: int, to_year: int,
              now: datetime) -> dict:
    """Start `to_year` from `from_year`'s targets of the unit: each one `to_year` lacks is
    copied (value, basis, places, note); those already set are kept."""
    _require_admin(actor)
    if from_year == to_year:
        raise Problem("request.invalid", errors=[field_error(
            "to_year", "field.invalid", "plan.same_year")])
    unit = unit_for(actor, unit_code or actor.unit.code, to_year)
    source = _own_targets(unit.id, from_year)
    if not source:
        raise Problem("report.target_not_found", say("plan.nothing_to_copy", year=from_year))
    have = _own_targets(unit.id, to_year)
    created = []
    for code, target in sorted(source.items()):
        if code in have:
            continue
        put_target(actor=actor, unit_code=unit.code, year=to_year, indicator=code,
                   value=target.value, basis=target.basis, detail=dict(target.detail or {}),
                   note=target.note, now=now)
        created.append(code)
    return {"unit": unit.summary(), "from_year": from_year, "to_year": to_year,
            "created": created, "kept": sorted(set(source) & set(have))}


def plan_sheet(*, actor: User, unit_code: str | None, year: int) -> bytes:
    """The plan of a unit and year as .xlsx: one row per indicator, filled with what is
    set (blank where nothing is), ready to be filled in and uploaded back."""
    unit = unit_for(actor, unit_code or actor.unit.code, year)
    have = _own_targets(unit.id, year)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.freeze_panes = "A2"
    header = xlsx_row(sheet, HEADERS)
    for cell in header:
        cell.font = Font(bold=True)
    sheet.append(header)
    for code, spec in CATALOGUE.items():
        target = have.get(code)
        places = ", ".join((target.detail or {}).get("places", [])) if target else ""
        sheet.append(xlsx_row(sheet, [
            code, spec.label, BASIS_LABELS[target.basis if target else spec.bases[0]],
            target.value if target else None, places, (target.note or "") if target else ""]))
    about = workbook.create_sheet("Hướng dẫn")
    for line in [
        ("Đơn vị", f"{unit.code} {unit.name}"), ("Năm", year),
        ("Cách điền", "Điền cột Giá trị; để trống chỉ tiêu chưa giao. Không sửa cột Mã chỉ tiêu."),
        ("Cách tính", "; ".join(f"{v} ({k})" for k, v in BASIS_LABELS.items())),
        ("Địa bàn giám sát", "Chỉ cho K03: mã các đơn vị được giám sát, ví dụ 945, 31630."),
    ]:
        about.append(xlsx_row(about, list(line)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _basis(text, spec) -> str | None:
    value = str(text or "").strip()
    for code, label in BASIS_LABELS.items():
        if value.lower() in (code, label.lower()):
            return code if code in spec.bases else None
    return spec.bases[0] if not value else None


def _read_rows(data: bytes):
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise Problem("request.invalid", say("plan.not_a_sheet")) from None
    sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
    rows = list(sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=len(HEADERS), values_only=True))
    workbook.close()
    if not rows or [str(c or "").strip() for c in rows[0][:4]] != HEADERS[:4]:
        raise Problem("request.invalid", say("plan.wrong_columns", columns=", ".join(HEADERS[:4])))
    return rows[1:]


def _check_row(number: int, cells, year: int) -> tuple[dict | None, list[dict]]:
    cells = list(cells) + [None] * (len(HEADERS) - len(cells))
    code, _, basis_text, value, places_text, note = cells[:6]
    errors = []

    def bad(field, key, **values):
        errors.append(field_error(field, "field.invalid", key, **values))

    if any(isinstance(c, str) and c.startswith("=") for c in cells):
        bad("row", "plan.formula")
        return None, errors
    code = str(code or "").strip().upper()
    spec = CATALOGUE.get(code)
    if spec is None:
        bad("indicator", "plan.unknown_indicator", indicator=code or "(trống)")
        return None, errors
    if value is None or (isinstance(value, str) and not value.strip()):
        return {"indicator": code, "empty": True}, errors
    if isinstance(value, str):
        try:
            value = float(value.replace(",", ".").strip())
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 \
            or value > 10**7:
        bad("value", "plan.bad_value")
    basis = _basis(basis_text, spec)
    if basis is None:
        bad("basis", "plan.bad_basis", bases=", ".join(BASIS_LABELS[b] for b in spec.bases))
    elif basis == "percent" and isinstance(value, int | float) and value > 100:
        bad("value", "report.percent_max")
    places = [p.strip() for p in str(places_text or "").replace(";", ",").split(",")
              if p.strip()]
    for place in places:
        if find_version(place, date(year, 12, 31)) is None:
            bad("places", "plan.unknown_place", unit=place)
    if places and code != "K03":
        bad("places", "plan.places_only_k03")
    if errors:
        return None, errors
    detail = {"places": places} if code == "K03" else None
    return {"indicator": code, "value": float(value), "basis": basis, "detail": detail,
            "note": str(note).strip()[:500] if note else None}, errors


def import_plan(*, actor: User, unit_code: str | None, year: int, data: bytes,
                dry_run: bool, now: datetime) -> dict:
    """Apply an uploaded plan sheet: each row is checked on its own; a row with a problem
    is shown with it (in Vietnamese) and skipped, the others are applied (nothing is,
    with `dry_run`). Uploading the same sheet again changes nothing."""
    _require_admin(actor)
    unit = unit_for(actor, unit_code or actor.unit.code, year)
    have = _own_targets(unit.id, year)
    results = []
    for offset, cells in enumerate(_read_rows(data)):
        if not any(c not in (None, "") for c in cells):
            continue
        number = offset + 2  # the sheet's own row number (row 1 is the header)
        row, errors = _check_row(number, cells, year)
        if errors:
            results.append({"row": number, "indicator": None if row is None else row["indicator"],
                            "status": "error", "errors": errors})
            continue
        code = row["indicator"]
        if row.get("empty"):
            results.append({"row": number, "indicator": code, "status": "empty", "errors": []})
            continue
        old = have.get(code)
        same = old is not None and (old.value, old.basis, (old.detail or {}).get("places"),
                                    old.note) == (row["value"], row["basis"],
                                                  (row["detail"] or {}).get("places"),
                                                  row["note"])
        status = "unchanged" if same else "changed" if old else "created"
        if not dry_run and not same:
            put_target(actor=actor, unit_code=unit.code, year=year, indicator=code,
                       value=row["value"], basis=row["basis"], detail=row["detail"],
                       note=row["note"] or "", now=now)
        results.append({"row": number, "indicator": code, "status": status, "errors": []})
    counts = {s: sum(r["status"] == s for r in results)
              for s in ("created", "changed", "unchanged", "empty", "error")}
    return {"unit": unit.summary(), "year": year, "dry_run": dry_run, "rows": results,
            "counts": counts}
