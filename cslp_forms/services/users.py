"""Accounts: sign-in with throttling, and user management inside an admin's subtree."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import (
    ACCOUNT_CHANGES,
    ROLE_LEVELS,
    AccountAudit,
    AuthSession,
    LoginFailure,
    Unit,
    User,
)
from ..models.types import iso, utcnow
from ..problems import Problem, invalid, say
from .base.units import ancestors, in_subtree, resolve_unit
from .records.notices import notify

# Checked against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def normalise_username(username: str) -> str:
    return username.strip().lower()


@dataclass(frozen=True)
class SignIn:
    """A sign-in attempt, counted as a failure until its password proves right."""

    name: str
    client: str | None
    user_id: int | None
    password_hash: str | None
    active: bool


def begin_sign_in(username: str, *, client: str | None, now: datetime) -> SignIn:
    """Refuse (429) a client that has failed too often, else count this attempt as a
    failure until finish_sign_in() finds the password right. The caller commits before
    checking the password, so no lock is held while scrypt runs.

    The rule (README, "Sign-in"): a client address gets LOGIN_MAX_FAILURES wrong
    passwords per account and LOGIN_MAX_CLIENT_FAILURES in all within the window. Once an
    account has had LOGIN_MAX_FAILURES failures from anywhere, a client that has failed
    on it is refused too; one that has not (the owner's phone) still signs in."""
    name = normalise_username(username)
    if db.session.get_bind().dialect.name == "postgresql":
        # Parallel guesses at one name queue here, so the counts below are exact.
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(name))))
    config = current_app.config
    window = timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    limit = config["LOGIN_MAX_FAILURES"]
    recent = LoginFailure.at > now - window
    here = LoginFailure.client.is_(None) if client is None else LoginFailure.client == client
    mine = _failures(recent, LoginFailure.username == name, here)
    everyone = _failures(recent, LoginFailure.username == name)
    anywhere = _failures(recent, here)
    for count, oldest, cap in ((mine[0], mine[1], limit),
                               (everyone[0] if mine[0] else 0, everyone[1], limit),
                               (anywhere[0], anywhere[1], config["LOGIN_MAX_CLIENT_FAILURES"])):
        if count >= cap:
            retry = max(1, math.ceil((oldest + window - now).total_seconds()))
            raise Problem("auth.too_many_attempts",
                          say("auth.retry_in", minutes=math.ceil(retry / 60)),
                          headers={"Retry-After": str(retry)}, retry_after=retry)
    user = db.session.scalar(select(User).where(User.username == name))
    db.session.add(LoginFailure(username=name, client=client, at=now))
    db.session.flush()
    return SignIn(name, client, user.id if user else None,
                  user.password_hash if user else None, bool(user and user.active))


def _failures(*conditions) -> tuple[int, datetime | None]:
    return db.session.execute(select(func.count(LoginFailure.id), func.min(LoginFailure.at))
                              .where(*conditions)).one()


def finish_sign_in(attempt: SignIn, password: str) -> User:
    """The user, if the password is right (checked with no transaction of ours open);
    then this client's failures on the account are forgotten. Unknown user and wrong
    password give the same answer, in the same time."""
    right = check_password_hash(attempt.password_hash or _DUMMY_HASH, password)
    if not right or attempt.user_id is None or not attempt.active:
        raise Problem("auth.invalid_credentials")
    here = (LoginFailure.client.is_(None) if attempt.client is None
            else LoginFailure.client == attempt.client)
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == attempt.name,
                                                  here))
    return db.session.get(User, attempt.user_id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, now: datetime) -> str:
    """A new signed-in session; returns the token the cookie carries."""
    db.session.execute(delete(AuthSession).where(AuthSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(days=int(current_app.config["SESSION_DAYS"]))
    db.session.add(AuthSession(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                               expires_at=now + lifetime))
    return token


def session_user(user_id: int, token: str, *, now: datetime) -> User | None:
    # Her unit comes with her: nearly every request asks for it (scope checks).
    return db.session.scalar(
        select(User).options(joinedload(User.unit))
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(User.id == user_id, AuthSession.token_hash == _token_hash(token),
               AuthSession.expires_at > now))


def end_session(token: str) -> None:
    db.session.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))


