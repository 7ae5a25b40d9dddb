"""/api/submissions/<uuid>: one record with its chain, and its history."""

from flask import Blueprint

bp = Blueprint("submissions", __name__)

from . import views  # noqa: E402,F401
