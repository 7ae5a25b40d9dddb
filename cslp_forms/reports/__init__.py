"""/api/reports: indicators against targets, the records behind them, targets, exports
and the year-end report."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import views  # noqa: E402,F401