def end_sessions(user: User) -> None:
    """Sign her out everywhere (password changed, account locked)."""
    db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))


# Words a password here is often made of, which zxcvbn's lists (English and common
# passwords) do not know: it counts them as easy to guess.
LOCAL_WORDS = ("matkhau", "mat-khau", "mat khau", "hoiphunu", "hoi-phu-nu", "phunu",
               "hoilhpn", "lhpn", "soctrang", "soc-trang", "cslp", "canbo", "giamsat", "admin",
               "quantri")
MIN_SCORE = 3  # zxcvbn: 0 (too guessable) to 4; 3 = "safely unguessable" online


def check_password_strength(password: str, *, user: User) -> None:
    """Refuse a common or guessable password (zxcvbn: its dictionaries of leaked and
    common passwords, names and patterns, plus her name and the union's words)."""
    from zxcvbn import zxcvbn  # its dictionaries load on first use, not at start-up

    known = [user.username or "", user.display_name or "", *LOCAL_WORDS]
    if zxcvbn(password[:100], user_inputs=known)["score"] < MIN_SCORE:
        raise invalid("password", "field.invalid", "user.weak_password")


def set_password(user: User, password: str) -> None:
    """A new password (checked for strength); her sessions elsewhere end."""
    check_password_strength(password, user=user)
    user.set_password(password)
    if user.id is not None:
        end_sessions(user)


def user_payload(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "incident_reviewer": user.incident_reviewer,
        "unit": user.unit.summary(),
    }


def me_payload(user: User, csrf_token: str) -> dict:
    return {
        **user_payload(user),
        "unit_path": [u.summary() for u in ancestors(user.unit)],
        "csrf_token": csrf_token,
    }


def _check_role_level(role: str, unit: Unit) -> None:
    if unit.level not in ROLE_LEVELS[role]:
        raise invalid("unit", "field.invalid", "user.role_level", role=role, level=unit.level)


def _require_in_scope(actor: User, unit: Unit) -> None:
    if not actor.unit.contains(unit):
        raise Problem("scope.forbidden")


def create_user(*, username: str, display_name: str, password: str, role: str,
                unit_code: str, actor: User | None = None,
                incident_reviewer: bool = False) -> User:
    """Create an account. With an actor (an administrator), only inside her subtree."""
    unit = resolve_unit(unit_code)
    if actor is not None:
        _require_in_scope(actor, unit)
    _check_role_level(role, unit)
    name = normalise_username(username)
    if db.session.scalar(select(User.id).where(User.username == name)) is not None:
        raise Problem("user.exists", say("user.exists_named", name=name))
    if incident_reviewer and role == "officer":
        raise invalid("incident_reviewer", "field.invalid", "user.reviewers_only")
    user = User(username=name, display_name=display_name.strip(), role=role, unit=unit,
                incident_reviewer=incident_reviewer)
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    if actor is not None:
        _audit(actor, user, "created", None, f"{role} {unit.code}")
        if incident_reviewer:
            _announce(user, actor, "incident_reviewer")
    return user


def get_user_in_scope(username: str, *, actor: User) -> User:
    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None or not actor.unit.contains(user.unit):
        raise Problem("user.not_found")
    return user


