"""A person's locale: how they write amounts and dates, and where their week starts.

Everything here comes from Babel (the Unicode CLDR data): the decimal and grouping symbols, the
date patterns, the first day of the week. Nothing is a hand-made table of countries. What a person
types is read in their locale's format, and the plain machine form (1234.56, 2026-12-31) is always
understood too; anything else is refused with the format expected, never guessed at.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.dates import format_date, get_date_format, parse_date
from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_decimal_symbol,
    get_group_symbol,
    get_minus_sign_symbol,
    parse_decimal,
)

from finance_tracker.domain.text import Text

# The locales a person can choose, in the order the settings list them. Each language's first
# locale is the one a bare language (Accept-Language: de) stands for.
LOCALES = (
    "en_US", "en_GB", "en_IE", "en_CA", "en_AU", "en_NZ", "en_IN",
    "de_DE", "de_AT", "de_CH", "de_LU",
    "fr_FR", "fr_BE", "fr_CA", "fr_LU",
    "es_ES", "es_MX", "es_AR", "es_CO", "es_CL", "es_US",
    "it_IT", "nl_NL", "nl_BE", "pt_BR", "pt_PT", "pl_PL", "sv_SE", "da_DK", "nb_NO", "fi_FI",
    "cs_CZ", "ja_JP",
)  # fmt: skip
DEFAULT_LOCALE = "en_US"
# The languages the pages are translated into; any other locale reads the pages in English.
LANGUAGES = ("en", "de", "fr", "es")
DEFAULT_LANGUAGE = "en"

PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
SPACES = re.compile(r"[\s\u00a0\u202f\u2007]")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")
DIGIT_RUNS = re.compile(r"[0-9]+")


class LocaleInputError(ValueError):
    """What a person typed is not in the format of their locale; the message names that format."""


def normalise_locale(value: str | None) -> str:
    """'de-de', 'de_DE' -> 'de_DE'; a locale we do not offer raises LocaleInputError."""
    text = (value or "").strip().replace("-", "_")
    for known in LOCALES:
        if known.lower() == text.lower():
            return known
    raise LocaleInputError(Text("choose one of the listed locales"))


def language_of(locale: str) -> str:
    """The language its pages are shown in: the locale's own if translated, else English."""
    language = locale.split("_")[0]
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def best_locale(accepted: list[str]) -> str:
    """The first locale we offer among a browser's languages (Accept-Language, best first):
    an exact match, else the first locale of that language; else the default."""
    for tag in accepted:
        try:
            return normalise_locale(tag)
        except LocaleInputError:
            language = tag.replace("-", "_").split("_")[0].lower()
            for known in LOCALES:
                if known.split("_")[0] == language:
                    return known
    return DEFAULT_LOCALE


@dataclass(frozen=True)
class LocaleFormats:
    """What a locale looks like, for the settings page and the page scripts."""

    locale: str
    name: str  # in its own language: "Deutsch (Deutschland)"
    decimal: str
    group: str
    date_pattern: str  # for typing dates: "dd.MM.yyyy"
    first_weekday: int  # 0 Monday ... 6 Sunday

    @property
    def js_tag(self) -> str:
        """The BCP 47 tag that Intl.NumberFormat and <html lang> take: de-DE."""
        return self.locale.replace("_", "-")


@cache
def formats(locale: str) -> LocaleFormats:
    parsed = Locale.parse(locale)
    return LocaleFormats(
        locale=locale,
        name=(parsed.get_display_name(parsed) or locale),
        decimal=get_decimal_symbol(locale),
        group=get_group_symbol(locale),
        date_pattern=date_input_pattern(locale),
        first_weekday=parsed.first_week_day,
    )


# --- Amounts ----------------------------------------------------------------------------------


def number_example(locale: str) -> str:
    """1234.56 as the locale writes it: '1,234.56', '1.234,56', '1 234,56'."""
    return format_decimal(Decimal("1234.56"), locale=locale)


def amount_format_error(locale: str) -> Text:
    return Text(
        "enter an amount like %(example)s (or %(plain)s)",
        example=number_example(locale),
        plain="1234.56",
    )


