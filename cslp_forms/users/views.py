"""List, create and update accounts inside the administrator's subtree; one-time
sign-in codes (a new account, a password reset) and lifting a lock-out."""

from flask import request
from flask_login import current_user

from ..auth.session import require_role
from ..extensions import db
from ..models.types import iso, utcnow
from ..schemas.base import load_args, load_json
from ..schemas.users import (
    ImportArgsSchema,
    SheetSchema,
    UserCreateSchema,
    UserListArgsSchema,
    UserUpdateSchema,
)
from ..services.base.units import resolve_unit
from ..services.users import (
    create_user,
    get_user_in_scope,
    import_users,
    issue_sign_in_code,
    lift_lockout,
    list_users,
    live_codes,
    locked_usernames,
    update_user,
    user_payload,
)
from . import bp
from .sheet import render_sheet


@bp.get("")
@require_role("admin")
def list_accounts():
    args = load_args(UserListArgsSchema())
    root = resolve_unit(args["unit"]) if "unit" in args else None
    users = list_users(actor=current_user, root=root)
    locked = locked_usernames([u.username for u in users], now=utcnow())
    return {"users": [user_payload(u, locked=u.username in locked) for u in users]}


def _code_payload(user, code, expires) -> dict:
    return {"username": user.username, "display_name": user.display_name, "code": code,
            "expires_at": iso(expires)}


@bp.post("")
@require_role("admin")
def create_account():
    data = load_json(UserCreateSchema())
    user = create_user(
        username=data["username"], display_name=data["display_name"],
        password=data.get("password"), role=data["role"], unit_code=data["unit"],
        actor=current_user, incident_reviewer=data["incident_reviewer"],
        phone=data.get("phone"),
    )
    code = None
    if "password" not in data:
        code = _code_payload(user, *issue_sign_in_code(user, actor=current_user, now=utcnow(),
                                                       audit=False))
    db.session.commit()
    return {**user_payload(user, locked=False), "sign_in_code": code}, 201


@bp.post("/import")
@require_role("admin")
def import_accounts():
    """Accounts from an .xlsx or .csv sheet: per-row results; ?dry_run=true creates
    nothing. Bad rows are skipped, good ones created with a one-time code each."""
    args = load_args(ImportArgsSchema())
    result = import_users(request.get_data(cache=False), actor=current_user,
                          dry_run=args["dry_run"], now=utcnow())
    if not args["dry_run"]:
        db.session.commit()
    return result


@bp.patch("/<username>")
@require_role("admin")
def update_account(username):
    changes = load_json(UserUpdateSchema())
    user = update_user(get_user_in_scope(username, actor=current_user), actor=current_user,
                       changes=changes)
    db.session.commit()
    return user_payload(user)


@bp.post("/<username>/sign-in-code")
@require_role("admin")
def reset_with_code(username):
    """A password reset: her password stops working, a new one-time code is answered
    (once) for the administrator to hand over; she chooses a password with it."""
    user = get_user_in_scope(username, actor=current_user)
    code, expires = issue_sign_in_code(user, actor=current_user, now=utcnow())
    db.session.commit()
    return _code_payload(user, code, expires), 201


@bp.post("/<username>/unlock")
@require_role("admin")
def unlock(username):
    """Lift a lock-out: her failed sign-ins are forgotten (audited)."""
    user = get_user_in_scope(username, actor=current_user)
    lift_lockout(user, actor=current_user, now=utcnow())
    db.session.commit()
    return user_payload(user, locked=False)


@bp.post("/sheet")
@require_role("admin")
def print_sheet():
    """The A4 sheet (HTML for the browser's print) of the codes just given: each code
    is checked to be that account's live one, so an old sheet cannot be printed again."""
    data = load_json(SheetSchema())
    accounts = live_codes(data["accounts"], actor=current_user, now=utcnow())
    html = render_sheet(accounts, origin=request.host_url, issued_by=current_user.display_name)
    return html, 200, {"Content-Type": "text/html; charset=utf-8"}
