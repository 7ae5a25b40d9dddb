"""POST /api/auth/login (password or one-time code), POST /api/auth/password, POST
/api/auth/logout, GET /api/auth/me."""

from flask import request, session
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..models.types import utcnow
from ..problems import Problem, invalid
from ..schemas.auth import LoginSchema, NewPasswordSchema, PasswordSchema
from ..schemas.base import load_json
from ..services.records.sealing import recovery_key
from ..services.users import (
    begin_sign_in,
    choose_password,
    end_session,
    finish_sign_in,
    me_payload,
    refuse_inactive,
    start_session,
)
from . import bp
from .session import SESSION_KEY, csrf_token


def _check_password(username: str, password: str | None = None, code: str | None = None):
    """Sign-in's two short transactions: the attempt is counted (and committed) first,
    the password checked with no lock held, its failures cleared if it was right. A
    deactivated account with the right password is told whom to call (not counted)."""
    attempt = begin_sign_in(username, client=request.remote_addr, now=utcnow())
    db.session.commit()
    user = finish_sign_in(attempt, password=password, code=code, now=utcnow())
    if not user.active:
        db.session.commit()
        refuse_inactive(user)
    return user


@bp.post("/login")
def login():
    data = load_json(LoginSchema())
    if ("password" in data) == ("code" in data):
        raise invalid("password", "field.required", "auth.password_or_code")
    user = _check_password(data["username"], data.get("password"), data.get("code"))
    token = start_session(user, now=utcnow())
    db.session.commit()
    session.clear()
    session[SESSION_KEY] = token
    login_user(user)
    session.permanent = True
    return me_payload(user, csrf_token())


@bp.post("/password")
@login_required
def change_password():
    """She chooses her own password: after signing in with a one-time code (no current
    password asked), or to change it (her current one asked, throttled like sign-in).
    Her other sessions end; this one stays."""
    data = load_json(NewPasswordSchema())
    user = current_user._get_current_object()
    if not user.must_change_password:
        if not data.get("current_password"):
            raise invalid("current_password", "field.required")
        try:
            _check_password(user.username, data["current_password"])
        except Problem as problem:
            if problem.code != "auth.invalid_credentials":
                raise
            raise invalid("current_password", "field.invalid",
                          "auth.wrong_current_password") from None
    choose_password(user, data["password"])
    token = start_session(user, now=utcnow())
    db.session.commit()
    session[SESSION_KEY] = token
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
