"""Budget arithmetic: available = budgeted + carried over; remaining = available - spent.

With rollover, what is left at the end of a month (or overspent, as a negative) carries into the
next month's budget of the same category, for as long as each month keeps rollover on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MonthBudget:
    month: dt.date
    budgeted_minor: int
    rollover: bool


@dataclass(frozen=True, slots=True)
class BudgetLine:
    budgeted_minor: int
    carried_minor: int
    spent_minor: int

    @property
    def available_minor(self) -> int:
        return self.budgeted_minor + self.carried_minor

    @property
    def remaining_minor(self) -> int:
        return self.available_minor - self.spent_minor

    @property
    def over_budget(self) -> bool:
        return self.remaining_minor < 0


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def line_for(
    month: dt.date, history: dict[dt.date, MonthBudget], spent: dict[dt.date, int]
) -> BudgetLine:
    """The line of `month`. A month whose budget rolls over hands its remainder to the next
    month, so walk back through the unbroken run of rolling months before this one."""
    chain = [month]
    earlier = previous_month(month)
    while earlier in history and history[earlier].rollover:
        chain.append(earlier)
        earlier = previous_month(earlier)
    carried = 0
    line = BudgetLine(0, 0, 0)
    for day in reversed(chain):
        budgeted = history[day].budgeted_minor if day in history else 0
        line = BudgetLine(budgeted, carried, spent.get(day, 0))
        carried = line.remaining_minor
    return line
