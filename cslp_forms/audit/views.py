"""The access log, read-only."""

from flask_login import current_user, login_required

from ..problems import Problem
from ..schemas.base import load_args
from ..schemas.privacy import AccessQuerySchema
from ..services.privacy import search_access_log
from . import bp


@bp.get("/access")
@login_required
def list_access():
    if current_user.role != "admin" or current_user.unit.level != "province":
        raise Problem("auth.forbidden", "Chỉ quản trị cấp tỉnh xem được nhật ký truy cập.")
    args = load_args(AccessQuerySchema())
    return {"entries": search_access_log(**args)}
