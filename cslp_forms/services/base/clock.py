"""The union's local calendar: "today" is a date in Asia/Ho_Chi_Minh, not in UTC."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from ...models.types import utcnow


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(local_zone()).date()
