"""The dashboard's figures: net worth, this month, spending by category, a year of cash flow."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields

from finance_tracker.api import accounts, transactions
from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.schemas import MinorOut, MoneyOut, in_ledger, money
from finance_tracker.api.session import unit_of_work
from finance_tracker.services import dashboard
from finance_tracker.services.dashboard import CurrencySummary as Summary

blp = ApiBlueprint(
    "Dashboard",
    __name__,
    url_prefix="/api/v1/dashboard",
    description="Figures per currency; amounts in different currencies are never added up.",
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


class Dashboard(ma.Schema):
    today = fields.Date(required=True)
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


@blp.route("/summary")
class DashboardSummary(MethodView):
    @blp.arguments(DashboardQuery, location="query")
    @blp.response(200, Dashboard)
    def get(self, query: dict) -> dict:
        """Net worth, this month's income and spending, spending by category, cash flow"""
        user_id = current_user_id()
        with unit_of_work() as session:
            figures = dashboard.build(session, user_id, today=query["today"])
            return {
                "today": figures.today,
                "accounts": [
                    accounts.present(a.account, a.balance_minor) for a in figures.accounts
                ],
                "currencies": [_summary(summary) for summary in figures.currencies],
                "recent": transactions.present_page(session, user_id, figures.recent),
            }
