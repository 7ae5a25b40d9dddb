"""POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me."""

from flask import request, session
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..models.types import utcnow
from ..schemas.auth import LoginSchema, PasswordSchema
from ..schemas.base import load_json
from ..services.records.sealing import recovery_key
from ..services.users import (
    begin_sign_in,
    end_session,
    finish_sign_in,
    me_payload,
    start_session,
)
from . import bp
from .session import SESSION_KEY, csrf_token


def _check_password(username: str, password: str):
    """Sign-in's two short transactions: the attempt is counted (and committed) first,
    the password checked with no lock held, its failures cleared if it was right."""
    attempt = begin_sign_in(username, client=request.remote_addr, now=utcnow())
    db.session.commit()
    return finish_sign_in(attempt, password)


@bp.post("/login")
def login():
    data = load_json(LoginSchema())
    user = _check_password(data["username"], data["password"])
    token = start_session(user, now=utcnow())
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
    _check_password(current_user.username, data["password"])
    key = recovery_key(current_user)
    db.session.commit()
    return {"key": key}
