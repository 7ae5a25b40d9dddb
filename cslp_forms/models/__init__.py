"""All models, imported here so Alembic and the app see one metadata."""

from .deadlines import DeadlineRule
from .notifications import Notification, PushSubscription
from .submissions import (
    DECISIONS,
    LOCKED_STATUSES,
    STATUSES,
    AccessLog,
    Attachment,
    AttachmentUpload,
    Counter,
    PurgeLog,
    ReviewDecision,
    Submission,
    SubmissionRevision,
)
from .units import LEVELS, Unit, UnitSuccession
from .users import ROLE_LEVELS, ROLES, AuthSession, LoginFailure, User

__all__ = [
    "DECISIONS", "LEVELS", "LOCKED_STATUSES", "ROLES", "ROLE_LEVELS", "STATUSES",
    "AccessLog", "Attachment", "AttachmentUpload", "AuthSession", "Counter", "DeadlineRule",
    "LoginFailure",
    "Notification", "PurgeLog", "PushSubscription", "ReviewDecision", "Submission",
    "SubmissionRevision", "Unit", "UnitSuccession", "User",
]
