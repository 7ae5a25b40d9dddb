"""Sign-in for the PWA: session cookie, CSRF token, who am I."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import session, views  # noqa: E402,F401
