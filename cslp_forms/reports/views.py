"""Thin views over services/reports/: indicators, targets, exports and the year-end report."""

from flask import Response, request, stream_with_context
from flask_login import current_user, login_required

from ..extensions import db
from ..models.types import utcnow
from ..schemas.base import load_args, load_json, load_path
from ..schemas.reports import (
    ExportArgsSchema,
    IndicatorArgsSchema,
    PlanCopySchema,
    PlanImportArgsSchema,
    PlanSheetArgsSchema,
    RecordsArgsSchema,
    TargetArgsSchema,
    TargetBodySchema,
    TargetPathSchema,
    YearEndArgsSchema,
)
from ..services.base.clock import local_today
from ..services.reports import exports, indicators, plan, targets, year_end
from . import bp


def _period_args(args: dict) -> dict:
    return {"unit_code": args.get("unit"), "year": args["year"],
            "period_key": args.get("period"), "union_cutoff": args["union_cutoff"],
            "include_pending": args["include_pending"]}


@bp.get("/indicators")
@login_required
def show_indicators():
    args = load_args(IndicatorArgsSchema())
    now = utcnow()
    return indicators.compute_indicators(viewer=current_user, **_period_args(args),
                                         today=local_today(now), now=now)


@bp.get("/records")
@login_required
def list_records():
    args = load_args(RecordsArgsSchema())
    return indicators.indicator_records(viewer=current_user, **_period_args(args),
                                        indicator=args.get("indicator"),
                                        limit=args["limit"], offset=args["offset"])


@bp.get("/targets")
@login_required
def list_targets():
    args = load_args(TargetArgsSchema())
    return targets.list_targets(actor=current_user, unit_code=args.get("unit"),
                                year=args.get("year"))


@bp.put("/targets/<int:year>/<unit>/<indicator>")
@login_required
def put_target(year, unit, indicator):
    load_path(TargetPathSchema(), year=year)
    data = load_json(TargetBodySchema())
    target = targets.put_target(actor=current_user, unit_code=unit, year=year,
                                indicator=indicator, value=data["value"],
                                basis=data.get("basis"), detail=data.get("detail"),
                                note=data.get("note"), now=utcnow())
    db.session.commit()
    return targets.target_payload(target)


@bp.delete("/targets/<int:year>/<unit>/<indicator>")
@login_required
def delete_target(year, unit, indicator):
    load_path(TargetPathSchema(), year=year)
    targets.delete_target(actor=current_user, unit_code=unit, year=year, indicator=indicator)
    db.session.commit()
    return "", 204


@bp.post("/targets/copy")
@login_required
def copy_plan():
    data = load_json(PlanCopySchema())
    copied = plan.copy_plan(actor=current_user, unit_code=data.get("unit"),
                            from_year=data["from_year"], to_year=data["to_year"], now=utcnow())
    db.session.commit()
    return copied


@bp.get("/targets/<int:year>.xlsx")
@login_required
def plan_sheet(year):
    load_path(TargetPathSchema(), year=year)
    args = load_args(PlanSheetArgsSchema())
    body = plan.plan_sheet(actor=current_user, unit_code=args.get("unit"), year=year)
    return Response(body, mimetype=exports.MIMETYPES["xlsx"], headers={
        "Content-Disposition": f'attachment; filename="chi-tieu-{year}.xlsx"'})


@bp.post("/targets/<int:year>/import")
@login_required
def import_plan(year):
    load_path(TargetPathSchema(), year=year)
    args = load_args(PlanImportArgsSchema())
    result = plan.import_plan(actor=current_user, unit_code=args.get("unit"), year=year,
                              data=request.get_data(cache=False), dry_run=args["dry_run"],
                              now=utcnow())
    db.session.commit()
    return result


@bp.get("/export")
@login_required
def export_records():
    args = load_args(ExportArgsSchema())
    now = utcnow()
    export = exports.prepare_export(
        actor=current_user, form=args["form"], fmt=args["format"], unit_code=args.get("unit"),
        period_text=args.get("period"), status=args.get("status"),
        union_cutoff=args["union_cutoff"], now=now)
    db.session.commit()  # the export log row, before any data leaves
    if args["format"] == "csv":
        body = stream_with_context(exports.csv_chunks(export))
    else:
        body = exports.file_chunks(exports.xlsx_file(export, actor=current_user, now=now))
    response = Response(body, mimetype=exports.MIMETYPES[args["format"]])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export.filename(args["format"])}"')
    return response


@bp.get("/year-end")
@login_required
def year_end_report():
    args = load_args(YearEndArgsSchema())
    now = utcnow()
    content, name = year_end.year_end_document(
        viewer=current_user, unit_code=args.get("unit"), year=args["year"],
        include_pending=args["include_pending"], today=local_today(now), now=now)
    response = Response(content, mimetype=year_end.MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
