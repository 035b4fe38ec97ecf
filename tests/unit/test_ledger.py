"""Ledger rules: signs by kind, split lines, valid dates."""

import datetime as dt

import pytest

from finance_tracker.domain.ledger import (
    LedgerError,
    SplitLine,
    TransactionKind,
    check_date,
    check_splits,
    signed,
)


def test_income_is_positive_and_expense_negative():
    assert signed(TransactionKind.income, 500) == 500
    assert signed(TransactionKind.expense, 500) == -500


def test_zero_or_negative_entered_amounts_are_refused():
    with pytest.raises(LedgerError, match="greater than zero"):
        signed(TransactionKind.expense, 0)


def test_split_lines_must_add_up_to_the_total():
    lines = [SplitLine(1, 700), SplitLine(2, 300)]
    assert check_splits(1000, lines) == lines
    with pytest.raises(LedgerError, match="add up"):
        check_splits(1001, lines)


def test_a_split_needs_two_positive_lines():
    with pytest.raises(LedgerError, match="at least two"):
        check_splits(100, [SplitLine(1, 100)])
    with pytest.raises(LedgerError, match="greater than zero"):
        check_splits(100, [SplitLine(1, 150), SplitLine(2, -50)])


def test_dates_out_of_range_are_refused():
    assert check_date(dt.date(2026, 11, 25)) == dt.date(2026, 11, 25)
    for bad in (dt.date(1800, 1, 1), dt.date(2500, 1, 1)):
        with pytest.raises(LedgerError, match="between"):
            check_date(bad)
