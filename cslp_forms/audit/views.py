"""The access log, read-only."""

from flask_login import current_user, login_required

from ..problems import Problem, say
from ..schemas.base import load_args
from ..schemas.privacy import AccessQuerySchema
from ..services.records.access import search_access_log
from . import bp


@bp.get("/access")
@login_required
def list_access():
    if current_user.role != "admin" or current_user.unit.level != "province":
        raise Problem("auth.forbidden", say("audit.province_admins"))
    args = load_args(AccessQuerySchema())
    return {"entries": search_access_log(**args)}
