"""Accounts: sign-in with throttling, and user management inside an admin's subtree."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
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
from ..problems import Problem, field_error, invalid, say
from .base.audit import admin_audit
from .base.forms import note_published_stamp, published_stamp
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
    code_hash: str | None = None
    code_expires_at: datetime | None = None


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
    if user is None:
        return SignIn(name, client, None, None, False)
    return SignIn(name, client, user.id, user.password_hash, user.active, user.code_hash,
                  user.code_expires_at)


def _failures(*conditions) -> tuple[int, datetime | None]:
    return db.session.execute(select(func.count(LoginFailure.id), func.min(LoginFailure.at))
                              .where(*conditions)).one()


def finish_sign_in(attempt: SignIn, *, password: str | None = None, code: str | None = None,
                   now: datetime | None = None) -> User:
    """The user, if the password (or her one-time code, still unused and unexpired) is
    right, checked with no transaction of ours open; then this client's failures on the
    account are forgotten, and a code is used up. Unknown user and wrong password give the
    same answer, in the same time. A right password on a deactivated account is no
    failure either: the caller commits, then refuse_inactive() tells her whom to call."""
    if code is not None:
        now = now or utcnow()
        right = (attempt.code_hash is not None and attempt.code_expires_at is not None
                 and attempt.code_expires_at > now
                 and hmac.compare_digest(attempt.code_hash, _code_hash(code)))
    else:
        stored = attempt.password_hash or _DUMMY_HASH
        unusable = stored.startswith(NO_PASSWORD)  # no password yet: only her code works
        right = check_password_hash(_DUMMY_HASH if unusable else stored, password or "")
        right = right and not unusable
    if not right or attempt.user_id is None:
        raise Problem("auth.invalid_credentials")
    here = (LoginFailure.client.is_(None) if attempt.client is None
            else LoginFailure.client == attempt.client)
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == attempt.name,
                                                  here))
    user = db.session.get(User, attempt.user_id)
    if code is not None and user.active:
        user.code_hash = user.code_expires_at = None
        user.must_change_password = True
    return user


def refuse_inactive(user: User) -> None:
    """A deactivated account whose password was right is told so, and whom to call: the
    administrators (else supervisors) of the nearest unit above her that has one."""
    if user.active:
        return
    contact = None
    for unit in reversed(ancestors(user.unit)):
        for role in ("admin", "supervisor"):
            people = list(db.session.scalars(select(User).where(
                User.unit_id == unit.id, User.role == role, User.active,
                User.id != user.id).order_by(User.username).limit(2)))
            if people:
                names = ", ".join(f"{p.display_name}" + (f" ({p.phone})" if p.phone else "")
                                  for p in people)
                contact = f"{names} – {unit.name}"
                break
        if contact:
            break
    raise Problem("auth.account_disabled",
                  say("auth.disabled_contact", contact=contact or "Hội LHPN cấp trên"))


# A password hash no password matches: an account made with a one-time code has none yet.
NO_PASSWORD = "!none:"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off paper
CODE_LENGTH = 10  # 31^10 ≈ 2^49.5


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def _code_hash(code: str) -> str:
    """HMAC-SHA-256 under the app's secret key: the codes are random (not chosen by a
    person), so a keyed hash is enough, a stolen database alone cannot test guesses, and
    importing ten thousand accounts does not run ten thousand scrypts."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"sign-in-code:" + normalise_code(code).encode(),
                    hashlib.sha256).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def issue_sign_in_code(user: User, *, actor: User | None, now: datetime,
                       audit: bool = True) -> tuple[str, datetime]:
    """A new one-time code for her (a new account, or a password reset): her password
    stops working, her sessions end, she must choose a password once signed in with it.
    The code is shown once, to the administrator; only its hash is kept."""
    if not user.active:
        raise invalid("active", "field.invalid", "user.code_for_officers")
    if actor is not None and actor.id is not None and actor.id == user.id:
        raise invalid("username", "field.invalid", "user.not_own_code")
    code = new_code()
    expires = now + timedelta(days=int(current_app.config["SIGN_IN_CODE_DAYS"]))
    user.code_hash, user.code_expires_at = _code_hash(code), expires
    user.password_hash = NO_PASSWORD + secrets.token_hex(8)
    user.must_change_password = True
    if user.id is not None:
        end_sessions(user)
    if actor is not None and audit:
        db.session.flush()
        admin_audit(actor, "sign_in_code", user=user, after=iso(expires))
        if user.incident_reviewer or user.role == "admin":
            _announce(user, actor, "password")
    return code, expires


