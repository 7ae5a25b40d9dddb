"""GET /api/audit/access: the province administrator searches the access log."""

from flask import Blueprint

bp = Blueprint("audit", __name__)

from . import views  # noqa: E402,F401
