"""A person's locale (domain/locales.py): amounts and dates typed their way or the plain way,
everything else refused with the format expected; the CSV styles; messages that keep their
template (domain/text.py)."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal

import pytest

from finance_tracker.domain.csv_style import CsvStyle
from finance_tracker.domain.locales import (
    LANGUAGES,
    LOCALES,
    LocaleInputError,
    best_locale,
    date_input_pattern,
    format_amount_input,
    format_date_input,
    formats,
    language_of,
    normalise_locale,
    parse_date_input,
    parse_decimal_input,
    plain_decimal,
)
from finance_tracker.domain.text import Plural, Text, TextList, message_of

# --- Amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "locale", "expected"),
    [
        ("1,234.56", "en_US", "1234.56"),
        ("1234.56", "en_US", "1234.56"),
        ("-42.5", "en_US", "-42.5"),
        ("1.234,56", "de_DE", "1234.56"),
        ("1234,56", "de_DE", "1234.56"),
        ("1234.56", "de_DE", "1234.56"),  # the plain form, in every locale
        ("1.234", "de_DE", "1234"),  # both readings possible: the locale's wins
        ("-1.234,56", "de_DE", "-1234.56"),
        ("1 234,56", "fr_FR", "1234.56"),  # an ordinary space for the narrow no-break one
        ("1\u202f234,56", "fr_FR", "1234.56"),
        ("1’234.56", "de_CH", "1234.56"),  # the typographic apostrophe for the straight one
        ("1'234.56", "de_CH", "1234.56"),
        ("12,34,567.80", "en_IN", "1234567.80"),  # lakh grouping
        ("1.234,56", "es_ES", "1234.56"),
        ("  42,50 ", "es_ES", "42.50"),
    ],
)
def test_an_amount_is_read_in_the_persons_format_or_the_plain_one(typed, locale, expected):
    assert parse_decimal_input(typed, locale) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "locale", "example"),
    [
        ("1.234,56", "en_US", "1,234.56"),  # the cases
        ("1,234.56", "de_DE", "1.234,56"),
        ("1,2,3", "en_US", "1,234.56"),
        ("1.2.3", "de_DE", "1.234,56"),
        ("1,234,56", "de_DE", "1.234,56"),  # two decimal separators
        ("12.34.56", "en_US", "1,234.56"),
        ("12,34", "en_US", "1,234.56"),  # grouping not where the locale puts it
        ("", "en_US", "1,234.56"),
        ("abc", "de_DE", "1.234,56"),
        ("1e5", "en_US", "1,234.56"),
        ("NaN", "en_US", "1,234.56"),
        ("4-2", "en_US", "1,234.56"),
        ("€42", "de_DE", "1.234,56"),
    ],
)
def test_anything_else_is_refused_naming_the_format(typed, locale, example):
    with pytest.raises(LocaleInputError) as refused:
        parse_decimal_input(typed, locale)
    assert str(refused.value) == f"enter an amount like {example} (or 1234.56)"
    assert message_of(refused.value).template == "enter an amount like %(example)s (or %(plain)s)"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_offered_locale_reads_back_what_it_writes(locale):
    for plain in ("0.01", "42.50", "-1234.56", "1234567.89", "1000"):
        shown = format_amount_input(plain, locale)
        assert parse_decimal_input(shown, locale) == Decimal(plain), shown
        assert parse_decimal_input(plain, locale) == Decimal(plain)
    day = dt.date(2026, 3, 7)
    assert parse_date_input(format_date_input(day, locale), locale) == day
    assert parse_date_input("2026-03-07", locale) == day
    assert "yyyy" in date_input_pattern(locale)


def test_the_machine_form_is_plain():
    assert plain_decimal(Decimal("1E+3")) == "1000"
    assert plain_decimal(Decimal("-0.50")) == "-0.50"
    assert format_amount_input("1234.50", "de_DE") == "1.234,50"
    assert format_amount_input("not a number", "de_DE") == "not a number"


# --- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "locale", "expected"),
    [
        ("12/31/2026", "en_US", dt.date(2026, 12, 31)),
        ("3/7/26", "en_US", dt.date(2026, 3, 7)),
        ("31/12/2026", "en_GB", dt.date(2026, 12, 31)),
        ("31.12.2026", "de_DE", dt.date(2026, 12, 31)),
        ("7.3.2026", "de_DE", dt.date(2026, 3, 7)),
        ("31/12/2026", "fr_FR", dt.date(2026, 12, 31)),
        ("31/12/2026", "es_ES", dt.date(2026, 12, 31)),
        ("2026/12/31", "ja_JP", dt.date(2026, 12, 31)),
        ("2026-12-31", "de_DE", dt.date(2026, 12, 31)),
    ],
)
def test_a_date_is_read_in_the_locales_order(typed, locale, expected):
    assert parse_date_input(typed, locale) == expected


@pytest.mark.parametrize(
    ("typed", "locale", "example"),
    [
        ("31/12/2026", "en_US", "12/31/2026"),  # no month 31: never read the other way round
        ("12/31/2026", "en_GB", "31/12/2026"),
        ("30.02.2026", "de_DE", "31.12.2026"),  # does not exist
        ("31.04.2026", "de_DE", "31.12.2026"),
        ("2026-02-30", "de_DE", "31.12.2026"),
        ("31.12.226", "de_DE", "31.12.2026"),
        ("31.12", "de_DE", "31.12.2026"),
        ("yesterday", "en_US", "12/31/2026"),
        ("", "fr_FR", "31/12/2026"),
    ],
)
def test_a_date_that_does_not_exist_in_the_format_is_refused(typed, locale, example):
    with pytest.raises(LocaleInputError) as refused:
        parse_date_input(typed, locale)
    assert str(refused.value) == f"enter a date like {example}"


# --- Choosing a locale -------------------------------------------------------------------------


def test_a_browsers_languages_choose_the_locale():
    assert best_locale(["de-DE", "en"]) == "de_DE"
    assert best_locale(["de-AT"]) == "de_AT"
    assert best_locale(["de"]) == "de_DE"  # a bare language: its first locale
    assert best_locale(["fr-CH", "en-GB"]) == "fr_FR"  # no fr_CH: French all the same
    assert best_locale(["pt"]) == "pt_BR"
    assert best_locale(["xx", "es-419"]) == "es_ES"
    assert best_locale([]) == "en_US"
    assert best_locale(["*"]) == "en_US"
    assert normalise_locale("de-de") == "de_DE"
    with pytest.raises(LocaleInputError):
        normalise_locale("de_XX")


def test_the_pages_language_follows_the_locale_when_translated():
    assert [language_of(code) for code in ("de_AT", "fr_CA", "es_MX", "en_GB")] == [
        "de", "fr", "es", "en",
    ]  # fmt: skip
    assert language_of("it_IT") == "en"
    assert set(LANGUAGES) == {"en", "de", "fr", "es"}


def test_a_locale_says_how_it_writes():
    german = formats("de_DE")
    assert (german.decimal, german.group, german.date_pattern, german.first_weekday) == (
        ",", ".", "dd.MM.yyyy", 0,
    )  # fmt: skip
    american = formats("en_US")
    assert (american.date_pattern, american.first_weekday, american.js_tag) == (
        "M/d/yyyy", 6, "en-US",
    )  # fmt: skip
    assert german.name == "Deutsch (Deutschland)"


# --- CSV styles --------------------------------------------------------------------------------


def test_the_machine_csv_style_never_changes():
    machine = CsvStyle()
    assert (machine.delimiter, machine.start) == (",", "")
    assert machine.amount(-123450, "EUR") == "-1234.50"
    assert machine.amount(1500, "JPY") == "1500"
    assert machine.date(dt.date(2026, 3, 7)) == "2026-03-07"
    assert machine.month(dt.date(2026, 3, 1)) == "2026-03"
    assert machine.header(["date", "amount"]) == ["date", "amount"]
    assert machine.kind("expense") == "expense"


def test_a_persons_csv_style_writes_their_way():
    german = CsvStyle("de_DE", words={"date": "Datum"}, kinds={"expense": "Ausgabe"})
    assert (german.delimiter, german.start) == (";", "\ufeff")
    assert german.amount(-123450, "EUR") == "-1234,50"  # no grouping: spreadsheets read it
    assert german.date(dt.date(2026, 3, 7)) == "07.03.2026"
    assert german.month(dt.date(2026, 3, 1)) == "03/2026"
    assert german.header(["date", "amount"]) == ["Datum", "amount"]
    assert german.kind("expense") == "Ausgabe"
    american = CsvStyle("en_US")
    assert american.delimiter == ","
    assert american.amount(-123450, "USD") == "-1234.50"
    assert american.date(dt.date(2026, 3, 7)) == "3/7/2026"


# --- Messages ----------------------------------------------------------------------------------


def test_a_text_is_its_english_sentence_and_keeps_its_template():
    text = Text("use at most %(count)s characters", count=200)
    assert text == "use at most 200 characters"
    assert (text.template, text.values, text.plural) == (
        "use at most %(count)s characters", {"count": 200}, None,
    )  # fmt: skip
    # An RQ job's arguments are pickled: what travels is the English text, nothing more.
    copied = pickle.loads(pickle.dumps(text))  # noqa: S301 - our own bytes, just made
    assert copied == "use at most 200 characters" and type(copied) is str


def test_a_plural_picks_its_english_form_and_keeps_both():
    one, five = (Plural("%(count)s row", "%(count)s rows", n) for n in (1, 5))
    assert (one, five) == ("1 row", "5 rows")
    assert (five.template, five.plural) == ("%(count)s row", "%(count)s rows")
    listed = TextList([one, five])
    assert listed == "1 row, 5 rows" and listed.items == [one, five]


def test_an_errors_message_is_kept_as_raised():
    error = ValueError(Text("no such %(what)s", what="account"))
    assert isinstance(message_of(error), Text)
    assert message_of(ValueError("plain")) == "plain"
