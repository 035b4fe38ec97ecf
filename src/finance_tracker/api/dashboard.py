"""The dashboard's figures: net worth, this month, spending by category, a year of cash flow."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields

from finance_tracker.api import accounts, transactions
from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.conversion import (
    ConversionOut,
    ConvertedMinorOut,
    ConvertedOut,
    present_missing,
    present_use,
)
from finance_tracker.api.schemas import MinorOut, MoneyOut, in_ledger, money
from finance_tracker.api.session import unit_of_work
from finance_tracker.services import dashboard, users
from finance_tracker.services.dashboard import CurrencySummary as Summary

blp = ApiBlueprint(
    "Dashboard",
    __name__,
    url_prefix="/api/v1/dashboard",
    description="Figures in the home currency (`home`: every currency converted at the rate of "
    "each amount's day) and per currency as held (`currencies`).",
)


class CategorySpending(ma.Schema):
    category = fields.String(required=True, metadata={"description": "top-level category"})
    amount = MoneyOut("spent this month")
    amount_minor = MinorOut("spent this month")


class MonthFlow(ma.Schema):
    month = fields.String(required=True, metadata={"example": "2026-01"})
    income = MoneyOut("income")
    income_minor = MinorOut("income")
    spending = MoneyOut("spending")
    spending_minor = MinorOut("spending")


class CurrencySummary(ma.Schema):
    currency = fields.String(required=True)
    net_worth = MoneyOut("sum of the balances of the accounts in this currency")
    net_worth_minor = MinorOut("net worth")
    income_this_month = MoneyOut("income this month")
    income_this_month_minor = MinorOut("income this month")
    spending_this_month = MoneyOut("spending this month, positive")
    spending_this_month_minor = MinorOut("spending this month")
    spending_by_category = fields.List(fields.Nested(CategorySpending), required=True)
    cash_flow = fields.List(
        fields.Nested(MonthFlow),
        required=True,
        metadata={"description": "the last twelve months, oldest first"},
    )


class HomeCategory(ma.Schema):
    category = fields.String(required=True)
    amount = ConvertedOut("spent this month")
    amount_minor = ConvertedMinorOut("spent this month")


class HomeMonth(ma.Schema):
    month = fields.String(required=True, metadata={"example": "2026-01"})
    income = ConvertedOut("income")
    income_minor = ConvertedMinorOut("income")
    spending = ConvertedOut("spending")
    spending_minor = ConvertedMinorOut("spending")


class HomeSummary(ConversionOut):
    net_worth = ConvertedOut("every balance, valued at today's rates,")
    net_worth_minor = ConvertedMinorOut("net worth")
    income_this_month = ConvertedOut("income this month")
    income_this_month_minor = ConvertedMinorOut("income this month")
    spending_this_month = ConvertedOut("spending this month, positive")
    spending_this_month_minor = ConvertedMinorOut("spending this month")
    spending_by_category = fields.List(fields.Nested(HomeCategory), required=True)
    cash_flow = fields.List(fields.Nested(HomeMonth), required=True)


class Dashboard(ma.Schema):
    today = fields.Date(required=True)
    home = fields.Nested(
        HomeSummary,
        required=True,
        metadata={"description": "all currencies together in the home currency, converted"},
    )
    accounts = fields.List(fields.Nested(accounts.Account), required=True)
    currencies = fields.List(fields.Nested(CurrencySummary), required=True)
    recent = fields.List(
        fields.Nested(transactions.Transaction),
        required=True,
        metadata={"description": "the ten latest transactions"},
    )


class DashboardQuery(ma.Schema):
    today = fields.Date(
        load_default=None,
        validate=in_ledger,
        metadata={"description": "the day to compute the figures for; default: today"},
    )


def _summary(summary: Summary) -> dict:
    currency = summary.currency
    return {
        "currency": currency,
        **money("net_worth", summary.net_worth_minor, currency),
        **money("income_this_month", summary.income_this_month_minor, currency),
        **money("spending_this_month", summary.spending_this_month_minor, currency),
        "spending_by_category": [
            {"category": name, **money("amount", total, currency)}
            for name, total in summary.spending_by_category
        ],
        "cash_flow": [
            {
                "month": flow.month,
                **money("income", flow.income_minor, currency),
                **money("spending", flow.spending_minor, currency),
            }
            for flow in summary.cash_flow
        ],
    }


def _home(home: dashboard.HomeSummary) -> dict:
    currency = home.currency
    return {
        "currency": currency,
        "rates_used": [present_use(use) for use in home.used],
        "missing_rates": [present_missing(gap) for gap in home.missing],
        **money("net_worth", home.net_worth_minor, currency),
        **money("income_this_month", home.income_this_month_minor, currency),
        **money("spending_this_month", home.spending_this_month_minor, currency),
        "spending_by_category": [
            {"category": name, **money("amount", total, currency)}
            for name, total in home.spending_by_category
        ],
        "cash_flow": [
            {
                "month": month,
                **money("income", income, currency),
                **money("spending", spending, currency),
            }
            for month, income, spending in home.cash_flow
        ],
    }


@blp.route("/summary")
class DashboardSummary(MethodView):
    @blp.arguments(DashboardQuery, location="query")
    @blp.response(200, Dashboard)
    def get(self, query: dict) -> dict:
        """Net worth, this month's income and spending, spending by category, cash flow"""
        user_id = current_user_id()
        with unit_of_work() as session:
            home = users.home_currency(session, user_id)
            figures = dashboard.build(session, user_id, today=query["today"], home=home)
            assert figures.home is not None
            return {
                "today": figures.today,
                "home": _home(figures.home),
                "accounts": [
                    accounts.present(a.account, a.balance_minor) for a in figures.accounts
                ],
                "currencies": [_summary(summary) for summary in figures.currencies],
                "recent": transactions.present_page(session, user_id, figures.recent),
            }
