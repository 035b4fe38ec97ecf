"""Conversion maths: which rate a day gets, and totals rounded once, exactly as by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finance_tracker.domain.money import MoneyError
from finance_tracker.domain.rates import (
    ECB,
    MANUAL,
    TRANSFER,
    Converter,
    Rate,
    RateBook,
    parse_rate,
)

NOV = [dt.date(2026, 11, day) for day in range(1, 31)]


def test_a_day_takes_its_own_rate_or_the_closest_earlier_one_and_none_before_the_first() -> None:
    book = RateBook([Rate("EUR", "USD", NOV[2], Decimal("1.08"), ECB),
                     Rate("EUR", "USD", NOV[9], Decimal("1.10"), ECB)])  # fmt: skip
    assert book.find("EUR", "USD", NOV[0]) is None
    assert book.find("EUR", "USD", NOV[2]).factor == Decimal("1.08")  # type: ignore[union-attr]
    found = book.find("EUR", "USD", NOV[8])
    assert found is not None and found.factor == Decimal("1.08") and found.day == NOV[2]
    assert book.find("EUR", "USD", NOV[29]).factor == Decimal("1.10")  # type: ignore[union-attr]


def test_on_one_day_a_rate_typed_in_beats_the_ecb_which_beats_a_transfer() -> None:
    day = NOV[4]
    rates = [Rate("EUR", "USD", day, Decimal("1.20"), TRANSFER),
             Rate("EUR", "USD", day, Decimal("1.10"), ECB)]  # fmt: skip
    assert RateBook(rates).find("EUR", "USD", day).factor == Decimal("1.10")  # type: ignore[union-attr]
    rates.append(Rate("EUR", "USD", day, Decimal("1.05"), MANUAL))
    assert RateBook(rates).find("EUR", "USD", day).factor == Decimal("1.05")  # type: ignore[union-attr]


def test_rates_written_both_ways_round_on_one_day_the_better_source_wins_then_the_pair() -> None:
    day = NOV[3]
    book = RateBook([Rate("USD", "EUR", day, Decimal("0.5"), ECB),
                     Rate("EUR", "USD", day, Decimal("4"), MANUAL)])  # fmt: skip
    assert book.find("USD", "EUR", day).factor == Decimal("0.25")  # type: ignore[union-attr]
    book = RateBook([Rate("USD", "EUR", day, Decimal("0.5"), ECB),
                     Rate("EUR", "USD", day, Decimal("4"), ECB)])  # fmt: skip
    assert book.find("USD", "EUR", day).factor == Decimal("0.5")  # type: ignore[union-attr]
    assert book.find("EUR", "USD", day).factor == Decimal("4")  # type: ignore[union-attr]
    converter = Converter(book, "EUR")
    converter.add("x", 1000, "USD", NOV[7])  # the series path takes the same rate
    assert converter.total("x") == 500


def test_the_inverse_pair_serves_and_a_cross_rate_goes_through_the_euro() -> None:
    book = RateBook([Rate("EUR", "USD", NOV[0], Decimal("1.25"), ECB),
                     Rate("EUR", "GBP", NOV[1], Decimal("0.80"), ECB)])  # fmt: skip
    assert book.find("USD", "EUR", NOV[5]).factor == Decimal("0.8")  # type: ignore[union-attr]
    cross = book.find("USD", "GBP", NOV[5])
    assert cross is not None and cross.factor == Decimal("0.64")
    assert cross.day == NOV[0]  # the older of the two rates it was made of
    assert len(cross.rates) == 2


def test_a_total_is_rounded_once_not_per_amount() -> None:
    # 3 x 0.01 USD at 1 EUR = 3 USD: each is 0.0033 EUR (0.00 rounded), together 0.01 EUR.
    converter = Converter(RateBook([Rate("EUR", "USD", NOV[0], Decimal("3"), ECB)]), "EUR")
    for day in NOV[:3]:
        assert converter.add("month", 1, "USD", day)
    assert converter.total("month") == 1
    used = converter.rates_used()
    assert [(u.source, u.conversions, u.earlier_days) for u in used] == [("USD", 3, 2)]


def test_a_missing_rate_leaves_no_total_and_names_the_pair_and_first_day() -> None:
    converter = Converter(RateBook([Rate("EUR", "USD", NOV[9], Decimal("1.1"), ECB)]), "EUR")
    converter.add("month", 500, "EUR", NOV[0])
    assert not converter.add("month", 1000, "USD", NOV[3])
    assert not converter.add("month", 1000, "USD", NOV[5])
    assert converter.add("other", 1100, "USD", NOV[12])
    assert converter.total("month") is None
    assert converter.total("other") == 1000
    [missing] = converter.missing_rates()
    assert (missing.source, missing.target, missing.first_day, missing.days) == (
        "USD", "EUR", NOV[3], 2)  # fmt: skip


@pytest.mark.parametrize("typed", ["0", "-1.2", "NaN", "1e12", "abc", "1.1234567890123456789012"])
def test_a_rate_that_cannot_be_one_is_refused(typed: str) -> None:
    with pytest.raises(MoneyError):
        parse_rate(typed)


def _by_hand(rates: dict[dt.date, Decimal], amounts: list[tuple[int, int]], inverse: bool) -> int:
    """USD cents to EUR cents with Fractions: each amount at its day's or the closest earlier
    rate, summed exactly, rounded half-even once."""
    total = Fraction(0)
    for minor, day_index in amounts:
        day = max(d for d in rates if d <= NOV[day_index])
        rate = Fraction(rates[day])
        total += minor * (rate if inverse else 1 / rate)
    return _round(total)


def _round(value: Fraction) -> int:
    whole, rest = divmod(value.numerator, value.denominator)
    if rest * 2 > value.denominator or (rest * 2 == value.denominator and whole % 2):
        whole += 1
    return whole


rate_values = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("2"), places=4)


@settings(max_examples=200, deadline=None)
@given(
    day_rates=st.dictionaries(st.integers(0, 9), rate_values, min_size=1, max_size=6),
    amounts=st.lists(st.tuples(st.integers(-(10**9), 10**9), st.integers(10, 29)), max_size=40),
    written_as_usd_per_eur=st.booleans(),
)
def test_converted_totals_equal_the_sum_worked_out_by_hand(
    day_rates: dict[int, Decimal], amounts: list[tuple[int, int]], written_as_usd_per_eur: bool
) -> None:
    # The rates exist from the first ten days; the amounts fall on later days.
    rates = {NOV[index]: value for index, value in day_rates.items()}
    if written_as_usd_per_eur:  # 1 EUR = x USD: converting USD divides by x
        book = RateBook([Rate("EUR", "USD", day, value, ECB) for day, value in rates.items()])
    else:  # 1 USD = x EUR: converting multiplies
        book = RateBook([Rate("USD", "EUR", day, value, ECB) for day, value in rates.items()])
    converter = Converter(book, "EUR")
    converter.touch("all")
    for minor, day_index in amounts:
        assert converter.add("all", minor, "USD", NOV[day_index])
    assert converter.total("all") == _by_hand(rates, amounts, not written_as_usd_per_eur)
    assert sum(use.conversions for use in converter.rates_used()) == sum(
        1 for minor, _ in amounts if minor
    )
