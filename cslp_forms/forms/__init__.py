"""GET /api/forms: the published form definitions."""

from flask import Blueprint

bp = Blueprint("forms", __name__)

from . import views  # noqa: E402,F401