def parse_decimal_input(text: str, locale: str) -> Decimal:
    """An amount as a person types it: in their locale's format with or without grouping
    ('1.234,56', '1234,56' in de) or in the plain form ('1234.56'). Grouping must be where the
    locale puts it, and a text that is neither refuses with the expected format: '1.234,56' in
    en, '1,234.56' in de, '1,2,3'. Where the two readings differ ('1.234' in de) the locale wins.
    """
    cleaned = text.strip()
    group = get_group_symbol(locale)
    if SPACES.match(group):  # 1 234,56 typed with an ordinary space means the locale's one
        cleaned = SPACES.sub(group, cleaned)
    elif group == "'":  # the apostrophe (de_CH) is often typed as a typographic one
        cleaned = cleaned.replace("\u2019", "'")
    cleaned = cleaned.replace(get_minus_sign_symbol(locale), "-").replace("\u2212", "-")
    allowed = set("0123456789-") | {group, get_decimal_symbol(locale)}
    if cleaned and set(cleaned) <= allowed and cleaned.count("-") <= int(cleaned[0] == "-"):
        try:
            number = parse_decimal(cleaned, locale=locale, strict=True)
        except NumberFormatError:
            number = None
        if number is not None and number.is_finite():
            return number
    if PLAIN_NUMBER.fullmatch(cleaned):
        try:
            return Decimal(cleaned)
        except InvalidOperation:  # pragma: no cover - the pattern allows only decimals
            pass
    raise LocaleInputError(amount_format_error(locale))


def plain_decimal(number: Decimal) -> str:
    """The machine form the services and the API take: '1234.56', never an exponent."""
    return format(number, "f")


def format_amount_input(plain: str, locale: str) -> str:
    """A stored plain amount ('1234.50') as the person would type it ('1.234,50' in de),
    keeping its decimals; a text that is no plain number is shown as it is."""
    if not PLAIN_NUMBER.fullmatch(plain.strip()):
        return plain
    number = Decimal(plain.strip())
    digits = max(0, -int(number.as_tuple().exponent))
    return format_decimal(number, format=decimal_pattern(locale, digits), locale=locale)


@cache
def decimal_pattern(locale: str, digits: int) -> str:
    """The locale's own grouping ('#,##,##0' in en_IN) with exactly `digits` decimals."""
    pattern = Locale.parse(locale).decimal_formats[None].pattern.split(";")[0]
    whole = pattern.split(".")[0]
    return f"{whole}.{'0' * digits}" if digits else whole


# --- Dates ------------------------------------------------------------------------------------


@cache
def date_input_pattern(locale: str) -> str:
    """The locale's short numeric date pattern with a four-digit year: 'dd.MM.yyyy' (de),
    'M/d/yyyy' (en_US). Two-digit years are for reading, not for typing."""
    pattern = get_date_format("short", locale=locale).pattern
    return re.sub(r"y+", "yyyy", pattern)


def format_date_input(day: dt.date, locale: str) -> str:
    return format_date(day, date_input_pattern(locale), locale=locale)


def date_format_error(locale: str) -> Text:
    """Named by an example: its 31 and 12 cannot be mistaken for each other."""
    return Text("enter a date like %(example)s", example=date_example(locale))


def date_example(locale: str) -> str:
    return format_date_input(dt.date(2026, 12, 31), locale)


def parse_date_input(text: str, locale: str) -> dt.date:
    """A date as a person types it: in their locale's order (31.12.2026 in de, 12/31/2026 in
    en_US, a two-digit year allowed) or as ISO 2026-12-31. Babel reads the numbers in the
    locale's order; a date that does not exist in that order (31/12/2026 in en_US, 30.02.2026)
    is refused, never read the other way round."""
    cleaned = text.strip()
    digits = DIGIT_RUNS.findall(cleaned)
    if ISO_DATE.fullmatch(cleaned):
        try:
            return dt.date(*(int(part) for part in digits))
        except ValueError:
            raise LocaleInputError(date_format_error(locale)) from None
    order = _field_order(locale)
    if len(digits) != 3 or len(digits[order.index("y")]) not in (2, 4):
        raise LocaleInputError(date_format_error(locale))
    if any(len(digits[order.index(f)]) > 2 for f in "dM"):
        raise LocaleInputError(date_format_error(locale))
    try:
        day = parse_date(cleaned, locale=locale, format="short")
    except (ValueError, IndexError):  # babel's ParseError is a ValueError
        raise LocaleInputError(date_format_error(locale)) from None
    # Babel swaps a month over 12 with the day: the order typed must be the locale's own.
    typed = dict(zip(order, (int(part) for part in digits), strict=True))
    year = typed["y"] + 2000 if len(digits[order.index("y")]) <= 2 else typed["y"]
    if (typed["M"], typed["d"], year) != (day.month, day.day, day.year):
        raise LocaleInputError(date_format_error(locale))
    return day


@cache
def _field_order(locale: str) -> tuple[str, ...]:
    """('d', 'M', 'y') for de: the order of day, month and year in the locale's short date."""
    pattern = get_date_format("short", locale=locale).pattern
    letters = [c for c in re.sub(r"'[^']*'", "", pattern) if c in "dMLy"]
    seen: list[str] = []
    for letter in letters:
        letter = "M" if letter == "L" else letter
        if letter not in seen:
            seen.append(letter)
    return tuple(seen)
