"""CSV downloads in the format the person chose on the download: the machine format (the
default, documented in the README) or their own locale's (domain/csv_style.py)."""

from __future__ import annotations

import datetime as dt

from flask import request
from flask_babel import gettext as _
from flask_babel import pgettext

from finance_tracker.domain.csv_style import LOCALE, CsvStyle
from finance_tracker.web import i18n

DIALECT_ARGUMENT = "dialect"  # ?dialect=locale: the person's format


def headings() -> dict[str, str]:
    """Every column name of the CSV downloads, as the reader's language says it."""
    return {
        "date": _("Date"),
        "account": _("Account"),
        "kind": _("Kind"),
        "amount": _("Amount"),
        "currency": _("Currency"),
        "payee": _("Payee"),
        "memo": _("Memo"),
        "category": _("Category"),
        "tags": _("Tags"),
        "transfer_account": _("Transfer account"),
        "transfer_amount": _("Transfer amount"),
        "split_of": _("Split of"),
        "spent": _("Spent"),
        "month": _("Month"),
        "income": pgettext("report column", "Income"),
        "expense": pgettext("report column", "Expense"),
        "net": _("Net"),
        "net_worth": _("Net worth"),
        "payments": _("Payments"),
        "change": _("Change"),
    }


def chosen_style() -> CsvStyle:
    """The style this download asks for (`?dialect=locale`), the machine format otherwise."""
    if request.args.get(DIALECT_ARGUMENT) != LOCALE:
        return CsvStyle()
    kinds = {
        "income": pgettext("kind of transaction", "Income"),
        "expense": pgettext("kind of transaction", "Expense"),
        "transfer": pgettext("kind of transaction", "Transfer"),
    }
    return CsvStyle(i18n.number_locale(), headings(), kinds)


def example() -> dict[str, str]:
    """How each style writes an amount and a date, for the choice on the download."""
    style = CsvStyle(i18n.number_locale())
    day = dt.date(2026, 12, 31)
    return {
        "machine": f"{CsvStyle().amount(-123450, 'EUR')} · {CsvStyle().date(day)}",
        "locale": f"{style.amount(-123450, 'EUR')} · {style.date(day)}",
    }
