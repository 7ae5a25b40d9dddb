"""POST /api/sync and GET /api/sync/changes."""

from flask import Blueprint

bp = Blueprint("sync", __name__)

from . import views  # noqa: E402,F401
