"""Reporting periods: a month, a quarter, six or nine months, or a year, either on the
calendar or on the union's cut-off (the 15th of the month before to the 14th, as in ND
09/2019: the 2024 year runs 15/12/2023 to 14/12/2024)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from ...problems import invalid

# period text -> (first month, last month)
_SPANS = {"year": (1, 12), "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12),
          "H1": (1, 6), "9M": (1, 9)}
_LABELS = {"year": "Năm {y}", "Q1": "Quý I/{y}", "Q2": "Quý II/{y}", "Q3": "Quý III/{y}",
           "Q4": "Quý IV/{y}", "H1": "6 tháng đầu năm {y}", "9M": "9 tháng năm {y}"}
# The union's month starts on this day of the month before (ND 09/2019).
CUTOFF_DAY = 15
PERIOD_PATTERN = r"^(year|Q[1-4]|H1|9M|(?:[0-9]{4}-)?(?:0[1-9]|1[0-2]))$"
EXPORT_PATTERN = r"^[0-9]{4}(-(Q[1-4]|H1|9M|0[1-9]|1[0-2]))?$"


@dataclass(frozen=True)
class Period:
    key: str            # "year", "Q4", "2024-11", …
    year: int
    first_month: int
    last_month: int
    union_cutoff: bool
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.first_month == self.last_month and self.key not in _SPANS:
            text = f"Tháng {self.first_month:02d}/{self.year}"
        else:
            text = _LABELS[self.key].format(y=self.year)
        if self.union_cutoff:
            text += f" (số liệu {self.start:%d/%m/%Y} – {self.end:%d/%m/%Y})"
        return text

    def months(self) -> list[str]:
        """The months of the period, as 'YYYY-MM' (cut-off months when on the cut-off)."""
        return [f"{self.year}-{m:02d}" for m in range(self.first_month, self.last_month + 1)]

    def month_start(self, month: str) -> date:
        """The first day that counts for a month of this period."""
        year, m = map(int, month.split("-"))
        return cutoff_start(year, m) if self.union_cutoff else date(year, m, 1)

    def month_end(self, month: str) -> date:
        """The last day that counts for a month of this period."""
        year, m = map(int, month.split("-"))
        return date(year, m, CUTOFF_DAY - 1) if self.union_cutoff else month_end(year, m)

    def to_dict(self) -> dict:
        return {"key": self.key, "year": self.year, "from": self.start.isoformat(),
                "to": self.end.isoformat(), "union_cutoff": self.union_cutoff,
                "label": self.label, "months": self.months()}


def month_end(year: int, month: int) -> date:
    """The last day of a calendar month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def cutoff_start(year: int, month: int) -> date:
    """The first day of a cut-off month: the 15th of the month before."""
    return date(year - 1, 12, CUTOFF_DAY) if month == 1 else date(year, month - 1, CUTOFF_DAY)


def cutoff_period(day: date) -> str:
    """The cut-off month a day counts for, 'YYYY-MM': from the 15th on, a day counts for
    the next month (15/12/2024 is in January 2025)."""
    if day.day < CUTOFF_DAY:
        return day.strftime("%Y-%m")
    if day.month == 12:
        return f"{day.year + 1}-01"
    return f"{day.year}-{day.month + 1:02d}"


def make_period(year: int, key: str | None = None, *, union_cutoff: bool = False) -> Period:
    """`key`: year (default), Q1–Q4, H1, 9M, a month 'MM' or 'YYYY-MM' of that year."""
    key = key or "year"
    if not re.match(PERIOD_PATTERN, key):
        raise invalid("period", "field.invalid", "period.format")
    if key in _SPANS:
        first, last = _SPANS[key]
    else:
        if "-" in key:
            given_year, month = map(int, key.split("-"))
            if given_year != year:
                raise invalid("period", "field.invalid", "period.other_year")
        else:
            month = int(key)
        first = last = month
        key = f"{year}-{month:02d}"
    if union_cutoff:
        start = cutoff_start(year, first)
        end = date(year, last, CUTOFF_DAY - 1)
    else:
        start = date(year, first, 1)
        end = month_end(year, last)
    return Period(key, year, first, last, union_cutoff, start, end)


def parse_export_period(text: str | None, *, union_cutoff: bool = False) -> Period | None:
    """An export's period: '2024', '2024-Q4', '2024-H1', '2024-9M' or '2024-11'."""
    if not text:
        return None
    year, _, rest = text.partition("-")
    key = rest if not rest or rest in _SPANS else f"{year}-{rest}"
    return make_period(int(year), key, union_cutoff=union_cutoff)
