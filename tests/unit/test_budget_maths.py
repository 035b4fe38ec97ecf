"""Budget vs actual with rollover of unspent or overspent amounts."""

import datetime as dt

from finance_tracker.domain.budgets import MonthBudget, line_for

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


def test_without_rollover_each_month_stands_alone():
    history = {JAN: MonthBudget(JAN, 300, False), FEB: MonthBudget(FEB, 300, False)}
    line = line_for(FEB, history, {JAN: 100, FEB: 350})
    assert (line.available_minor, line.remaining_minor, line.over_budget) == (300, -50, True)


def test_unspent_and_overspent_amounts_roll_into_the_next_month():
    history = {
        JAN: MonthBudget(JAN, 300, True),
        FEB: MonthBudget(FEB, 300, True),
        MAR: MonthBudget(MAR, 300, False),
    }
    spent = {JAN: 100, FEB: 600, MAR: 50}
    assert line_for(JAN, history, spent).carried_minor == 0
    feb = line_for(FEB, history, spent)
    assert (feb.carried_minor, feb.available_minor, feb.remaining_minor) == (200, 500, -100)
    mar = line_for(MAR, history, spent)
    assert (mar.carried_minor, mar.available_minor, mar.remaining_minor) == (-100, 200, 150)
    assert not mar.over_budget


def test_a_gap_month_without_budget_still_carries_when_the_month_before_rolls():
    history = {JAN: MonthBudget(JAN, 300, True), MAR: MonthBudget(MAR, 300, False)}
    feb = line_for(FEB, history, {FEB: 50})
    assert (feb.budgeted_minor, feb.carried_minor, feb.remaining_minor) == (0, 300, 250)
    assert line_for(MAR, history, {}).carried_minor == 0  # February did not roll over
