"""PUT and GET /api/attachments/<sha256>: photos, addressed by their hash."""

from flask import Blueprint

bp = Blueprint("attachments", __name__)

from . import views  # noqa: E402,F401
