"""The dashboard: per currency, net worth, this month, where the money went, cash flow."""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user

from finance_tracker.domain.money import minor_digits
from finance_tracker.services import dashboard, transactions
from finance_tracker.services.dashboard import CurrencySummary
from finance_tracker.web import i18n
from finance_tracker.web.helpers import chart_amount, private_blueprint, unit_of_work, user_id

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
            "values": [chart_amount(total, currency) for _, total in summary.spending_by_category],
        },
        "flow": {
            "labels": [month_label(m.month) for m in summary.cash_flow],
            "income": [chart_amount(m.income_minor, currency) for m in summary.cash_flow],
            "spending": [chart_amount(m.spending_minor, currency) for m in summary.cash_flow],
            "series": [pgettext("report column", "Income"), _("Spending")],
        },
    }


def as_summary(home: dashboard.HomeSummary) -> CurrencySummary:
    """The converted figures in the shape of a currency's own, for the same section."""
    return CurrencySummary(
        currency=home.currency,
        net_worth_minor=home.net_worth_minor,  # type: ignore[arg-type]
        income_this_month_minor=home.income_this_month_minor,  # type: ignore[arg-type]
        spending_this_month_minor=home.spending_this_month_minor,  # type: ignore[arg-type]
        spending_by_category=home.spending_by_category,  # type: ignore[arg-type]
        cash_flow=[dashboard.MonthFlow(m, i, s) for m, i, s in home.cash_flow],  # type: ignore[arg-type]
    )


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    home_currency = str(current_user.default_currency)
    with unit_of_work() as session:
        board = dashboard.build(session, user_id(), home=home_currency)
        held = [s.currency for s in board.currencies]
        home = None
        charts = {s.currency: chart_data(s) for s in board.currencies}
        if board.home is not None and held and held != [home_currency]:
            home = as_summary(board.home)
            charts["home"] = chart_data(home)
        return render_template(
            "dashboard/index.html",
            board=board,
            home=home,
            home_notes=board.home,
            charts=charts,
            month=i18n.month_name(board.today),
            counterparts=transactions.transfer_counterparts(session, user_id(), board.recent),
            month_label=month_label,
        )