def live_codes(accounts: list[dict], *, actor: User, now: datetime) -> list[tuple[User, str]]:
    """The accounts of a sign-in sheet, each with the code it was given, checked: inside
    her subtree and the code still the live, unexpired one (a stale sheet is refused)."""
    out, errors = [], []
    for i, item in enumerate(accounts):
        user = get_user_in_scope(item["username"], actor=actor)
        good = (user.code_hash is not None and user.code_expires_at is not None
                and user.code_expires_at > now
                and hmac.compare_digest(user.code_hash, _code_hash(item["code"])))
        if not good:
            errors.append(field_error(f"accounts.{i}.code", "field.invalid",
                                      "user.code_not_live", username=user.username))
        out.append((user, item["code"]))
    if errors:
        raise Problem("request.invalid", errors=errors)
    return out


def choose_password(user: User, password: str) -> None:
    """She sets her own password (after a code, or to change it): strength checked."""
    set_password(user, password)
    user.must_change_password = False
    user.code_hash = user.code_expires_at = None


def is_locked(username: str, *, now: datetime) -> bool:
    return username in locked_usernames([username], now=now)


def locked_usernames(names, *, now: datetime) -> set[str]:
    """Accounts with as many recent failures as the throttle allows (from anywhere)."""
    config = current_app.config
    window = timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    names = list(names)
    if not names:
        return set()
    rows = db.session.execute(
        select(LoginFailure.username, func.count(LoginFailure.id))
        .where(LoginFailure.at > now - window, LoginFailure.username.in_(names))
        .group_by(LoginFailure.username)).all()
    return {name for name, count in rows if count >= config["LOGIN_MAX_FAILURES"]}


def lift_lockout(user: User, *, actor: User, now: datetime) -> int:
    """Forget every failed sign-in on her account: she may try again at once."""
    removed = db.session.execute(
        delete(LoginFailure).where(LoginFailure.username == user.username)).rowcount
    admin_audit(actor, "lockout_lifted", user=user, before=str(removed or 0), after="0")
    return removed or 0


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


@cache
def _session_user_query():
    """Built once (every request runs it): her unit comes with her, and the units above
    it (nearly every request asks for them: scope checks, a new record's review chain;
    base.units.ancestors finds them loaded). Three levels: province, district, commune."""
    return (select(User, *published_stamp())
            .options(joinedload(User.unit).joinedload(Unit.parent).joinedload(Unit.parent))
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(User.id == bindparam("user_id"),
                   AuthSession.token_hash == bindparam("token_hash"),
                   AuthSession.expires_at > bindparam("now")))


def session_user(user_id: int, token: str, *, now: datetime) -> User | None:
    """Her, if this session is hers and alive. The same statement says what form_versions
    holds, which spares the request reading it again (base.forms.published_stamp)."""
    row = db.session.execute(_session_user_query(), {
        "user_id": user_id, "token_hash": _token_hash(token), "now": now}).first()
    if row is None:
        return None
    user, *stamp = row
    note_published_stamp(stamp)
    return user


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


def user_payload(user: User, *, locked: bool | None = None) -> dict:
    """An account as an administrator sees it (`locked`: too many recent failed
    sign-ins; asked once per list by the caller, else here)."""
    if locked is None:
        locked = is_locked(user.username, now=utcnow())
    return {
        "username": user.username,
        "display_name": user.display_name,
        "phone": user.phone,
        "role": user.role,
        "active": user.active,
        "incident_reviewer": user.incident_reviewer,
        "must_change_password": user.must_change_password,
        "code_expires_at": iso(user.code_expires_at) if user.code_expires_at else None,
        "locked": locked,
        "unit": user.unit.summary(),
    }


def me_payload(user: User, csrf_token: str) -> dict:
    return {
        **user_payload(user, locked=False),
        "unit_path": [u.summary() for u in ancestors(user.unit)],
        "csrf_token": csrf_token,
    }


def _check_role_level(role: str, unit: Unit) -> None:
    if unit.level not in ROLE_LEVELS[role]:
        raise invalid("unit", "field.invalid", "user.role_level", role=role, level=unit.level)


def _require_in_scope(actor: User, unit: Unit) -> None:
    if not actor.unit.contains(unit):
        raise Problem("scope.forbidden")


def normalise_phone(phone: str) -> str | None:
    """A Vietnamese mobile number as digits, 0 first ("+84 912 345 678" -> 0912345678);
    None when it is not one."""
    digits = re.sub(r"[\s.()-]", "", str(phone))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and digits.isdigit():
        digits = "0" + digits  # a spreadsheet ate the leading zero
    return digits if re.fullmatch(r"0\d{9}", digits) else None


def _check_phone(phone: str | None, *, user: User | None = None) -> str | None:
    if phone is None or phone == "":
        return None
    number = normalise_phone(phone)
    if number is None:
        raise invalid("phone", "field.invalid", "user.phone_format")
    other = db.session.scalar(select(User.id).where(User.phone == number))
    if other is not None and (user is None or other != user.id):
        raise Problem("user.phone_taken")
    return number


