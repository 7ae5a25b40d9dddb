"""Thin views over services/devices.py."""

from flask_login import current_user, login_required

from ..auth.session import require_role
from ..models import REVIEWER_ROLES
from ..models.types import utcnow
from ..problems import Problem
from ..pwa import shell_version
from ..schemas.base import load_args, load_json
from ..schemas.devices import (
    DeviceListArgsSchema,
    DeviceListSchema,
    DeviceNudgeSchema,
    HealthReportSchema,
)
from ..services import devices
from ..services.base.units import resolve_unit
from ..unit_of_work import commit_retrying
from . import bp


@bp.post("/health")
@login_required
def report_health():
    data = load_json(HealthReportSchema())
    now = utcnow()
    row = commit_retrying(lambda: devices.report(current_user, data, now=now))
    return {"device_id": row.device_id, "received_at": now.isoformat()}


@bp.get("")
@require_role(*REVIEWER_ROLES)
def list_devices():
    args = load_args(DeviceListArgsSchema())
    root = resolve_unit(args["unit"]) if "unit" in args else current_user.unit
    if not current_user.unit.contains(root):
        raise Problem("scope.forbidden")
    found = devices.devices_of(root, now=utcnow(), current_version=shell_version())
    return DeviceListSchema().dump({"devices": found})


@bp.post("/nudge")
@require_role(*REVIEWER_ROLES)
def nudge_officer():
    data = load_json(DeviceNudgeSchema())
    now = utcnow()
    made, text = commit_retrying(lambda: devices.nudge(
        actor=current_user, username=data["username"], now=now,
        current_version=shell_version()))
    return {"notified": made, "message": text}
