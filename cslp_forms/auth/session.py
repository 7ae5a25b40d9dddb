"""Session plumbing: loading the user, 401 instead of redirects, CSRF on every
state-changing request that rides on the session cookie, Secure cookies over HTTPS."""

from __future__ import annotations

import hmac
import secrets
from functools import wraps

from flask import request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from ..extensions import db, login_manager
from ..models import User
from ..problems import Problem
from . import bp

CSRF_KEY = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Sign-in is the one state-changing call made before a token exists.
CSRF_EXEMPT = {"auth.login"}


class SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    raise Problem("auth.required")


def csrf_token() -> str:
    if CSRF_KEY not in session:
        session[CSRF_KEY] = secrets.token_urlsafe(32)
    return session[CSRF_KEY]


@bp.before_app_request
def check_csrf():
    if request.method in SAFE_METHODS or request.endpoint in CSRF_EXEMPT:
        return
    if not request.path.startswith("/api/"):
        return
    if "_user_id" not in session:
        return  # no session cookie in use: the view's own auth check answers
    sent = request.headers.get("X-CSRF-Token", "")
    expected = session.get(CSRF_KEY, "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise Problem("auth.csrf_failed")


def require_role(*roles: str):
    """Coarse check on a view: signed in and holding one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                raise Problem("auth.required")
            if current_user.role not in roles:
                raise Problem("auth.forbidden")
            return view(*args, **kwargs)

        return wrapped

    return decorator
