"""`flask --app wsgi cslp ...`: loading units, accounts, the demo set-up."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .extensions import db
from .models import ROLES, Unit, User
from .models.types import utcnow
from .problems import Problem
from .services.base import push
from .services.base import units as unit_service
from .services.base.crypto import keyring
from .services.reports.targets import PLAN_2024, load_targets_file
from .services.tasks.backup import BackupError, backup_database
from .services.tasks.demo import load_demo_records
from .services.tasks.facts import rebuild_facts
from .services.tasks.keys import retire_key, rotate_keys
from .services.tasks.retention import purge_closed_incidents, purge_unlisted_photos
from .services.users import create_user, issue_sign_in_code, set_password

cli = AppGroup("cslp", help="cslp_forms administration.")

# (username, display name, role, unit, may read incident details)
DEMO_ACCOUNTS = [
    ("canbo.anthanh2", "Cán bộ Hội xã An Thạnh 2", "officer", "31630", False),
    ("giamsat.culaodung", "Giám sát Hội LHPN huyện Cù Lao Dung", "supervisor", "945", True),
    ("admin.tinh", "Quản trị Hội LHPN tỉnh Sóc Trăng", "admin", "94", True),
]


DETAIL_LINES = 12


def _problem_text(problem: Problem) -> str:
    messages = [e["message"] for e in problem.errors or []]
    return problem.detail or "; ".join(messages) or problem.title


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
@click.option("--incident-reviewer", is_flag=True,
              help="May read incident details in her subtree (supervisors only).")
@click.password_option()
def create_user_command(username, display_name, role, unit_code, incident_reviewer, password):
    """Create an account (asks for the password)."""
    try:
        user = create_user(username=username, display_name=display_name, password=password,
                           role=role, unit_code=unit_code, incident_reviewer=incident_reviewer)
    except Problem as problem:
        db.session.rollback()
        raise click.ClickException(_problem_text(problem)) from None
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
    try:
        set_password(user, password)
    except Problem as problem:
        raise click.ClickException(_problem_text(problem)) from None
    db.session.commit()
    click.echo(f"Đã đổi mật khẩu cho {user.username} (đã đăng xuất khỏi mọi máy).")


@cli.command("sign-in-code")
@click.argument("username")
def sign_in_code_command(username):
    """Give USERNAME a one-time sign-in code (her password stops working; she chooses a
    new one after signing in with it). For when no administrator can do it on screen."""
    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"Không có tài khoản {username}.")
    try:
        code, expires = issue_sign_in_code(user, actor=None, now=utcnow())
    except Problem as problem:
        raise click.ClickException(_problem_text(problem)) from None
    db.session.commit()
    click.echo(f"Mã đăng nhập một lần của {user.username}: {code} (dùng một lần, đến "
               f"{expires:%Y-%m-%d %H:%M} UTC).")


@cli.command("setup-demo")
def setup_demo_command():
    """What `make run` does before serving: the 2024 units and the 2024 change, the 2024
    plan's targets, demo records spread over 2024 (for the dashboard), then the demo
    accounts. Safe to repeat: existing data is kept."""
    _load(unit_service.UNITS_2024, None, None)
    _load(unit_service.CHANGES_2024, None, None)
    from .services.deadlines import seed_rules

    if seed_rules():
        db.session.commit()
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
    for username, display_name, role, unit_code, incidents in missing:
        try:
            create_user(username=username, display_name=display_name, password=str(password),
                        role=role, unit_code=unit_code, incident_reviewer=incidents)
        except Problem as problem:
            db.session.rollback()
            raise click.ClickException(f"CSLP_DEMO_PASSWORD: {_problem_text(problem)}") \
                from None
    db.session.commit()
    click.echo("Đã tạo tài khoản demo (demo accounts): "
               + ", ".join(a[0] for a in missing))
    if generated:
        click.echo(f"Mật khẩu demo (demo password, shown once): {password}")


@cli.command("rotate-key")
@click.option("--batch", default=500, show_default=True, help="Rows per transaction.")
def rotate_key_command(batch):
    """Make a new data key current (in instance/data_keys.json; with CSLP_DATA_KEY, put
    the new key first there yourself) and re-encrypt every sealed value under it, batch by
    batch, while the app keeps running."""
    ring = keyring()
    if ring.path is not None:
        click.echo(f"Khóa mới (new key): {ring.add_new_key()}")
    counts = rotate_keys(batch=batch, progress=lambda name, n: click.echo(f"  {name}: {n}"))
    click.echo(f"Đã mã hóa lại (re-encrypted) dưới khóa {ring.current}: "
               + ", ".join(f"{k} {v}" for k, v in counts.items()))


@cli.command("remove-key")
@click.argument("kid")
@click.option("--batch", default=500, show_default=True, help="Rows per transaction.")
def remove_key_command(kid, batch):
    """Take a retired data key out of instance/data_keys.json, once no value is sealed
    under it (whatever still is gets re-encrypted under the current key first)."""
    ring = keyring()
    if kid not in ring.keys:
        raise click.ClickException(f"{kid}: không có khóa này (no such key)")
    if kid == ring.current:
        raise click.ClickException(f"{kid} là khóa hiện tại (is the current key): "
                                   "rotate-key first")
    left = retire_key(kid, batch=batch)
    if any(left.values()):
        raise click.ClickException(
            f"{kid} vẫn còn được dùng (still in use): "
            + ", ".join(f"{k} {v}" for k, v in left.items() if v))
    if ring.path is None:
        click.echo(f"Không còn gì dưới khóa {kid} (nothing is sealed under it): "
                   "remove it from CSLP_DATA_KEY, then restart the app.")
        return
    ring.remove_key(kid)
    click.echo(f"Đã bỏ khóa (removed key) {kid}; khóa hiện tại (current) {ring.current}.")


@cli.command("purge")
@click.option("--now", "now_text", help="Pretend it is this time (ISO 8601), for trying.")
def purge_command(now_text):
    """Delete closed incident records past the retention period (CSLP_INCIDENT_RETENTION_DAYS),
    and log what was purged; then photos no record lists, CSLP_UPLOAD_GRACE_DAYS after
    their last upload."""
    now = datetime.fromisoformat(now_text) if now_text else utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    days = int(current_app.config["INCIDENT_RETENTION_DAYS"])
    purged = purge_closed_incidents(now=now, retention_days=days)
    db.session.commit()
    click.echo(f"Đã xóa {len(purged)} vụ việc đã đóng quá {days} ngày "
               f"(purged {len(purged)} closed incidents older than {days} days).")
    for row in purged:
        click.echo(f"  {row['uuid']} {row['unit']} {row['last_changed_at']}")
    grace = int(current_app.config["UPLOAD_GRACE_DAYS"])
    photos = purge_unlisted_photos(now=now, grace_days=grace)
    db.session.commit()
    click.echo(f"Đã xóa {photos['photos']} ảnh không phiếu nào dùng, quá {grace} ngày "
               f"({photos['bytes']} byte) (removed {photos['photos']} unlisted photos).")


@cli.command("gen-vapid")
@click.option("--force", is_flag=True, help="Replace an existing key (devices must resubscribe).")
def gen_vapid_command(force):
    """Make the VAPID key pair for Web Push in instance/ (done on first use otherwise)."""
    path = push.vapid_path()
    if path.exists() and not force:
        raise click.ClickException(f"{path} đã có (already exists); --force để thay.")
    push.generate_vapid(path)
    current_app.extensions.pop("cslp_vapid", None)
    click.echo(f"Đã tạo khóa VAPID: {path}\nKhóa công khai (public key): {push.public_key()}")


@cli.command("send-reminders")
@click.option("--now", "now_text", help="Pretend it is this time (ISO 8601), for trying.")
def send_reminders_command(now_text):
    """Remind officers of units that have not met a deadline rule, on its reminder days.
    Run it from cron or a systemd timer (README); a second run sends nothing twice."""
    from .services.deadlines import seed_rules
    from .services.tasks.reminders import send_reminders

    now = datetime.fromisoformat(now_text) if now_text else utcnow()
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    seed_rules()
    sent = send_reminders(now=now)
    db.session.commit()
    # The timer's other job: push what is due (new reminders, and retries of earlier
    # pushes a push service did not take).
    with Session(db.engine) as session:
        counts = push.deliver_due(session, now)
    click.echo(f"{now.isoformat()}: {len(sent)} lời nhắc mới (new reminders); đẩy tới máy "
               f"(pushed) {counts['sent']}, hỏng {counts['failed']}, bỏ {counts['gone']}.")
    for row in sent:
        click.echo(f"  {row['rule']} {row['unit']} {row['period']} {row['kind']}")


@cli.command("backup")
@click.option("--to", "target", required=True, type=click.Path(path_type=Path),
              help="A new file, or an existing directory for a time-stamped one.")
def backup_command(target):
    """Back the database up while the app runs: SQLite through its online backup API,
    PostgreSQL through pg_dump (custom format, for pg_restore). The data key is not in
    the backup: keep it elsewhere (README, "Keys")."""
    try:
        done = backup_database(target, now=utcnow(),
                               pg_dump=current_app.config["PG_DUMP"])
    except BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Đã sao lưu (backup written): {done.path} ({done.engine}, {done.size} bytes)")
    click.echo("  " + ", ".join(f"{k} {v}" for k, v in done.counts.items()))
    click.echo("Khóa dữ liệu không nằm trong bản sao lưu; hãy cất riêng (the data key is "
               "not in the backup: keep it elsewhere).")
