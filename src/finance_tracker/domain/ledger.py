"""The rules of a ledger: account types, transaction kinds and signs, splits, valid dates.

Amounts are stored signed in the account's currency: money in is positive, money out negative.
A split transaction is a parent row plus one line per category; the lines carry the amounts that
balances and reports add up, so every sum runs over "leaf" rows only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from finance_tracker.domain.text import Text

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)


class AccountType(StrEnum):
    checking = "checking"
    savings = "savings"
    credit_card = "credit_card"
    cash = "cash"
    loan = "loan"
    investment = "investment"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class TransactionKind(StrEnum):
    income = "income"
    expense = "expense"
    transfer = "transfer"


class LedgerError(ValueError):
    """A transaction that breaks a ledger rule; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_date(value: dt.date, field: str = "date") -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise LedgerError(
            field,
            Text(
                "date must be between %(earliest)s and %(latest)s",
                earliest=EARLIEST_DATE,
                latest=LATEST_DATE,
            ),
        )
    return value


def signed(kind: TransactionKind, amount_minor: int) -> int:
    """Users enter positive amounts; the kind decides the sign. Transfers are signed per leg."""
    if amount_minor <= 0:
        raise LedgerError("amount", Text("amount must be greater than zero"))
    return amount_minor if kind is TransactionKind.income else -amount_minor


class Cleared(StrEnum):
    """Where a transaction stands against the bank: entered, seen by the bank (cleared), or
    matched to a statement (reconciled)."""

    uncleared = "uncleared"
    cleared = "cleared"
    reconciled = "reconciled"


@dataclass(frozen=True, slots=True)
class SplitLine:
    category_id: int | None
    # As entered, like the parent's amount: positive in the transaction's direction, negative
    # for a line against it (the tax withheld on a payslip, a refund within a purchase).
    amount_minor: int
    memo: str = ""


def check_splits(total_minor: int, lines: list[SplitLine]) -> list[SplitLine]:
    """A split needs two or more lines, none of them zero, that add up to the amount."""
    if len(lines) < 2:
        raise LedgerError("splits", Text("a split needs at least two lines"))
    for line in lines:
        if line.amount_minor == 0:
            raise LedgerError("splits", Text("every split line needs an amount other than zero"))
    if sum(line.amount_minor for line in lines) != total_minor:
        raise LedgerError("splits", Text("split lines must add up to the transaction amount"))
    return lines


def split_line_entry(kind: TransactionKind, amount_minor: int) -> tuple[TransactionKind, int]:
    """A split line as stored: signed for the account, and income or expense by that sign, so
    that a payslip's tax line counts as spending on taxes, not as less income."""
    stored = amount_minor if kind is TransactionKind.income else -amount_minor
    return (TransactionKind.income if stored > 0 else TransactionKind.expense), stored


def split_line_amount(kind: str, stored_minor: int) -> int:
    """The inverse: a stored line's amount as entered, in its transaction's direction."""
    return stored_minor if kind == TransactionKind.income.value else -stored_minor