def update_user(user: User, *, actor: User, changes: dict) -> User:
    """An administrator changes an account inside her subtree. She cannot change her own
    role or incident permission, nor lock herself out; the province keeps at least one
    active administrator. Every change is written to account_audit; granting the
    incident permission, and a new password for a reviewer or an administrator, are
    announced to that person and to every province administrator."""
    before = _audited(user)
    was_reviewer = user.incident_reviewer or user.role == "admin"
    was_province_admin = _is_province_admin(user)
    if user.id == actor.id:
        if "role" in changes and changes["role"] != user.role:
            raise invalid("role", "field.invalid", "user.not_own_role")
        if changes.get("incident_reviewer", user.incident_reviewer) != user.incident_reviewer:
            raise invalid("incident_reviewer", "field.invalid",
                          "user.not_own_incident_reviewer")
        if changes.get("active") is False:
            raise invalid("active", "field.invalid", "user.not_yourself")
    if "unit" in changes:
        unit = resolve_unit(changes["unit"])
        _require_in_scope(actor, unit)
        user.unit = unit
    if "role" in changes:
        user.role = changes["role"]
    _check_role_level(user.role, user.unit)
    if "display_name" in changes:
        user.display_name = changes["display_name"].strip()
    if "incident_reviewer" in changes:
        user.incident_reviewer = changes["incident_reviewer"] and user.role != "officer"
    if "password" in changes:
        set_password(user, changes["password"])
    if "active" in changes:
        user.active = changes["active"]
        if not user.active:
            end_sessions(user)
    db.session.flush()
    if was_province_admin and not _province_admins():
        raise Problem("user.last_province_admin")
    after = _audited(user)
    for change in ACCOUNT_CHANGES:
        if change in after and after[change] != before[change]:
            _audit(actor, user, change, before[change], after[change])
    if "password" in changes:
        _audit(actor, user, "password", None, None)
    if after["incident_reviewer"] == "true" and before["incident_reviewer"] != "true":
        _announce(user, actor, "incident_reviewer")
    elif "password" in changes and was_reviewer:
        _announce(user, actor, "password")
    return user


def _audited(user: User) -> dict[str, str]:
    return {"role": user.role, "incident_reviewer": str(user.incident_reviewer).lower(),
            "active": str(user.active).lower(), "unit": user.unit.code}


def _audit(actor: User | None, user: User, change: str, before, after) -> None:
    db.session.add(AccountAudit(actor_id=actor.id if actor else None, user_id=user.id,
                                change=change, before=before, after=after))


def _is_province_admin(user: User) -> bool:
    return user.role == "admin" and user.active and user.unit.level == "province"


def _province_admins() -> list[int]:
    return list(db.session.scalars(select(User.id).join(Unit, Unit.id == User.unit_id).where(
        User.role == "admin", User.active, Unit.level == "province")))


def _announce(user: User, actor: User, what: str) -> None:
    """Powers over survivors' data never change silently."""
    text = {"incident_reviewer": "được giao quyền xem chi tiết vụ việc",
            "password": "được đặt lại mật khẩu"}[what]
    notify({user.id, *_province_admins()}, kind="account", url="/#/",
           key=f"account:{what}:{user.id}:{utcnow().isoformat()}",
           title="Thay đổi quyền tài khoản",
           body=f"Tài khoản {user.username} ({user.display_name}) vừa {text} bởi "
                f"{actor.display_name}. Nếu không đúng, hãy báo ngay cho Hội tỉnh.",
           tag=f"account-{user.id}")


def search_account_audit(*, user=None, from_=None, to=None, limit=200) -> list[dict]:
    query = select(AccountAudit).order_by(AccountAudit.id.desc()).limit(limit)
    if user:
        subject = select(User.id).where(User.username == normalise_username(user))
        query = query.where(AccountAudit.user_id.in_(subject))
    if from_ is not None:
        query = query.where(AccountAudit.at >= from_)
    if to is not None:
        query = query.where(AccountAudit.at <= to)
    return [{"at": iso(e.at), "actor": e.actor.username if e.actor else None,
             "user": e.user.username, "change": e.change, "before": e.before,
             "after": e.after} for e in db.session.scalars(query)]


def list_users(*, actor: User, root: Unit | None = None) -> list[User]:
    root = root or actor.unit
    _require_in_scope(actor, root)
    return list(db.session.scalars(
        select(User).where(in_subtree(root, User.unit_id)).order_by(User.username)))
