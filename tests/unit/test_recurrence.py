"""Schedules: the dates a recurring transaction falls on."""

import datetime as dt

import pytest

from finance_tracker.domain.recurrence import (
    LAST_DAY,
    Frequency,
    Schedule,
    ScheduleError,
    next_after,
    occurrences,
)

D = dt.date


def dates(schedule, until):
    return list(occurrences(schedule, until))


def test_daily_and_every_n_days():
    assert dates(Schedule(Frequency.daily, D(2026, 1, 30), interval=2), D(2026, 2, 5)) == [
        D(2026, 1, 30), D(2026, 2, 1), D(2026, 2, 3), D(2026, 2, 5),
    ]  # fmt: skip


def test_every_two_weeks_keeps_the_weekday():
    got = dates(Schedule(Frequency.weekly, D(2026, 11, 6), interval=2), D(2026, 12, 31))
    assert got == [D(2026, 11, 6), D(2026, 11, 20), D(2026, 12, 4), D(2026, 12, 18)]
    assert {d.weekday() for d in got} == {4}


def test_monthly_on_the_31st_falls_on_shorter_months_last_day():
    got = dates(Schedule(Frequency.monthly, D(2026, 1, 31)), D(2026, 5, 31))
    assert got == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31)]


def test_monthly_on_the_last_day():
    got = dates(Schedule(Frequency.monthly, D(2028, 1, 15), day_of_month=LAST_DAY), D(2028, 3, 31))
    assert got == [D(2028, 1, 31), D(2028, 2, 29), D(2028, 3, 31)]


def test_monthly_on_a_day_before_the_start_begins_next_month():
    got = dates(Schedule(Frequency.monthly, D(2026, 1, 20), day_of_month=5), D(2026, 3, 31))
    assert got == [D(2026, 2, 5), D(2026, 3, 5)]


def test_yearly_on_29_february():
    got = dates(Schedule(Frequency.yearly, D(2024, 2, 29)), D(2028, 12, 31))
    assert got == [D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28), D(2027, 2, 28), D(2028, 2, 29)]


def test_end_date_and_count_stop_the_schedule():
    assert dates(Schedule(Frequency.monthly, D(2026, 1, 1), end=D(2026, 3, 15)), D(2027, 1, 1)) == [
        D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1),
    ]  # fmt: skip
    assert len(dates(Schedule(Frequency.weekly, D(2026, 1, 1), max_count=3), D(2030, 1, 1))) == 3
    assert next_after(Schedule(Frequency.daily, D(2026, 1, 1), max_count=2), D(2026, 1, 2)) is None
    assert next_after(Schedule(Frequency.monthly, D(2026, 1, 31)), D(2026, 2, 1)) == D(2026, 2, 28)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"interval": 0}, "interval"),
        ({"interval": 1000}, "interval"),
        ({"day_of_month": 32, "frequency": Frequency.monthly}, "day_of_month"),
        ({"day_of_month": 5, "frequency": Frequency.weekly}, "day_of_month"),
        ({"end": D(2025, 1, 1)}, "end_date"),
        ({"max_count": 0}, "max_count"),
    ],
)
def test_invalid_schedules_say_which_part_is_wrong(kwargs, field):
    values = {"frequency": Frequency.monthly, "start": D(2026, 1, 1), **kwargs}
    with pytest.raises(ScheduleError) as caught:
        Schedule(**values)
    assert caught.value.field == field
