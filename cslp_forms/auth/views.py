"""POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me."""

from flask import session
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..models.types import utcnow
from ..problems import Problem
from ..schemas.auth import LoginSchema, PasswordSchema
from ..schemas.base import load_json
from ..services.records.sealing import recovery_key
from ..services.users import authenticate, end_session, me_payload, start_session
from . import bp
from .session import SESSION_KEY, csrf_token


@bp.post("/login")
def login():
    data = load_json(LoginSchema())
    now = utcnow()
    try:
        user = authenticate(data["username"], data["password"], now=now)
    except Problem:
        db.session.commit()  # keep the failure count
        raise
    token = start_session(user, now=now)
    db.session.commit()
    session.clear()
    session[SESSION_KEY] = token
    login_user(user)
    session.permanent = True
    return me_payload(user, csrf_token())


@bp.post("/logout")
@login_required
def logout():
    """Ends this session on the server too: a copied cookie stops working."""
    end_session(session.get(SESSION_KEY, ""))
    db.session.commit()
    logout_user()
    session.clear()
    # Whatever the browser kept of her answers is dropped with the session.
    return {"ok": True}, 200, {"Clear-Site-Data": '"cache"'}


@bp.get("/me")
@login_required
def me():
    return me_payload(current_user, csrf_token())


@bp.post("/recovery-key")
@login_required
def get_recovery_key():
    """Lets her phone wrap, or recover after a forgotten PIN, its incident key. A session
    cookie alone is not enough: she types her password again (throttled like sign-in)."""
    data = load_json(PasswordSchema())
    try:
        authenticate(current_user.username, data["password"], now=utcnow())
    except Problem:
        db.session.commit()  # keep the failure count
        raise
    key = recovery_key(current_user)
    db.session.commit()
    return {"key": key}
