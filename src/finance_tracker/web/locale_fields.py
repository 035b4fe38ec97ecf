"""Form fields for amounts and dates, typed the way the reader writes them.

An `AmountField` reads '1.234,56' in de, '1,234.56' in en and the plain '1234.56' everywhere, and
hands the services the plain form; a `LocaleDateField` reads 31.12.2026 in de and 12/31/2026 in
en_US (and ISO everywhere). Both show their value back in the reader's format, and refuse text in
another format with a field error that names the one expected: nothing is saved then.

Dates are text fields, not `<input type="date">`: a browser shows those in its own language's
format, whatever the person chose. static/date-picker.js adds a calendar that starts the week on
the locale's first day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from flask_babel import pgettext
from markupsafe import Markup
from wtforms import Field, StringField
from wtforms.widgets import TextInput

from finance_tracker.domain.locales import (
    LocaleInputError,
    format_amount_input,
    format_date_input,
    formats,
    parse_date_input,
    parse_decimal_input,
    plain_decimal,
)
from finance_tracker.web.i18n import localize, number_locale


class AmountField(StringField):
    """`.data`: the plain decimal text ('1234.56'), '' when left empty."""

    data: str | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        text = (self.data or "").strip()
        self.data = text
        if not text:
            return
        try:
            self.data = plain_decimal(parse_decimal_input(text, number_locale()))
        except LocaleInputError as error:
            raise ValueError(localize(error.args[0])) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])  # as typed: a refused text is shown to be corrected
        return format_amount_input(str(self.data), number_locale()) if self.data else ""

    def __call__(self, **kwargs: Any) -> Markup:
        zero = format_decimal(Decimal("0.00"), format="0.00", locale=number_locale())
        kwargs.setdefault("placeholder", zero)
        kwargs.setdefault("inputmode", "decimal")
        kwargs.setdefault("autocomplete", "off")
        kwargs.setdefault("data-amount-input", "")
        return super().__call__(**kwargs)


def date_placeholder(pattern: str) -> str:
    """'dd.MM.yyyy' as people read a format: TT.MM.JJJJ in German, JJ/MM/AAAA in French."""
    letters = {
        "d": pgettext("the letter standing for the day in a date format", "D"),
        "M": pgettext("the letter standing for the month in a date format", "M"),
        "y": pgettext("the letter standing for the year in a date format", "Y"),
    }
    return "".join(letters.get(c, c) for c in pattern)


class LocaleDateField(Field):
    """`.data`: a `datetime.date`, or None when left empty or not a date."""

    widget = TextInput()
    data: dt.date | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        try:
            self.data = parse_date_input(text, number_locale())
        except LocaleInputError as error:
            raise ValueError(localize(error.args[0])) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return format_date_input(self.data, number_locale()) if self.data else ""

    def __call__(self, **kwargs: Any) -> Markup:
        locale = formats(number_locale())
        kwargs.setdefault("placeholder", date_placeholder(locale.date_pattern))
        kwargs.setdefault("autocomplete", "off")
        kwargs.setdefault("data-date-input", locale.date_pattern)
        kwargs.setdefault("data-first-day", str(locale.first_weekday))
        return super().__call__(**kwargs)
