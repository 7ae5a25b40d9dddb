"""/api/push (VAPID key, device subscriptions) and /api/notifications (the in-app list)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from . import views  # noqa: E402,F401
