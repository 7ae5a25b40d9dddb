"""Notices: stored once per dedupe key (the in-app list, and the push queue), the push
woken once the transaction that made them has committed. Texts are written for a phone's
lock screen: never a survivor's details."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ...extensions import db
from ...models import REVIEWER_ROLES, Notification, Submission, User
from ...models.types import utcnow
from ..base import push
from ..base.effects import after_commit
from ..base.sql import insert_ignoring_conflict

FORM_NAMES = {"activity": "hoạt động", "model_group": "mô hình", "incident": "vụ việc",
              "report": "kế hoạch, báo cáo", "incident_entry": "theo dõi vụ việc",
              "model_group_entry": "ghi nhận mô hình"}


def notify(user_ids, *, kind: str, key: str, title: str, body: str, url: str, tag: str,
           now=None) -> list[int]:
    """Store one notification per user (once per `key`); returns the ids made now. They
    are pushed after the commit, outside the request (services/base/push.py)."""
    made = []
    for user_id in set(user_ids):
        row = db.session.execute(insert_ignoring_conflict(Notification, {
            "user_id": user_id, "kind": kind, "dedupe_key": f"{key}:{user_id}",
            "title": title[:120], "body": body[:300], "url": url, "tag": tag,
            "created_at": now or utcnow(), "push_attempts": 0}, key=["dedupe_key"])).first()
        if row is not None:
            made.append(db.session.scalar(select(Notification.id).where(
                Notification.dedupe_key == f"{key}:{user_id}")))
    if made:
        after_commit(push.wake)
    return made


def tell_author(submission: Submission, status: str, revision: int, actor: User,
                now: datetime) -> None:
    """A return, or the final approval, reaches the officer's phone."""
    what = FORM_NAMES.get(submission.form, "")
    if status == "returned":
        notify([submission.author_id], kind="returned", now=now,
               key=f"returned:{submission.uuid}:{revision}",
               title="Phiếu bị trả lại để sửa",
               body=f"Phiếu {what} ngày {submission.record_date:%d/%m/%Y} được "
                    f"{actor.unit.name} trả lại. Mở để xem ý kiến và sửa.",
               url=f"/#/edit/{submission.uuid}", tag=f"record-{submission.uuid}")
    elif status == "approved":
        notify([submission.author_id], kind="approved", now=now,
               key=f"approved:{submission.uuid}:{revision}",
               title="Phiếu đã được duyệt",
               body=f"Phiếu {what} ngày {submission.record_date:%d/%m/%Y} đã được duyệt.",
               url=f"/#/record/{submission.uuid}", tag=f"record-{submission.uuid}")


def alert_urgent(submission: Submission, now: datetime) -> None:
    """A new or updated incident marked immediate danger: the supervisors of the unit it
    waits for are told at once (no details: the unit and that it is urgent)."""
    if submission.awaiting_unit_id is None:
        return
    reviewers = db.session.scalars(select(User.id).where(
        User.unit_id == submission.awaiting_unit_id, User.active,
        User.role.in_(REVIEWER_ROLES))).all()
    notify(reviewers, kind="urgent", now=now, key=f"urgent:{submission.uuid}",
           title="Vụ việc khẩn cấp mới",
           body=f"{submission.unit.name}: một vụ việc có nguy hiểm tức thời cần xử lý ngay.",
           url=f"/#/review/{submission.uuid}", tag=f"urgent-{submission.uuid}")
