"""Schedules of recurring transactions: daily, weekly, every N weeks, monthly, yearly.

A monthly schedule on the 31st (or `LAST_DAY`) falls on each month's last day when the month is
shorter; a yearly one on 29 February falls on the 28th in other years.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from finance_tracker.domain.text import Text

LAST_DAY = -1
MAX_INTERVAL = 366
MAX_COUNT = 10_000


class Frequency(StrEnum):
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    yearly = "yearly"


class ScheduleError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class Schedule:
    frequency: Frequency
    start: dt.date
    interval: int = 1
    day_of_month: int | None = None  # monthly only: 1..31 or LAST_DAY; default: the start's day
    end: dt.date | None = None
    max_count: int | None = None

    def __post_init__(self) -> None:
        if self.frequency not in Frequency.__members__.values():
            raise ScheduleError("frequency", Text("choose daily, weekly, monthly or yearly"))
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise ScheduleError(
                "interval",
                Text("repeat every 1 to %(count)s periods", count=MAX_INTERVAL),
            )
        if self.day_of_month is not None:
            if self.frequency is not Frequency.monthly:
                raise ScheduleError(
                    "day_of_month", Text("a day of the month is for monthly schedules")
                )
            if self.day_of_month != LAST_DAY and not 1 <= self.day_of_month <= 31:
                raise ScheduleError(
                    "day_of_month", Text("day of month is 1 to 31, or the last day")
                )
        if self.end is not None and self.end < self.start:
            raise ScheduleError("end_date", Text("the end date is before the start date"))
        if self.max_count is not None and not 1 <= self.max_count <= MAX_COUNT:
            raise ScheduleError("max_count", Text("the count is 1 to %(count)s", count=MAX_COUNT))


def _in_month(year: int, month: int, day: int) -> dt.date:
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last if day == LAST_DAY else min(day, last))


def _nth(schedule: Schedule, n: int) -> dt.date:
    start, step = schedule.start, schedule.interval * n
    if schedule.frequency is Frequency.daily:
        return start + dt.timedelta(days=step)
    if schedule.frequency is Frequency.weekly:
        return start + dt.timedelta(weeks=step)
    if schedule.frequency is Frequency.monthly:
        index = start.year * 12 + start.month - 1 + step
        return _in_month(index // 12, index % 12 + 1, schedule.day_of_month or start.day)
    return _in_month(start.year + step, start.month, start.day)


def occurrences(schedule: Schedule, until: dt.date) -> Iterator[dt.date]:
    """Every date from the start up to `until` inclusive, within the end date and the count."""
    n = 0
    while schedule.max_count is None or n < schedule.max_count:
        day = _nth(schedule, n)
        n += 1
        if day < schedule.start:  # a monthly "day 5" schedule starting on the 20th
            continue
        if day > until or (schedule.end is not None and day > schedule.end):
            return
        yield day


def next_after(schedule: Schedule, day: dt.date) -> dt.date | None:
    """The first occurrence strictly after `day`, or None when the schedule has ended."""
    horizon = day + dt.timedelta(days=366 * schedule.interval + 31)
    for occurrence in occurrences(schedule, horizon):
        if occurrence > day:
            return occurrence
    return None
