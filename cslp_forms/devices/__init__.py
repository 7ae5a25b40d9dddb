"""/api/devices: phones report their health; supervisors read their subtree's."""

from flask import Blueprint

bp = Blueprint("devices", __name__)

from . import views  # noqa: E402,F401