def create_user(*, username: str, display_name: str, password: str | None, role: str,
                unit_code: str, actor: User | None = None,
                incident_reviewer: bool = False, phone: str | None = None) -> User:
    """Create an account. With an actor (an administrator), only inside her subtree.
    Without a password the account has none until she signs in with the one-time code
    the caller issues (issue_sign_in_code) and chooses her own."""
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
                incident_reviewer=incident_reviewer, phone=_check_phone(phone))
    if password is None:
        user.password_hash = NO_PASSWORD + secrets.token_hex(8)
    else:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    if actor is not None:
        admin_audit(actor, "created", user=user, after=f"{role} {unit.code}")
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
    if "phone" in changes:
        user.phone = _check_phone(changes["phone"], user=user)
    if "incident_reviewer" in changes:
        user.incident_reviewer = changes["incident_reviewer"] and user.role != "officer"
    if "password" in changes:
        # A password she did not choose works only until she has chosen her own.
        set_password(user, changes["password"])
        user.must_change_password = True
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
            admin_audit(actor, change, user=user, before=before[change], after=after[change])
    if "password" in changes:
        admin_audit(actor, "password", user=user)
    if after["incident_reviewer"] == "true" and before["incident_reviewer"] != "true":
        _announce(user, actor, "incident_reviewer")
    elif "password" in changes and was_reviewer:
        _announce(user, actor, "password")
    return user


def _audited(user: User) -> dict[str, str | None]:
    return {"role": user.role, "incident_reviewer": str(user.incident_reviewer).lower(),
            "active": str(user.active).lower(), "unit": user.unit.code,
            "display_name": user.display_name, "phone": user.phone}


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
    query = (select(AccountAudit).where(AccountAudit.user_id.is_not(None))
             .order_by(AccountAudit.id.desc()).limit(limit))
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


# --- Bulk import of accounts (a training day's list) --------------------------------

# The sheet's columns, by what people write at the top (folded: no diacritics, lower).
IMPORT_COLUMNS = {
    "name": ("ho ten", "ho va ten", "ten", "ten can bo", "full name", "name"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "so dt", "phone"),
    "unit": ("don vi", "ma don vi", "ten don vi", "unit"),
    "role": ("vai tro", "chuc vu", "role"),
}
COLUMN_WORDS = {"name": "họ tên", "phone": "số điện thoại", "unit": "đơn vị",
                "role": "vai trò"}
ROLE_WORDS = {"": "officer", "can bo": "officer", "can bo co so": "officer", "cb": "officer",
              "officer": "officer", "giam sat": "supervisor", "supervisor": "supervisor",
              "quan tri": "admin", "quan tri vien": "admin", "admin": "admin"}
ROLE_NAMES = {"officer": "cán bộ", "supervisor": "giám sát", "admin": "quản trị"}
UNIT_PREFIXES = ("xa ", "phuong ", "thi tran ", "huyen ", "thi xa ", "thanh pho ", "tinh ")


def _unit_index(day) -> tuple[dict, dict]:
    from .base.sheets import fold
    from .base.units import valid_on

    by_code, by_name = {}, {}
    for unit in db.session.scalars(select(Unit).where(valid_on(day))):
        by_code[unit.code] = unit
        name = fold(unit.name)
        keys = {name}
        for prefix in UNIT_PREFIXES:
            if name.startswith(prefix):
                keys.add(name[len(prefix):])
        for key in keys:
            by_name.setdefault(key, []).append(unit)
    return by_code, by_name


