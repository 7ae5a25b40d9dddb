"""List, create and update accounts inside the administrator's subtree."""

from flask_login import current_user

from ..auth.session import require_role
from ..extensions import db
from ..schemas.base import load_args, load_json
from ..schemas.users import UserCreateSchema, UserListArgsSchema, UserUpdateSchema
from ..services.base.units import resolve_unit
from ..services.users import (
    create_user,
    get_user_in_scope,
    list_users,
    update_user,
    user_payload,
)
from . import bp


@bp.get("")
@require_role("admin")
def list_accounts():
    args = load_args(UserListArgsSchema())
    root = resolve_unit(args["unit"]) if "unit" in args else None
    return {"users": [user_payload(u) for u in list_users(actor=current_user, root=root)]}


@bp.post("")
@require_role("admin")
def create_account():
    data = load_json(UserCreateSchema())
    user = create_user(
        username=data["username"], display_name=data["display_name"],
        password=data["password"], role=data["role"], unit_code=data["unit"],
        actor=current_user, incident_reviewer=data["incident_reviewer"],
    )
    db.session.commit()
    return user_payload(user), 201


@bp.patch("/<username>")
@require_role("admin")
def update_account(username):
    changes = load_json(UserUpdateSchema())
    user = update_user(get_user_in_scope(username, actor=current_user), actor=current_user,
                       changes=changes)
    db.session.commit()
    return user_payload(user)
