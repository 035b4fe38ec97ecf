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
    split_line_amount,
    split_line_entry,
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


def test_a_split_needs_two_lines_none_of_them_zero():
    with pytest.raises(LedgerError, match="at least two"):
        check_splits(100, [SplitLine(1, 100)])
    with pytest.raises(LedgerError, match="other than zero"):
        check_splits(100, [SplitLine(1, 100), SplitLine(2, 0)])


def test_a_payslip_split_has_a_line_against_its_direction_stored_as_spending():
    """1,500 salary less 300 tax is an income of 1,200: the tax line is spending on taxes."""
    lines = [SplitLine(1, 150_000), SplitLine(2, -30_000)]
    assert check_splits(120_000, lines) == lines
    assert split_line_entry(TransactionKind.income, 150_000) == (TransactionKind.income, 150_000)
    assert split_line_entry(TransactionKind.income, -30_000) == (TransactionKind.expense, -30_000)
    assert split_line_entry(TransactionKind.expense, 8_000) == (TransactionKind.expense, -8_000)
    assert split_line_entry(TransactionKind.expense, -500) == (TransactionKind.income, 500)
    assert split_line_amount("income", -30_000) == -30_000
    assert split_line_amount("expense", 500) == -500


def test_dates_out_of_range_are_refused():
    assert check_date(dt.date(2026, 11, 25)) == dt.date(2026, 11, 25)
    for bad in (dt.date(1800, 1, 1), dt.date(2500, 1, 1)):
        with pytest.raises(LedgerError, match="between"):
            check_date(bad)
