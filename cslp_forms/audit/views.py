"""The access log and the account audit, read-only, for the province administrators."""

from flask_login import current_user, login_required

from ..problems import Problem, say
from ..schemas.base import load_args
from ..schemas.privacy import AccessQuerySchema, AccountAuditQuerySchema, AdminAuditQuerySchema
from ..services.base.audit import search_admin_audit
from ..services.records.access import search_access_log
from ..services.users import search_account_audit
from . import bp


def _search(schema, search) -> dict:
    if current_user.role != "admin" or current_user.unit.level != "province":
        raise Problem("auth.forbidden", say("audit.province_admins"))
    return {"entries": search(**load_args(schema))}


@bp.get("/access")
@login_required
def list_access():
    """Who read, changed or exported a survivor's record, and the refusals."""
    return _search(AccessQuerySchema(), search_access_log)


@bp.get("/accounts")
@login_required
def list_account_changes():
    """What administrators changed about accounts (append-only)."""
    return _search(AccountAuditQuerySchema(), search_account_audit)


@bp.get("/admin")
@login_required
def list_admin_changes():
    """Every administrative change (accounts, targets, deadline rules, form versions),
    newest first, filterable by target."""
    return _search(AdminAuditQuerySchema(), search_admin_audit)
