"""Money as integer minor units plus an ISO 4217 code. Never a float.

Parsing refuses more decimals than the currency has: 12.345 EUR is an error, not a rounding.
Rounding, where a computation needs it, is explicit (`round_half_even`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

from finance_tracker.domain.text import Text

# Larger than any real balance, small enough for a signed 64-bit column after summing a lifetime.
MAX_ABS_MINOR = 10**15


class MoneyError(ValueError):
    """An amount or currency a user gave cannot be used; the message says why."""


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def normalise_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if len(code) != 3 or code not in known_currencies():
        raise MoneyError(
            Text(
                "unknown currency %(value)r: use an ISO 4217 code like EUR", value=code or "(empty)"
            )
        )
    return code


@cache
def minor_digits(currency: str) -> int:
    return get_currency_precision(normalise_currency(currency))


def parse_amount(value: str | int | Decimal, currency: str) -> int:
    """'12.30' EUR -> 1230. Refuses floats, non-numbers and more decimals than the currency has."""
    if isinstance(value, (bool, float)):
        raise MoneyError(Text("amount must be given as a decimal string, not a float"))
    digits = minor_digits(currency)
    try:
        number = Decimal(value.strip().replace(" ", "") if isinstance(value, str) else value)
    except (InvalidOperation, AttributeError):
        raise MoneyError(Text("%(value)r is not a number", value=value)) from None
    if not number.is_finite():
        raise MoneyError(Text("%(value)r is not a number", value=value))
    try:
        scaled = number.scaleb(digits)
    except ArithmeticError:  # 1e999999 overflows the Decimal context
        raise MoneyError(Text("amount is too large")) from None
    if scaled != scaled.to_integral_value():
        raise MoneyError(
            Text(
                "%(currency)s amounts have at most %(digits)s decimal places",
                currency=currency,
                digits=digits,
            )
        )
    # Compare before int(): turning 1e999990 into an int takes half a minute of CPU.
    if abs(scaled) >= MAX_ABS_MINOR:
        raise MoneyError(Text("amount is too large"))
    return int(scaled)


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_digits(currency))


def format_plain(minor: int, currency: str) -> str:
    """1230 EUR -> '12.30': the exchange format of the API and CSV files."""
    digits = minor_digits(currency)
    return f"{to_decimal(minor, currency):.{digits}f}"


def format_display(minor: int, currency: str, locale: str = "en_US") -> str:
    return format_currency(to_decimal(minor, currency), currency, locale=locale)


def round_half_even(value: Decimal, currency: str) -> int:
    """The one explicit rounding: a computed Decimal amount to minor units, banker's rounding."""
    return int(value.scaleb(minor_digits(currency)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise MoneyError(
                Text(
                    "cannot add %(added)s to %(currency)s",
                    added=other.currency,
                    currency=self.currency,
                )
            )
        return Money(self.minor + other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    @property
    def plain(self) -> str:
        return format_plain(self.minor, self.currency)

    def display(self, locale: str = "en_US") -> str:
        return format_display(self.minor, self.currency, locale)


def totals_by_currency(amounts: list[Money]) -> dict[str, Money]:
    """Sum amounts per currency; we never convert between currencies silently."""
    totals: dict[str, Money] = {}
    for amount in amounts:
        totals[amount.currency] = totals.get(amount.currency, Money(0, amount.currency)) + amount
    return totals
