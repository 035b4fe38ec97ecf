"""Exchange rates and conversion into one currency, exactly, rounding once.

A rate says how many units of `quote` one unit of `base` bought on a day (1 EUR = 1.0876 USD).
Rates are exact decimals. Each becomes a factor in units of 10**-30 of the target's minor unit,
rounded half-even there (a pair's own rate or its inverse exactly, in integers; a cross rate
through a third currency from 40 significant digits), and amounts are summed exactly in those
units (exact fractions were tried: their denominators grow with every day's rate, and ten years
of sums took most of a report's time); a converted total is rounded half-even to
the target currency's minor units once, after summing — never per row. A conversion uses the
rate of the amount's own day or, failing that, the closest earlier one, and says which it used;
where no rate exists on or before the day, it says which pair and day are missing instead of
guessing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

from finance_tracker.domain.money import MoneyError, minor_digits, normalise_currency
from finance_tracker.domain.text import Text

# Where a rate came from; on the same day and pair the first of these wins.
MANUAL, ECB, TRANSFER = "manual", "ecb", "transfer"
PRECEDENCE = (MANUAL, ECB, TRANSFER)
RANK = {source: rank for rank, source in enumerate(PRECEDENCE)}
# A rate outside this band is a typing mistake, not a currency (the widest real pairs, like
# 1 BTC-sized units or IRR per EUR, sit well inside it).
SMALLEST_RATE, LARGEST_RATE = Decimal("1e-9"), Decimal("1e9")
MAX_RATE_DIGITS = 20
# Far more digits than any sum of a lifetime's amounts needs before its one rounding.
EXACT = Context(prec=40)


def parse_rate(value: str | Decimal) -> Decimal:
    """'1.0876' -> Decimal('1.0876'); zero, negative, not-a-number and absurd rates refused."""
    if isinstance(value, (bool, float)):
        raise MoneyError(Text("a rate must be given as a decimal string, not a float"))
    try:
        rate = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, AttributeError):
        raise MoneyError(Text("%(value)r is not a number", value=value)) from None
    if not rate.is_finite():
        raise MoneyError(Text("%(value)r is not a number", value=value))
    if rate <= 0:
        raise MoneyError(Text("a rate must be more than zero"))
    if not SMALLEST_RATE <= rate <= LARGEST_RATE:
        raise MoneyError(
            Text(
                "a rate must be between %(low)s and %(high)s",
                low=str(SMALLEST_RATE),
                high=str(LARGEST_RATE),
            )
        )
    if len(rate.as_tuple().digits) > MAX_RATE_DIGITS:
        raise MoneyError(Text("a rate has at most %(count)s digits", count=MAX_RATE_DIGITS))
    return rate.normalize() if rate == rate.to_integral_value() else rate


def check_pair(base: str, quote: str) -> tuple[str, str]:
    base, quote = normalise_currency(base), normalise_currency(quote)
    if base == quote:
        raise MoneyError(Text("a rate needs two different currencies"))
    return base, quote


@dataclass(frozen=True, slots=True)
class Rate:
    base: str
    quote: str
    day: dt.date
    value: Decimal
    source: str = MANUAL

    @property
    def pair(self) -> str:
        return f"{self.base}/{self.quote}"


def rate_of_transfer(sent_minor: int, sent: str, received_minor: int, received: str) -> Decimal:
    """What a cross-currency transfer says: 100.00 EUR sent, 108.76 USD received -> 1.0876."""
    rate = EXACT.divide(
        Decimal(received_minor).scaleb(-minor_digits(received)),
        Decimal(sent_minor).scaleb(-minor_digits(sent)),
    )
    return rate.quantize(Decimal("1e-10"), rounding=ROUND_HALF_EVEN).normalize()


@dataclass(frozen=True, slots=True)
class Found:
    """The factor from one currency to another on a day, and the rates it was made of."""

    factor: Decimal
    rates: tuple[Rate, ...]
    day: dt.date  # the day of the rates used: the oldest of them, for a cross rate

    @classmethod
    def of(cls, factor: Decimal, rates: tuple[Rate, ...]) -> Found:
        return cls(factor, rates, min(rate.day for rate in rates))


class RateBook:
    """Every rate a person has, looked up by pair and day (or the closest earlier day)."""

    def __init__(self, rates: Iterable[Rate]) -> None:
        # Per pair as written, per day: the rate of the first source in PRECEDENCE.
        written: dict[tuple[str, str], dict[dt.date, Rate]] = defaultdict(dict)
        for rate in rates:
            by_day = written[(rate.base, rate.quote)]
            held = by_day.get(rate.day)
            if held is None or RANK[rate.source] < RANK[held.source]:
                by_day[rate.day] = rate
        self._written = dict(written)
        self.currencies = {c for pair in self._written for c in pair}
        # Per pair looked up, either way round, built when first asked for: its days in order
        # and, per day, (is the inverse, rate).
        self._days: dict[tuple[str, str], list[dt.date]] = {}
        self._values: dict[tuple[str, str], list[tuple[bool, Rate]]] = {}

    def _pair(self, source: str, target: str) -> list[dt.date]:
        pair = (source, target)
        days = self._days.get(pair)
        if days is not None:
            return days
        direct = self._written.get(pair, {})
        inverse = self._written.get((target, source), {})
        if not inverse:  # the usual case: rates written one way round only
            days = sorted(direct)
            values = [(False, direct[day]) for day in days]
        elif not direct:
            days = sorted(inverse)
            values = [(True, inverse[day]) for day in days]
        else:  # both: on one day the better source wins, the pair as written on a tie
            chosen: dict[dt.date, tuple[int, bool, Rate]] = {}
            for is_inverse, by_day in ((False, direct), (True, inverse)):
                for day, rate in by_day.items():
                    order = RANK[rate.source] * 2 + is_inverse
                    held = chosen.get(day)
                    if held is None or order < held[0]:
                        chosen[day] = (order, is_inverse, rate)
            days = sorted(chosen)
            values = [chosen[day][1:] for day in days]
        self._days[pair], self._values[pair] = days, values
        return days

    def _direct(self, source: str, target: str, day: dt.date) -> Found | None:
        days = self._pair(source, target)
        if not days:
            return None
        index = bisect.bisect_right(days, day) - 1
        if index < 0:
            return None
        inverse, rate = self._values[(source, target)][index]
        return Found(EXACT.divide(1, rate.value) if inverse else rate.value, (rate,), rate.day)

    def pair_series(self, source: str, target: str) -> PairSeries | None:
        """The pair's own rates (written either way round) by day, for converting many days."""
        days = self._pair(source, target)
        return PairSeries(days, self._values[(source, target)]) if days else None

    def find(self, source: str, target: str, day: dt.date) -> Found | None:
        """The rate from `source` to `target` on `day` or the closest earlier day: the pair
        itself or its inverse, else a cross rate through one other currency (EUR first, as the
        ECB publishes everything against it), the most recent such."""
        if source == target:
            return Found(Decimal(1), (), day)
        direct = self._direct(source, target, day)
        if direct is not None:
            return direct
        best: Found | None = None
        for middle in sorted(self.currencies - {source, target}, key=lambda c: c != "EUR"):
            first = self._direct(source, middle, day)
            second = self._direct(middle, target, day) if first else None
            if first and second:
                found = Found.of(
                    EXACT.multiply(first.factor, second.factor), first.rates + second.rates
                )
                if best is None or found.day > best.day:
                    best = found
        return best


