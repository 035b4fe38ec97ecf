"""The dashboard: per currency, net worth, this month, where the money went, cash flow."""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_babel import gettext as _
from flask_babel import pgettext

from finance_tracker.domain.money import format_plain, minor_digits
from finance_tracker.services import dashboard, transactions
from finance_tracker.services.dashboard import CurrencySummary
from finance_tracker.web import i18n
from finance_tracker.web.helpers import private_blueprint, unit_of_work, user_id

blueprint = private_blueprint("dashboard", __name__, "/")


def month_label(month: str) -> str:
    """'2026-11' -> 'Nov 2026', 'Nov. 2026': in the reader's locale."""
    year, number = month.split("-")
    return i18n.short_month(dt.date(int(year), int(number), 1))


def chart_data(summary: CurrencySummary) -> dict:
    """What static/charts.js draws. Amounts travel as decimal strings ("12.30"): the script
    only turns them into numbers to size bars and slices."""
    currency = summary.currency
    return {
        "currency": currency,
        "digits": minor_digits(currency),
        "categories": {
            "labels": [i18n.label(name) for name, _ in summary.spending_by_category],
            "values": [format_plain(total, currency) for _, total in summary.spending_by_category],
        },
        "flow": {
            "labels": [month_label(m.month) for m in summary.cash_flow],
            "income": [format_plain(m.income_minor, currency) for m in summary.cash_flow],
            "spending": [format_plain(m.spending_minor, currency) for m in summary.cash_flow],
            "series": [pgettext("report column", "Income"), _("Spending")],
        },
    }


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        board = dashboard.build(session, user_id())
        return render_template(
            "dashboard/index.html",
            board=board,
            charts={s.currency: chart_data(s) for s in board.currencies},
            month=i18n.month_name(board.today),
            counterparts=transactions.transfer_counterparts(session, user_id(), board.recent),
            month_label=month_label,
        )
