"""All models, imported here so Alembic and the app see one metadata."""

from .submissions import (
    LOCKED_STATUSES,
    STATUSES,
    Attachment,
    AttachmentUpload,
    Counter,
    Submission,
    SubmissionRevision,
)
from .units import LEVELS, Unit, UnitSuccession
from .users import ROLE_LEVELS, ROLES, AuthSession, LoginFailure, User

__all__ = [
    "LEVELS", "LOCKED_STATUSES", "ROLES", "ROLE_LEVELS", "STATUSES", "Attachment",
    "AttachmentUpload", "AuthSession", "Counter", "LoginFailure", "Submission",
    "SubmissionRevision", "Unit", "UnitSuccession", "User",
]