def import_users(data: bytes, *, actor: User, dry_run: bool, now: datetime) -> dict:
    """Accounts from the union's own list (.xlsx or .csv: họ tên, số điện thoại, đơn vị by
    code or name, vai trò). Each row is checked on its own and answered {row, status,
    errors}; good rows are created (with a one-time code each) unless dry_run, bad ones
    skipped. A row whose phone already has the same account (unit and role) is
    `unchanged`, so importing the same sheet again creates nothing."""
    from ..problems import BAD_TEXT
    from .base.clock import local_today
    from .base.sheets import FORMULA, fold, read_table

    known = {name: key for key, names in IMPORT_COLUMNS.items() for name in names}
    table = read_table(data, max_rows=int(current_app.config["IMPORT_MAX_ROWS"]),
                       is_header=lambda cells: len({known[c] for c in cells if c in known}) >= 3)
    where = {}
    for key, names in IMPORT_COLUMNS.items():
        for i, heading in enumerate(table.header):
            if heading in names and key not in where:
                where[key] = i
    missing = [COLUMN_WORDS[k] for k in ("name", "phone", "unit", "role") if k not in where]
    if missing:
        raise Problem("import.missing_columns", say("import.columns",
                                                    missing=", ".join(missing)))
    by_code, by_name = _unit_index(local_today(now))
    existing = {u.phone: u for u in db.session.scalars(
        select(User).options(joinedload(User.unit)).where(User.phone.is_not(None)))}
    usernames = set(db.session.scalars(select(User.username)))
    seen: dict[str, int] = {}
    results, new_users = [], []
    for number, cells in table.rows:
        def cell(key, cells=cells):
            i = where[key]
            return cells[i] if i < len(cells) else ""

        errors: list[str] = []
        values, bad = {}, set()
        for key in ("name", "phone", "unit", "role"):
            value = cell(key)
            if value is FORMULA:
                errors.append(say("import.formula", column=COLUMN_WORDS[key]))
            elif BAD_TEXT.search(value):
                errors.append(say("import.bad_text", column=COLUMN_WORDS[key]))
            else:
                values[key] = value
                continue
            values[key] = ""
            bad.add(key)
        name, raw_phone = values["name"], values["phone"]
        if not name and "name" not in bad:
            errors.append(say("import.name_missing"))
        elif len(name) > 120:
            errors.append(say("import.name_too_long"))
        phone = normalise_phone(raw_phone) if raw_phone else None
        if not raw_phone and "phone" not in bad:
            errors.append(say("import.phone_missing"))
        elif raw_phone and phone is None:
            errors.append(say("import.phone_format", phone=raw_phone[:30]))
        elif phone in seen:
            errors.append(say("import.phone_repeated", phone=phone, row=seen[phone]))
        if phone and phone not in seen:
            seen[phone] = number
        role = None if "role" in bad else ROLE_WORDS.get(fold(values["role"]))
        if role is None and "role" not in bad:
            errors.append(say("import.role_unknown", role=values["role"][:40]))
        unit = _import_unit(values["unit"], by_code, by_name, actor, errors,
                            blank_ok="unit" in bad)
        if unit is not None and role is not None and unit.level not in ROLE_LEVELS[role]:
            errors.append(say("import.role_level", role=ROLE_NAMES[role], unit=unit.name,
                              level=unit.level))
        result = {"row": number, "status": "error", "errors": errors,
                  "username": phone, "display_name": name or None,
                  "unit": unit.code if unit else None, "role": role}
        results.append(result)
        if errors:
            continue
        other = existing.get(phone)
        if other is not None:
            if other.unit_id == unit.id and other.role == role:
                result["status"] = "unchanged"
            elif not actor.unit.contains(other.unit):  # no names from outside her subtree
                errors.append(say("import.phone_elsewhere", phone=phone))
            else:
                errors.append(say("import.phone_other", phone=phone, username=other.username,
                                  unit=other.unit.name, role=ROLE_NAMES[other.role]))
            continue
        if phone in usernames:
            errors.append(say("import.username_taken", username=phone))
            continue
        result["status"] = "new" if dry_run else "created"
        if not dry_run:
            user = User(username=phone, display_name=name, role=role, unit=unit, phone=phone,
                        active=True, incident_reviewer=False,
                        password_hash=NO_PASSWORD + secrets.token_hex(8))
            code, expires = issue_sign_in_code(user, actor=None, now=now)
            result["sign_in_code"] = {"code": code, "expires_at": iso(expires)}
            new_users.append(user)
    if new_users:
        try:
            with db.session.begin_nested():  # another import of the same people, just now
                db.session.add_all(new_users)
                db.session.flush()
        except IntegrityError:
            raise Problem("import.conflict") from None
        for user in new_users:
            admin_audit(actor, "created", user=user, after=f"{user.role} {user.unit.code}")
        db.session.flush()
    summary = {status: sum(r["status"] == status for r in results)
               for status in ("new", "created", "unchanged", "error")}
    return {"dry_run": dry_run, "rows": results, "summary": summary}


def _import_unit(text: str, by_code: dict, by_name: dict, actor: User, errors: list,
                 *, blank_ok: bool) -> Unit | None:
    from .base.sheets import fold

    if not text:
        if not blank_ok:
            errors.append(say("import.unit_missing"))
        return None
    unit = by_code.get(text.strip())
    if unit is None:
        found = by_name.get(fold(text), [])
        mine = [u for u in found if actor.unit.contains(u)]
        if len(mine) == 1 or (len(found) == 1 and not mine):
            unit = (mine or found)[0]
        elif len(mine) > 1:
            errors.append(say("import.unit_ambiguous", unit=text[:60],
                              codes=", ".join(u.code for u in mine)))
            return None
    if unit is None:
        errors.append(say("import.unit_unknown", unit=text[:60]))
        return None
    if not actor.unit.contains(unit):
        errors.append(say("import.unit_out_of_scope", unit=unit.name))
        return None
    return unit
