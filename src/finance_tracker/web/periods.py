"""Months and date ranges as the pages take them from a URL: `?month=2026-03`, default ranges."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from finance_tracker.domain.ledger import EARLIEST_DATE, LATEST_DATE
from finance_tracker.domain.text import Text
from finance_tracker.web import i18n

MONTH_FORMAT = re.compile(r"^(\d{4})-(\d{2})$")
BAD_MONTH = Text("enter a month like 2026-03")


def parse_month(text: str | None) -> dt.date | None:
    """'2026-03' -> 2026-03-01; None for anything else (or a month no transaction can have)."""
    match = MONTH_FORMAT.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    month = dt.date(int(match.group(1)), int(match.group(2)), 1)
    return month if EARLIEST_DATE <= month <= LATEST_DATE else None


def month_key(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_name(month: dt.date) -> str:
    """'March 2026', 'März 2026': in the reader's locale."""
    return i18n.month_name(month)


def short_month(month: dt.date) -> str:
    """'Mar 2026', 'März 2026', for chart axes."""
    return i18n.short_month(month)


def shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def end_of_month(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def this_month(today: dt.date) -> tuple[dt.date, dt.date]:
    return today.replace(day=1), end_of_month(today)


def last_twelve_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The eleven whole months before this one and this month to its end."""
    return shift(today.replace(day=1), -11), end_of_month(today)