class PairSeries:
    """One pair's rates in day order, each one's fixed-point factor worked out when first used
    and how many amounts used it. A day on or after the first rate always takes one of these
    (RateBook.find prefers the pair itself to a cross rate), so a report of thousands of days
    costs a bisect per amount, not a lookup and a decimal division."""

    __slots__ = ("days", "values", "fixed", "uses", "earlier")

    def __init__(self, days: list[dt.date], values: list[tuple[bool, Rate]]) -> None:
        self.days, self.values = days, values
        self.fixed: list[int | None] = [None] * len(days)
        self.uses = [0] * len(days)
        self.earlier = 0  # amounts that took an earlier day's rate than their own

    def fix(self, index: int, shift: int) -> int:
        """The factor of rate `index` in units of 10**-30 of the target's minor unit."""
        inverse, rate = self.values[index]
        fixed = self.fixed[index] = _fixed_factor(rate.value, inverse, shift)
        return fixed

    def used(self) -> tuple[int, Rate, Rate] | None:
        """(amounts converted, oldest rate used, newest rate used), or None if none was."""
        indices = [index for index, count in enumerate(self.uses) if count]
        if not indices:
            return None
        return sum(self.uses), self.values[indices[0]][1], self.values[indices[-1]][1]


# Remembered per process: a series is built per report, but its rates (and so their factors)
# are mostly the same from one report to the next, and working one out was a seventh of a
# converted ten-year report's time. 2**15 entries of ~200 bytes: ~6 MB at most.
@functools.lru_cache(maxsize=2**15)
def _fixed_factor(value: Decimal, inverse: bool, shift: int) -> int:
    numerator, denominator = value.as_integer_ratio()  # exact: integer maths from here
    if inverse:
        numerator, denominator = denominator, numerator
    return _divided(numerator * 10**shift, denominator)


