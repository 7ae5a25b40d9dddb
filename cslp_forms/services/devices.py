"""Device health (issue 18): each phone reports, with each sync and when it opens online,
how many records it holds in each state and how old the oldest is, when it last synced,
whether its storage is persistent, and push; a supervisor sees the phones of her subtree,
riskiest first, and nudges an officer with the one thing to do.

A report carries counts, ages and technical facts only (schemas/devices.py refuses any
other key): no answer, title or record id ever leaves the phone in it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import DEVICE_BUCKETS, DEVICE_RISKS, DeviceHealth, User
from ..problems import Problem
from .base.clock import local_today
from .base.sql import insert_ignoring_conflict
from .base.units import in_subtree
from .records.notices import notify

DAY = 86400
# Unsent work (drafts, the queue, conflicts) this old is at risk on a cheap phone.
UNSENT_OLD_DAYS = 3
NO_SYNC_DAYS = 14
# A phone that has not reported for this long is no longer listed (lost, replaced).
AGE_OUT_DAYS = 60
UNSENT = ("draft", "queued", "conflict")
TO_FIX = ("rejected", "returned")


def report(user: User, data: dict, *, now: datetime) -> DeviceHealth:
    """Store this device's report, replacing its last one (the same report twice is the
    same row: idempotent per device and user)."""
    db.session.execute(insert_ignoring_conflict(DeviceHealth, {
        "device_id": data["device_id"], "user_id": user.id, "records": {}, "facts": {},
        "received_at": now}, key=["device_id", "user_id"]))
    row = db.session.scalar(select(DeviceHealth).where(
        DeviceHealth.device_id == data["device_id"], DeviceHealth.user_id == user.id))
    row.app_version = data["app_version"]
    row.records = {b: data["records"][b] for b in DEVICE_BUCKETS}
    row.last_sync_age_seconds = data["last_sync_age_seconds"]
    row.facts = {**data["storage"], "background_sync": data["background_sync"],
                 "push_available": data["push"]["available"],
                 "push_subscribed": data["push"]["subscribed"],
                 "browser": data["browser"], "os": data["os"]}
    row.received_at = now
    db.session.flush()
    return row


def _days(age_seconds: int | None, since: float) -> float | None:
    return None if age_seconds is None else round((age_seconds + since) / DAY, 1)


def assess(row: DeviceHealth, *, now: datetime, current_version: str | None) -> dict:
    """The device as a supervisor reads it: ages as of now, and its risks, riskiest
    first (the order of DEVICE_RISKS)."""
    since = max((now - row.received_at).total_seconds(), 0)
    records = {b: {"count": int((row.records.get(b) or {}).get("count", 0)),
                   "age_days": _days((row.records.get(b) or {}).get("age_seconds"), since)}
               for b in DEVICE_BUCKETS}
    last_sync = _days(row.last_sync_age_seconds, since)
    facts = row.facts or {}
    held = sum(records[b]["count"] for b in (*UNSENT, *TO_FIX))
    risk = []
    if any(records[b]["count"] and (records[b]["age_days"] or 0) >= UNSENT_OLD_DAYS
           for b in UNSENT):
        risk.append("unsent_old")
    if any(records[b]["count"] for b in TO_FIX):
        risk.append("rejected_unfixed")
    if held and facts.get("persisted") is False:
        risk.append("storage_not_persisted")
    if last_sync is None or last_sync >= NO_SYNC_DAYS:
        risk.append("no_sync_14d")
    same = bool(current_version) and row.app_version == current_version
    if current_version and row.app_version and not same:
        risk.append("stale_app")
    unit = row.user.unit
    return {
        "device_id": row.device_id,
        "user": {"username": row.user.username, "display_name": row.user.display_name},
        "unit": {"code": unit.code, "name": unit.name,
                 "parent": unit.parent.name if unit.parent else None},
        "app_version": row.app_version, "current_version": same,
        "records": records, "last_sync_days": last_sync, "reported_at": row.received_at,
        "storage": {k: facts.get(k) for k in ("persisted", "quota", "usage")},
        "background_sync": bool(facts.get("background_sync")),
        "push": {"available": bool(facts.get("push_available")),
                 "subscribed": bool(facts.get("push_subscribed"))},
        "browser": facts.get("browser"), "os": facts.get("os"), "risk": risk,
    }


def _riskiest_first(device: dict):
    ranks = [DEVICE_RISKS.index(r) for r in device["risk"]] or [len(DEVICE_RISKS)]
    unsent = sum(device["records"][b]["count"] for b in (*UNSENT, *TO_FIX))
    return (min(ranks), -len(ranks), -unsent, device["user"]["username"])


def devices_of(root, *, now: datetime, current_version: str | None) -> list[dict]:
    """The devices of the accounts in `root`'s subtree that reported in the last
    AGE_OUT_DAYS, riskiest first."""
    rows = db.session.scalars(
        select(DeviceHealth).join(User, User.id == DeviceHealth.user_id).where(
            in_subtree(root, User.unit_id), User.active,
            DeviceHealth.received_at >= now - timedelta(days=AGE_OUT_DAYS))).all()
    return sorted((assess(r, now=now, current_version=current_version) for r in rows),
                  key=_riskiest_first)


# The nudge's text: the one thing to do about the riskiest thing on her phone.
MESSAGES = {
    "rejected_unfixed": "Có {n} phiếu bị từ chối hoặc trả lại chưa sửa: mở ứng dụng, sửa "
                        "và gửi lại.",
    "unsent_old": "Có {n} phiếu chưa gửi từ {days} ngày trước: mở ứng dụng khi có mạng và "
                  "bấm “Gửi ngay”.",
    "storage_not_persisted": "Trình duyệt có thể xóa phiếu chưa gửi: hãy gửi ngay, và cài "
                             "ứng dụng vào màn hình chính.",
    "no_sync_14d": "Máy chưa đồng bộ {days} ngày: mở ứng dụng khi có mạng.",
    "stale_app": "Ứng dụng trên máy đã cũ: mở ứng dụng khi có mạng để cập nhật.",
}


def nudge_text(device: dict) -> str:
    """What to do, in her words, for the riskiest thing on this device."""
    records = device["records"]
    first = device["risk"][0]
    if first == "rejected_unfixed":
        return MESSAGES[first].format(n=sum(records[b]["count"] for b in TO_FIX))
    if first == "unsent_old":
        days = max(int(records[b]["age_days"] or 0) for b in UNSENT if records[b]["count"])
        return MESSAGES[first].format(n=sum(records[b]["count"] for b in UNSENT), days=days)
    if first == "no_sync_14d":
        return MESSAGES[first].format(days=int(device["last_sync_days"] or NO_SYNC_DAYS))
    return MESSAGES[first]


def nudge(*, actor: User, username: str, now: datetime,
          current_version: str | None) -> tuple[int, str]:
    """Remind an officer of her subtree what her phone holds (push and in-app), at most
    once a day: (notices made now, the text)."""
    officer = db.session.scalar(select(User).where(User.username == username))
    if officer is None or not officer.active:
        raise Problem("user.not_found")
    if not actor.unit.contains(officer.unit):
        raise Problem("scope.forbidden")
    mine = [d for d in devices_of(officer.unit, now=now, current_version=current_version)
            if d["user"]["username"] == username and d["risk"]]
    if not mine:
        raise Problem("device.nothing_at_risk")
    text = nudge_text(mine[0])
    made = notify([officer.id], kind="nudge", now=now,
                  key=f"device-nudge:{local_today(now).isoformat()}",
                  title="Nhắc từ cấp trên: máy của chị", body=text, url="/#/",
                  tag="device-health")
    return len(made), text
