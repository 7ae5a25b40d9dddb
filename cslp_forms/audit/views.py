"""The access log and the account audit, read-only, for the province administrators."""

from flask_login import current_user, login_required

from ..problems import Problem, say
from ..schemas.base import load_args
from ..schemas.privacy import AccessQuerySchema, AccountAuditQuerySchema
from ..services.records.access import search_access_log
from ..services.users import search_account_audit
from . import bp


@bp.get("/access")
@login_required
def list_access():
    if current_user.role != "admin" or current_user.unit.level != "province":
        raise Problem("auth.forbidden", say("audit.province_admins"))
    args = load_args(AccessQuerySchema())
    return {"entries": search_access_log(**args)}


@bp.get("/accounts")
@login_required
def list_account_changes():
    """What administrators changed about accounts (append-only)."""
    if current_user.role != "admin" or current_user.unit.level != "province":
        raise Problem("auth.forbidden", say("audit.province_admins"))
    args = load_args(AccountAuditQuerySchema())
    return {"entries": search_account_audit(**args)}
