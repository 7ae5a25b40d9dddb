"""GET /api/units: the unit hierarchy for pickers."""

from flask import Blueprint

bp = Blueprint("units", __name__)

from . import views  # noqa: E402,F401
