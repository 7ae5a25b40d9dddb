"""Session plumbing: loading the user, 401 instead of redirects, CSRF on every
state-changing request that rides on the session cookie, Secure cookies over HTTPS."""

from __future__ import annotations

import hmac
import secrets
from functools import wraps

from flask import request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from ..extensions import login_manager
from ..models import User
from ..models.types import utcnow
from ..problems import Problem, say
from ..services.users import session_user
from . import bp

CSRF_KEY = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Sign-in is the one state-changing call made before a token exists.
CSRF_EXEMPT = {"auth.login"}


class SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


SESSION_KEY = "sid"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of this cookie, if its session still exists on the server."""
    token = session.get(SESSION_KEY)
    if not user_id.isdigit() or not isinstance(token, str):
        return None
    return session_user(int(user_id), token, now=utcnow())


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
    sent = request.headers.get("X-CSRF-Token", "").encode("utf-8", "replace")
    expected = session.get(CSRF_KEY, "").encode()
    if not expected or not hmac.compare_digest(sent, expected):
        raise Problem("auth.csrf_failed")


# What she may do while she must still choose her own password (signed in with a code).
BEFORE_NEW_PASSWORD = {"auth.login", "auth.logout", "auth.me", "auth.change_password",
                       "openapi.openapi_document"}


@bp.before_app_request
def require_own_password():
    """Signed in with a one-time code: nothing but choosing a password until she has."""
    if not request.path.startswith("/api/") or request.endpoint in BEFORE_NEW_PASSWORD:
        return
    if "_user_id" not in session:
        return
    if current_user.is_authenticated and current_user.must_change_password:
        raise Problem("auth.must_change_password", say("auth.change_first"))


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
