"""All models, imported here so Alembic and the app see one metadata."""

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
    Attachment,
    AttachmentUpload,
    Counter,
    ReviewDecision,
    Submission,
    SubmissionRevision,
)
from .units import LEVELS, Unit, UnitSuccession
from .users import ROLE_LEVELS, ROLES, AuthSession, LoginFailure, User

__all__ = [
    "DECISIONS", "LEVELS", "LOCKED_STATUSES", "ROLES", "ROLE_LEVELS", "STATUSES", "Attachment",
    "AttachmentUpload", "AuthSession", "Counter", "LoginFailure", "ReviewDecision", "Submission",
    "SubmissionRevision", "Unit", "UnitSuccession", "User",
    "INDICATORS", "TARGET_BASES", "ExportLog", "ReportFact", "ReportRollup", "ReportTarget",
]
