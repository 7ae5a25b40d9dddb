"""People who sign in, and the record of failed sign-ins used for throttling."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import generate_password_hash

from ..extensions import db
from .types import UTCDateTime, one_of, utcnow
from .units import Unit

ROLES = ("officer", "supervisor", "admin")
# Who reviews records, reads the reports and exports: the roles above the commune officer.
REVIEWER_ROLES = ("supervisor", "admin")

# Unit levels each role may be attached to.
ROLE_LEVELS = {
    "officer": ("commune", "district"),
    "supervisor": ("district", "province"),
    "admin": ("province", "district"),
}


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(one_of("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(12))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # May read the details of incident records in her subtree (need to know).
    incident_reviewer: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default="0")
    # Wraps the key that encrypts incident drafts on her phone, so a forgotten PIN never
    # loses unsent work: given out only to a signed-in session. Sealed like answers.
    recovery_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    recovery_key_id: Mapped[str | None] = mapped_column(String(32))
    # Her phone number as the union's lists write it (digits only); one account per phone.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, index=True)
    # Signed in with a one-time code (or an administrator reset her password): until she
    # chooses her own password every API call but that one is refused.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default="0")
    # The one-time sign-in code an administrator was given (hashed like a password; it
    # works once, until code_expires_at). Never a password the administrator knows.
    code_hash: Mapped[str | None] = mapped_column(String(255))
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()

    @property
    def is_active(self) -> bool:
        return self.active

    def set_password(self, password: str) -> None:
        """Only the hash; services.users.set_password also ends her sessions."""
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"])


class AuthSession(db.Model):
    """A signed-in device. The cookie holds a random token; only its SHA-256 is stored,
    so signing out (or a password change) ends the session on the server too."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LoginFailure(db.Model):
    """One failed sign-in (written before the password is checked, removed when it was
    right), from which client address. Kept in the database so every worker sees it."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# What an administrator may change about an account, each written to account_audit.
ACCOUNT_CHANGES = ("created", "password", "role", "incident_reviewer", "active", "unit",
                   "display_name", "phone", "sign_in_code", "lockout_lifted")
# Other administrative changes the same table holds (target: "target:…", "rule:…",
# "form:…"): the year's plan, the deadline rules, form versions.
ADMIN_CHANGES = (*ACCOUNT_CHANGES, "target_set", "target_removed", "rule", "form_version")


class AccountAudit(db.Model):
    """One change an administrator made: who, to which account (user_id) or other thing
    (target: "target:2026/945/K01", "rule:monthly_activity"), what, from what to what
    (never a password or a code). Append-only: the database refuses UPDATE and DELETE
    (0012, kept by 0014)."""

    __tablename__ = "account_audit"
    __table_args__ = (CheckConstraint(one_of("change", ADMIN_CHANGES), name="change"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    target: Mapped[str | None] = mapped_column(String(120), index=True)
    change: Mapped[str] = mapped_column(String(24))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
