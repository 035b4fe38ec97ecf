"""The reader's language and locale on every page.

Two things are chosen per request. The *language* of the words: Flask-Babel's catalogs, the
signed-in person's choice (their locale's language unless they picked another), or a visitor's
switch (a cookie), or their browser's Accept-Language. The *locale* of amounts and dates: the
signed-in person's, or a visitor's best match among `domain.locales.LOCALES`. Both may differ: an
English speaker living in Germany reads English pages with 1.234,56 and 31.12.2026.

Messages from the services are English `Text`s (domain/text.py) that `localize` translates here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cache
from typing import Any

from babel.dates import format_date, format_datetime, format_skeleton, get_day_names
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_translations, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms.fields.choices import SelectChoice

from finance_tracker import catalogs
from finance_tracker.domain.locales import (
    DEFAULT_LANGUAGE,
    DEFAULT_LOCALE,
    LANGUAGES,
    LOCALES,
    LocaleFormats,
    best_locale,
    date_example,
    decimal_pattern,
    formats,
    language_of,
    number_example,
)
from finance_tracker.domain.money import Money, format_display, minor_digits, to_decimal
from finance_tracker.domain.text import Text, TextList

babel = Babel()
LANGUAGE_COOKIE = "ft_language"
# The languages as their speakers name them, for the switch: never translated.
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}


def install(app: Flask) -> None:
    babel.init_app(
        app, default_locale=DEFAULT_LANGUAGE, locale_selector=page_language,
        default_translation_directories=str(catalogs.FOLDER),
    )  # fmt: skip
    filters = app.jinja_env.filters
    filters["money"] = money
    filters["amount"] = amount
    filters["signed_money"] = signed_money
    filters["balance"] = balance_money
    filters["day"] = day
    filters["moment"] = moment
    filters["month"] = month_name
    filters["number"] = number
    filters["file_size"] = file_size
    filters["localize"] = localize
    filters["label"] = label
    filters["rate"] = rate_text
    app.jinja_env.globals["page_locale"] = page_locale
    app.jinja_env.globals["page_language"] = page_language
    app.jinja_env.globals["first_weekday_name"] = first_weekday_name
    app.jinja_env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES


# --- Who reads ---------------------------------------------------------------------------------


def _signed_in() -> Any:
    return current_user if has_request_context() and current_user.is_authenticated else None


def page_language() -> str:
    """The language of this request's words."""
    user = _signed_in()
    if user is not None:
        return user.language or language_of(user.locale)
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def number_locale() -> str:
    """The locale this request's amounts and dates are written in."""
    user = _signed_in()
    if user is not None:
        return str(user.locale)
    if not has_request_context():
        return DEFAULT_LOCALE
    if "visitor_locale" not in g:
        g.visitor_locale = best_locale([tag for tag, _ in request.accept_languages])
    return str(g.visitor_locale)


def page_locale() -> LocaleFormats:
    return formats(number_locale())


def locale_choices() -> list[SelectChoice]:
    """Every locale by its own name, with how it writes 1234.56 and 31 December 2026."""
    return [
        SelectChoice(code, f"{formats(code).name} · {number_example(code)} · {date_example(code)}")
        for code in LOCALES
    ]


# --- Amounts, dates and numbers as the reader writes them ----------------------------------------


def unknown_amount() -> Markup:
    """A converted figure that needs a rate nobody has: a dash, never a zero (the page says
    which rate is missing)."""
    return Markup('<span class="amount unknown" title="{}">—</span>').format(
        gettext("not converted: an exchange rate is missing")
    )


def money(minor: int | None, currency: str) -> str:
    if minor is None:
        return unknown_amount()
    return format_display(minor, currency, number_locale())


def amount(minor: int, currency: str) -> str:
    """An amount without its currency, with the currency's decimals: 1.234,50 in de."""
    locale = number_locale()
    pattern = decimal_pattern(locale, minor_digits(currency))
    return format_decimal(to_decimal(minor, currency), format=pattern, locale=locale)


def signed_money(minor: int | None, currency: str) -> Markup:
    """An amount with its sign and colour: +€10.00 in green, -€10.00 in red."""
    if minor is None:
        return unknown_amount()
    text = money(minor, currency)
    if minor > 0:
        text, css = "+" + text, "positive"
    elif minor < 0:
        css = "negative"
    else:
        css = "zero"
    return Markup('<span class="amount {}">{}</span>').format(css, escape(text))


def balance_money(minor: int | None, currency: str) -> Markup:
    """A balance or a net worth: plain when positive, red when below zero."""
    if minor is None:
        return unknown_amount()
    css = "negative" if minor < 0 else ""
    return Markup('<span class="amount {}">{}</span>').format(css, money(minor, currency))


def rate_text(rate: Any) -> str:
    """A stored rate as written, in the reader's numbers: '1 EUR = 1,0876 USD' in de."""
    exact = rate.value if hasattr(rate, "value") else Decimal(rate.rate)  # a Rate, or a stored row
    value = format_decimal(exact, format="#,##0.##########", locale=number_locale())
    return f"1 {rate.base} = {value} {rate.quote}"


def day(value: dt.date) -> str:
    """2 Dec 2026, 02.12.2026, 2 déc. 2026: the locale's medium date."""
    return format_date(value, "medium", locale=number_locale())


def moment(value: dt.datetime) -> str:
    """A timestamp (stored in UTC) as the locale writes a short date and time, said in UTC."""
    return format_datetime(value, "short", tzinfo=dt.UTC, locale=number_locale()) + " UTC"


def first_weekday_name() -> str:
    """Monday, Sonntag: the day the reader's weeks start on."""
    return get_day_names("wide", locale=number_locale())[page_locale().first_weekday]


