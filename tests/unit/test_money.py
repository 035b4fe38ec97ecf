"""Money is integer minor units plus a currency; parsing never rounds silently."""

from decimal import Decimal

import pytest

from finance_tracker.domain.money import (
    Money,
    MoneyError,
    format_display,
    format_plain,
    normalise_currency,
    parse_amount,
    round_half_even,
    totals_by_currency,
)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.30", "EUR", 1230),
        ("12.3", "EUR", 1230),
        ("0.01", "EUR", 1),
        ("-5", "USD", -500),
        ("1 000.50", "EUR", 100050),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        (Decimal("0.1"), "EUR", 10),
        (7, "EUR", 700),
    ],
)
def test_amounts_parse_to_exact_minor_units(text, currency, minor):
    assert parse_amount(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("12.345", "EUR", "at most 2 decimal places"),
        ("1.5", "JPY", "at most 0 decimal places"),
        ("twelve", "EUR", "is not a number"),
        ("NaN", "EUR", "is not a number"),
        ("Infinity", "EUR", "is not a number"),
        ("", "EUR", "is not a number"),
        ("1e16", "EUR", "too large"),
        ("1", "EURO", "unknown currency"),
        ("1", "ABC", "unknown currency"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(text, currency, message):
    with pytest.raises(MoneyError, match=message):
        parse_amount(text, currency)


def test_floats_are_refused_because_they_cannot_hold_cents_exactly():
    with pytest.raises(MoneyError, match="not a float"):
        parse_amount(0.1, "EUR")  # type: ignore[arg-type]


def test_currency_codes_are_normalised():
    assert normalise_currency(" eur ") == "EUR"


def test_formatting_round_trips_through_parsing():
    for minor in (0, 1, -1, 1230, -99999, 10**14):
        assert parse_amount(format_plain(minor, "EUR"), "EUR") == minor
    assert format_plain(1500, "JPY") == "1500"
    assert format_plain(1234, "KWD") == "1.234"
    assert format_display(-123456, "USD") == "-$1,234.56"


def test_rounding_is_explicit_and_bankers():
    assert round_half_even(Decimal("0.125"), "EUR") == 12
    assert round_half_even(Decimal("0.135"), "EUR") == 14


def test_money_refuses_to_add_different_currencies():
    assert Money(100, "EUR") + Money(50, "EUR") == Money(150, "EUR")
    with pytest.raises(MoneyError):
        Money(100, "EUR") + Money(50, "USD")


def test_totals_are_kept_per_currency():
    totals = totals_by_currency([Money(100, "EUR"), Money(5, "USD"), Money(-40, "EUR")])
    assert totals == {"EUR": Money(60, "EUR"), "USD": Money(5, "USD")}
