"""All models, imported here so Alembic and the app see one metadata."""

from .deadlines import DeadlineRule
from .notifications import Notification, PushSubscription
from .reports import (
    INDICATORS,
    TARGET_BASES,
    ExportLog,
    ReportFact,
    ReportRollup,
    ReportTarget,
)
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
    "DECISIONS", "INDICATORS", "LEVELS", "LOCKED_STATUSES", "ROLES", "ROLE_LEVELS", "STATUSES",
    "TARGET_BASES", "AccessLog", "Attachment", "AttachmentUpload", "AuthSession", "Counter",
    "DeadlineRule", "ExportLog", "LoginFailure", "Notification", "PurgeLog", "PushSubscription",
    "ReportFact", "ReportRollup", "ReportTarget", "ReviewDecision", "Submission",
    "SubmissionRevision", "Unit", "UnitSuccession", "User",
]