def month_name(value: dt.date) -> str:
    """December 2026, Dezember 2026."""
    return format_skeleton("yMMMM", value, locale=number_locale())


def short_month(value: dt.date) -> str:
    """Dec 2026, Dez. 2026: for chart axes."""
    return format_skeleton("yMMM", value, locale=number_locale())


def number(value: int | Decimal) -> str:
    return format_decimal(value, locale=number_locale())


def percent(part: int | None, whole: int | None) -> str:
    """A share in whole percent, as the locale writes it: 12%, 12 %."""
    if part is None or whole is None or whole <= 0:
        return ""
    return format_percent(Decimal(part) / Decimal(whole), locale=number_locale())


def file_size(size: int) -> str:
    """A size as people read it: 820 bytes, 12 KB, 3.4 MB (3,4 MB)."""
    locale = number_locale()
    if size < 1024:
        return format_unit(size, "digital-byte", length="long", locale=locale)
    if size < 1024 * 1024:
        kilobytes = round(Decimal(size) / 1024)
        return format_unit(kilobytes, "digital-kilobyte", length="short", locale=locale)
    megabytes = round(Decimal(size) / (1024 * 1024), 1)
    return format_unit(megabytes, "digital-megabyte", length="short", locale=locale)


# --- Messages from the services ------------------------------------------------------------------


def localize(message: object) -> str:
    """A message for the reader: a `Text` translated with its values in their locale; a lazy
    string as it is; a plain string as the catalog has it (stored messages, from a template
    when one matches: see `_from_template`)."""
    if message is None:
        return ""
    if isinstance(message, Text):
        return _translate(message)
    if isinstance(message, TextList):
        return str(_value(message))
    if isinstance(message, LazyString | Markup):
        return str(message)
    text = str(message)
    translated = get_translations().ugettext(text)
    return translated if translated != text else _from_template(text)


def label(value: object) -> str:
    """A name that is either a person's own (a category, a payee: shown as it is) or one the
    app gives (a `Text` such as "Uncategorised": translated)."""
    return _translate(value) if isinstance(value, Text) else str(value)


def _translate(message: Text) -> str:
    catalog = get_translations()
    if message.plural is not None:
        count = int(message.values["count"])
        template = catalog.ungettext(message.template, message.plural, count)
    else:
        template = catalog.ugettext(message.template)
    if not message.values:
        return template
    literal = set(REPR_PLACEHOLDER.findall(message.template))  # %(value)r: quoted as given
    return template % {
        name: value if name in literal else _value(value) for name, value in message.values.items()
    }


def _value(value: object) -> object:
    if isinstance(value, Text):
        return _translate(value)
    if isinstance(value, TextList):
        return value.separator.join(localize(item) for item in value.items)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal):
        return number(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return day(value)
    if isinstance(value, Money):
        return money(value.minor, value.currency)
    return value


# Stored messages (an import's report, kept in the database) are English text again. Written from
# a template, one that matches gives the values back; those named below are messages themselves.
NESTED = {"message", "reason", "problem", "what", "statement"}
NESTED_LISTS = {"problems", "messages"}  # "line 3: …; line 5: …" (a TextList joined by "; ")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sr]")
REPR_PLACEHOLDER = re.compile(r"%\((\w+)\)r")


def _from_template(text: str) -> str:
    for pattern, singular, plural, names in _patterns():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        values = {name: _stored_value(name, match.group(name)) for name in names}
        catalog = get_translations()
        if plural is None:
            translated = catalog.ugettext(singular)
        else:
            count = int(re.sub(r"\D", "", values.get("count") or values.get("num") or "0") or 0)
            translated = catalog.ungettext(singular, plural, count)
        # A %(value)r was written quoted already: it goes back in as it stands.
        return REPR_PLACEHOLDER.sub(r"%(\1)s", translated) % values
    return text


def _stored_value(name: str, value: str) -> str:
    if name in NESTED:
        return localize(value)
    if name in NESTED_LISTS:
        return "; ".join(localize(part) for part in value.split("; "))
    return value


MIN_LITERAL = 6  # "%(what)s not found" is a template; "%(name)s" alone would match anything


@cache
def _patterns() -> list[tuple[re.Pattern[str], str, str | None, list[str]]]:
    """The English templates with placeholders (messages.pot, plural forms too), as patterns, in
    the order to try them: (pattern, singular, plural, names)."""
    with (catalogs.FOLDER / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    found = []
    for message in template:
        if not message.id or message.context:
            continue
        forms = (message.id, None) if isinstance(message.id, str) else tuple(message.id)
        for english in (form for form in forms if form):
            compiled = _compiled(english)
            if compiled is not None:
                found.append((*compiled, forms[0], forms[1]))
    found.sort(key=lambda item: item[2])
    return [(pattern, singular, plural, names) for pattern, names, _, singular, plural in found]


def _compiled(english: str) -> tuple[re.Pattern[str], list[str], tuple[bool, int]] | None:
    if "%(" not in english or "%%" in english:
        return None
    parts = PLACEHOLDER.split(english)
    literal, names, regex = parts[0::2], parts[1::2], ""
    if any("%" in piece for piece in literal) or len("".join(literal)) < MIN_LITERAL:
        return None
    seen: set[str] = set()
    for index, piece in enumerate(literal):
        regex += re.escape(piece)
        if index < len(names):
            name = names[index]
            regex += f"(?P={name})" if name in seen else f"(?P<{name}>.+?)"
            seen.add(name)
    # Composed messages ("line 3: <another message>") are tried before the ones they compose: a
    # template that starts with its own words first, then the most literal text.
    return re.compile(regex, re.S), sorted(seen), (literal[0] == "", -len("".join(literal)))
