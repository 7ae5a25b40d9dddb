"""`flask --app wsgi cslp ...`: loading units, accounts, the demo set-up."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from .extensions import db
from .models import ROLES, Unit, User
from .models.types import utcnow
from .problems import Problem
from .services import units as unit_service
from .services.demo import load_demo_records
from .services.facts import rebuild_facts
from .services.targets import PLAN_2024, load_targets_file
from .services.users import create_user, set_password

cli = AppGroup("cslp", help="cslp_forms administration.")

DEMO_ACCOUNTS = [
    ("canbo.anthanh2", "Cán bộ Hội xã An Thạnh 2", "officer", "31630"),
    ("giamsat.culaodung", "Giám sát Hội LHPN huyện Cù Lao Dung", "supervisor", "945"),
    ("admin.tinh", "Quản trị Hội LHPN tỉnh Sóc Trăng", "admin", "94"),
]


DETAIL_LINES = 12


def _load(path: Path, valid_from: date | None, effective: date | None) -> None:
    vf = valid_from or date.fromisoformat(current_app.config["UNITS_VALID_FROM"])
    try:
        report = unit_service.load_unit_file(
            path, valid_from=vf, effective=effective or unit_service.EFFECTIVE_2025)
    except unit_service.UnitFileError as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from None
    db.session.commit()
    total = db.session.scalar(select(func.count(Unit.id)))
    click.echo(f"{report.describe()} Tổng số phiên bản đơn vị: {total} (units: {total}).")
    lines = report.created + report.updated
    for line in lines[:DETAIL_LINES]:
        click.echo(f"  {line}")
    if len(lines) > DETAIL_LINES:
        more = len(lines) - DETAIL_LINES
        click.echo(f"  … và {more} dòng khác (and {more} more)")


@cli.command("load-units")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--valid-from", type=click.DateTime(["%Y-%m-%d"]),
              help="Start of validity for a unit list (default CSLP_UNITS_VALID_FROM).")
@click.option("--effective", type=click.DateTime(["%Y-%m-%d"]),
              help="Day a succession mapping takes effect (default 2025-07-01).")
def load_units_command(path, valid_from, effective):
    """Load a unit list, a dated change list or a succession mapping (told apart by the
    CSV header). Idempotent: a second run changes nothing."""
    _load(path, valid_from and valid_from.date(), effective and effective.date())


@cli.command("load-targets")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_targets_command(path):
    """Seed a year's targets from a plan file (JSON). Idempotent; targets already set
    (by an earlier run or by the administrator) are kept."""
    created, kept = load_targets_file(path)
    db.session.commit()
    click.echo(f"Chỉ tiêu: tạo mới {created}, giữ nguyên {kept} (targets: created {created}, "
               f"kept {kept}).")


@cli.command("rebuild-report-facts")
def rebuild_report_facts_command():
    """Recompute every record's report facts (the dashboard's columns) from the records."""
    count = rebuild_facts()
    db.session.commit()
    click.echo(f"Đã tính lại số liệu báo cáo của {count} phiếu (report facts of {count} "
               f"records rebuilt).")


@cli.command("create-user")
@click.option("--username", required=True)
@click.option("--display-name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--unit", "unit_code", required=True, help="Unit code, e.g. 31630.")
@click.password_option()
def create_user_command(username, display_name, role, unit_code, password):
    """Create an account (asks for the password)."""
    try:
        user = create_user(username=username, display_name=display_name, password=password,
                           role=role, unit_code=unit_code)
    except Problem as problem:
        db.session.rollback()
        messages = [e["message"] for e in problem.errors or []]
        raise click.ClickException(problem.detail or "; ".join(messages) or problem.title) \
            from None
    db.session.commit()
    click.echo(f"Đã tạo {user.username} ({user.role}, {user.unit.name}).")


@cli.command("set-password")
@click.argument("username")
@click.password_option()
def set_password_command(username, password):
    """Set a new password for USERNAME (ends her other sessions)."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"Không có tài khoản {username}.")
    set_password(user, password)
    db.session.commit()
    click.echo(f"Đã đổi mật khẩu cho {user.username} (đã đăng xuất khỏi mọi máy).")


@cli.command("setup-demo")
def setup_demo_command():
    """What `make run` does before serving: the 2024 units and the 2024 change, the 2024
    plan's targets, demo records spread over 2024 (for the dashboard), then the demo
    accounts. Safe to repeat: existing data is kept."""
    _load(unit_service.UNITS_2024, None, None)
    _load(unit_service.CHANGES_2024, None, None)
    load_targets_command.callback(PLAN_2024)
    stored, decisions = load_demo_records(now=utcnow())
    db.session.commit()
    click.echo(f"Phiếu mẫu năm 2024: thêm {stored}, duyệt {decisions} (demo records: "
               f"{stored} stored, {decisions} decisions).")
    missing = [a for a in DEMO_ACCOUNTS
               if db.session.scalar(select(User.id).where(User.username == a[0])) is None]
    if not missing:
        click.echo("Tài khoản demo đã có (demo accounts exist): "
                   + ", ".join(a[0] for a in DEMO_ACCOUNTS))
        return
    password = current_app.config.get("DEMO_PASSWORD")
    generated = not password
    if generated:
        password = secrets.token_urlsafe(9)
    for username, display_name, role, unit_code in missing:
        create_user(username=username, display_name=display_name, password=str(password),
                    role=role, unit_code=unit_code)
    db.session.commit()
    click.echo("Đã tạo tài khoản demo (demo accounts): "
               + ", ".join(a[0] for a in missing))
    if generated:
        click.echo(f"Mật khẩu demo (demo password, shown once): {password}")
