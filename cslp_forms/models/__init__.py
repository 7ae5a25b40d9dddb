"""All models, imported here so Alembic and the app see one metadata."""

from .deadlines import DeadlineRule
from .devices import DEVICE_BUCKETS, DEVICE_RISKS, DeviceHealth
from .forms import FormVersion
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
    COUNTED_STATUSES,
    DECISIONS,
    LOCKED_STATUSES,
    OPEN_STATUSES,
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
from .users import (
    ACCOUNT_CHANGES,
    ADMIN_CHANGES,
    REVIEWER_ROLES,
    ROLE_LEVELS,
    ROLES,
    AccountAudit,
    AuthSession,
    LoginFailure,
    User,
)

__all__ = [
    "ACCOUNT_CHANGES", "ADMIN_CHANGES", "AccountAudit",
    "COUNTED_STATUSES", "DECISIONS", "DEVICE_BUCKETS", "DEVICE_RISKS",
    "DeviceHealth", "INDICATORS", "LEVELS", "LOCKED_STATUSES",
    "OPEN_STATUSES", "REVIEWER_ROLES", "ROLES", "ROLE_LEVELS", "STATUSES",
    "TARGET_BASES", "AccessLog", "Attachment", "AttachmentUpload", "AuthSession", "Counter",
    "DeadlineRule", "ExportLog", "FormVersion", "LoginFailure", "Notification", "PurgeLog",
    "PushSubscription",
    "ReportFact", "ReportRollup", "ReportTarget", "ReviewDecision", "Submission",
    "SubmissionRevision", "Unit", "UnitSuccession", "User",
]
