"""How a CSV download writes its cells: the machine format, or the way a person writes.

The machine format is the documented exchange format (README, "CSV downloads") and never
changes with anyone's locale: comma-separated, UTF-8, ISO dates (2026-12-31), months as
2026-12, amounts as plain decimals with a point and no grouping (-1234.50), headings in English
snake_case. It is what the API sends too.

A person's format opens in their spreadsheet as they read it: amounts with their decimal
separator and no grouping (-1234,50), dates (31.12.2026) and months (12/2026) in their locale's
short form, headings and kinds of transaction in their language, separated by semicolons where
the decimal separator is a comma (what spreadsheets there expect), with a byte order mark so
that Excel reads the file as UTF-8.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from babel.dates import format_skeleton
from babel.numbers import format_decimal, get_decimal_symbol

from finance_tracker.domain.locales import format_date_input
from finance_tracker.domain.money import format_plain, minor_digits, to_decimal

MACHINE = "machine"
LOCALE = "locale"
STYLES = (MACHINE, LOCALE)
BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True)
class CsvStyle:
    """`locale` None is the machine format. `words`: the headings in the reader's language, by
    their machine name (a name not in it stays); `kinds`: the kinds of transaction."""

    locale: str | None = None
    words: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)

    @property
    def delimiter(self) -> str:
        if self.locale is not None and get_decimal_symbol(self.locale) == ",":
            return ";"
        return ","

    @property
    def start(self) -> str:
        """What the file starts with: the byte order mark for a spreadsheet, nothing else."""
        return BYTE_ORDER_MARK if self.locale is not None else ""

    def amount(self, minor: int, currency: str) -> str:
        if self.locale is None:
            return format_plain(minor, currency)
        digits = minor_digits(currency)
        pattern = "0." + "0" * digits if digits else "0"
        return format_decimal(to_decimal(minor, currency), format=pattern, locale=self.locale)

    def date(self, day: dt.date) -> str:
        return day.isoformat() if self.locale is None else format_date_input(day, self.locale)

    def month(self, month: dt.date) -> str:
        if self.locale is None:
            return f"{month.year:04d}-{month.month:02d}"
        return format_skeleton("yMM", month, locale=self.locale)

    def word(self, name: str) -> str:
        return self.words.get(name, name) if self.locale is not None else name

    def kind(self, value: str) -> str:
        return self.kinds.get(value, value) if self.locale is not None else value

    def header(self, names: list[str]) -> list[str]:
        return [self.word(name) for name in names]
