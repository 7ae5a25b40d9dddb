"""All models, imported here so Alembic and the app see one metadata."""

from .units import LEVELS, Unit, UnitSuccession
from .users import ROLE_LEVELS, ROLES, LoginFailure, User

__all__ = ["LEVELS", "ROLES", "ROLE_LEVELS", "LoginFailure", "Unit", "UnitSuccession", "User"]