@dataclass(frozen=True)
class RateUse:
    """'USD → EUR: 31 amounts, at rates from 2026-11-01 (1 EUR = 1.0876 USD, ECB) to …'. The
    rates are kept as they were written (a pair's inverse is rarely a short decimal)."""

    source: str
    target: str
    conversions: int
    first: Rate
    last: Rate
    earlier_days: int  # amounts converted at an earlier day's rate than their own


@dataclass(frozen=True)
class MissingRate:
    """A pair with no rate on or before some days: the first of them, and how many."""

    source: str
    target: str
    first_day: dt.date
    days: int


# Sums are kept as whole numbers of 10**-30 of the target's minor unit: exact integer adds
# (a Decimal add per amount was most of a ten-year report's time), far finer than any rounding.
FIXED = 10**30


class Converter:
    """Sums amounts of any currency into `target`, per key; `total(key)` rounds once.

    A key with any amount that could not be converted has no total (None): the caller shows the
    missing pair and day, never a sum that quietly left something out."""

    def __init__(self, book: RateBook, target: str) -> None:
        self.book, self.target = book, target
        self._sums: dict[Hashable, int] = defaultdict(int)
        self._incomplete: set[Hashable] = set()
        # Per currency and day: what was found, the fixed-point factor from the currency's minor
        # units to the target's (None: no rate), and how many amounts used it.
        self._found: dict[tuple[str, dt.date], Found | None] = {}
        self._factor: dict[tuple[str, dt.date], int | None] = {}
        self._uses: dict[tuple[str, dt.date], int] = defaultdict(int)
        self._digits = minor_digits(target)
        self._missing: dict[str, set[dt.date]] = defaultdict(set)  # currency -> days lacking
        self._series: dict[str, PairSeries | None] = {}  # currency -> its pair with the target

    def factor(self, currency: str, day: dt.date) -> Found | None:
        key = (currency, day)
        if key not in self._found:
            found = self._found[key] = self.book.find(currency, self.target, day)
            self._factor[key] = (
                None
                if found is None
                else int(
                    found.factor.scaleb(
                        self._digits - minor_digits(currency) + 30, EXACT
                    ).to_integral_value(rounding=ROUND_HALF_EVEN)
                )
            )
        return self._found[key]

    def add(self, key: Hashable, minor: int, currency: str, day: dt.date) -> bool:
        """Add an amount of `currency` dated `day`; False when no rate could convert it."""
        return self.add_all(((key, minor, currency, day),))

    def add_all(self, amounts: Iterable[tuple[Hashable, int, str, dt.date]]) -> bool:
        """add() for many (key, minor, currency, day): False if any could not be converted. One
        loop with its lookups held, since a ten-year report adds thousands of day totals."""
        sums, target, series_of = self._sums, self.target, self._series
        converted = True
        for key, minor, currency, day in amounts:
            if currency == target:
                sums[key] += minor * FIXED
                continue
            if minor == 0:
                continue
            if currency in series_of:
                series = series_of[currency]
            else:
                series = series_of[currency] = self.book.pair_series(currency, target)
            if series is not None:
                index = bisect.bisect_right(series.days, day) - 1
                if index >= 0:
                    fixed = series.fixed[index]
                    if fixed is None:
                        fixed = series.fix(index, self._digits - minor_digits(currency) + 30)
                    sums[key] += fixed * minor
                    series.uses[index] += 1
                    if series.days[index] != day:
                        series.earlier += 1
                    continue
            converted = self._add_by_day(key, minor, currency, day) and converted
        return converted

    def _add_by_day(self, key: Hashable, minor: int, currency: str, day: dt.date) -> bool:
        """Before the pair's first rate: a cross rate looked up for the day, or none."""
        which = (currency, day)
        factor = self._factor.get(which, -1)
        if factor == -1:
            self.factor(currency, day)
            factor = self._factor[which]
        if factor is None:
            self._incomplete.add(key)
            self._missing[currency].add(day)
            return False
        self._sums[key] += factor * minor
        self._uses[which] += 1
        return True

    def rates_used(self) -> list[RateUse]:
        """Per currency converted: how many amounts, the oldest and newest rate, and how many
        amounts took an earlier day's rate (worked out once, from the days looked up)."""
        per: dict[str, tuple[int, Rate, Rate, int]] = {}  # conversions, first, last, earlier
        for (currency, day), count in self._uses.items():
            found = self._found[(currency, day)]
            assert found is not None
            rate = min(found.rates, key=lambda r: r.day)
            conversions, first, last, earlier = per.get(currency, (0, rate, rate, 0))
            per[currency] = (
                conversions + count,
                rate if rate.day < first.day else first,
                rate if rate.day >= last.day else last,
                earlier + (count if found.day < day else 0),
            )
        for currency, series in self._series.items():
            used = series.used() if series is not None else None
            if series is None or used is None:
                continue
            count, oldest, newest = used
            conversions, first, last, earlier = per.get(currency, (0, oldest, newest, 0))
            per[currency] = (
                conversions + count,
                oldest if oldest.day < first.day else first,
                newest if newest.day >= last.day else last,
                earlier + series.earlier,
            )
        return [
            RateUse(currency, self.target, conversions, first, last, earlier)
            for currency, (conversions, first, last, earlier) in sorted(per.items())
        ]

    def missing_rates(self) -> list[MissingRate]:
        return [
            MissingRate(currency, self.target, min(days), len(days))
            for currency, days in sorted(self._missing.items())
        ]

    def touch(self, key: Hashable) -> None:
        """Make `key` exist with a total of zero if nothing is added to it."""
        self._sums[key] += 0

    def total(self, key: Hashable) -> int | None:
        if key in self._incomplete:
            return None
        return _rounded(self._sums.get(key, 0))

    def total_of(self, keys: list[Hashable]) -> int | None:
        """The sum of several keys' exact sums, rounded once (not the sum of rounded totals)."""
        if any(key in self._incomplete for key in keys):
            return None
        return _rounded(sum(self._sums.get(key, 0) for key in keys))

    def sums_kept(self) -> list[tuple]:  # type: ignore[type-arg]
        """Every key added to (all tuples, where the caller keys by tuples)."""
        return [key for key in self._sums.keys() | self._incomplete if isinstance(key, tuple)]


def _divided(numerator: int, denominator: int) -> int:
    """numerator / denominator (denominator > 0), rounded half to even."""
    whole, rest = divmod(numerator, denominator)  # floor: rest is in [0, denominator)
    if rest * 2 > denominator or (rest * 2 == denominator and whole % 2):
        whole += 1
    return whole


def _rounded(fixed: int) -> int:
    """The one rounding: half to even, from the fixed-point sum to whole minor units."""
    return _divided(fixed, FIXED)
