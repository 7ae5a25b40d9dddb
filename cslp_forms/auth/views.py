"""POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me."""

from flask import session
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..models.types import utcnow
from ..problems import Problem
from ..schemas.auth import LoginSchema
from ..schemas.base import load_json
from ..services.users import authenticate, me_payload
from . import bp
from .session import CSRF_KEY, csrf_token


@bp.post("/login")
def login():
    data = load_json(LoginSchema())
    try:
        user = authenticate(data["username"], data["password"], now=utcnow())
    except Problem:
        db.session.commit()  # keep the failure count
        raise
    db.session.commit()
    session.clear()
    login_user(user)
    session.permanent = True
    return me_payload(user, csrf_token())


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.pop(CSRF_KEY, None)
    return {"ok": True}


@bp.get("/me")
@login_required
def me():
    return me_payload(current_user, csrf_token())
