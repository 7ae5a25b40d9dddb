"""/api/users: an administrator manages the accounts of her subtree."""

from flask import Blueprint

bp = Blueprint("users", __name__)

from . import views  # noqa: E402,F401
