"""The admin audit: every change an administrator makes to an account, the year's plan,
a deadline rule or (later) a form version, in the append-only account_audit table.
Services of any tier above write here; GET /api/audit/admin reads it."""

from __future__ import annotations

import json

from sqlalchemy import select

from ...extensions import db
from ...models import AccountAudit, User
from ...models.types import iso


def _text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def admin_audit(actor: User | None, change: str, *, user: User | None = None,
                target: str | None = None, before=None, after=None) -> None:
    """One change: to an account (`user`) or to another thing (`target`, "kind:key").
    Values that are not text are written as JSON. Never a password or a code."""
    db.session.add(AccountAudit(actor_id=actor.id if actor else None,
                                user_id=user.id if user else None, target=target,
                                change=change, before=_text(before), after=_text(after)))


def target_of(entry: AccountAudit) -> str:
    return entry.target or f"user:{entry.user.username}"


def search_admin_audit(*, target: str | None = None, kind: str | None = None,
                       actor: str | None = None, from_=None, to=None,
                       limit: int = 200) -> list[dict]:
    """Newest first. `target` is what target_of() names ("user:lan", "rule:monthly"), or
    the start of one other than a user ("target:2026/"); `kind` its part before the
    colon."""
    query = select(AccountAudit).order_by(AccountAudit.id.desc()).limit(limit)
    if target:
        kind_, _, key = target.partition(":")
        if kind_ == "user" and key:
            query = query.where(AccountAudit.user_id.in_(
                select(User.id).where(User.username == key.strip().lower())))
        else:  # a target, or the start of one ("target:2026/", "rule:")
            query = query.where(AccountAudit.target.startswith(target, autoescape=True))
    if kind == "user":
        query = query.where(AccountAudit.user_id.is_not(None))
    elif kind:
        query = query.where(AccountAudit.target.like(f"{kind}:%"))
    if actor:
        query = query.where(AccountAudit.actor_id.in_(
            select(User.id).where(User.username == actor.strip().lower())))
    if from_ is not None:
        query = query.where(AccountAudit.at >= from_)
    if to is not None:
        query = query.where(AccountAudit.at <= to)
    return [{"at": iso(e.at), "actor": e.actor.username if e.actor else None,
             "action": e.change, "target": target_of(e), "before": e.before,
             "after": e.after} for e in db.session.scalars(query)]
