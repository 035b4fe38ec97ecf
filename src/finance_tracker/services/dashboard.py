"""What the dashboard shows: net worth, balances, this month, spending by category, cash flow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from finance_tracker.services import accounts, transactions
from finance_tracker.store import queries
from finance_tracker.store.models import Transaction


@dataclass
class MonthFlow:
    month: str  # "2026-11"
    income_minor: int
    spending_minor: int


@dataclass
class CurrencySummary:
    currency: str
    net_worth_minor: int
    income_this_month_minor: int
    spending_this_month_minor: int
    spending_by_category: list[tuple[str, int]]
    cash_flow: list[MonthFlow]


@dataclass
class Dashboard:
    today: dt.date
    accounts: list[accounts.AccountWithBalance]
    currencies: list[CurrencySummary]
    recent: list[Transaction]


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return month_start(day, -1) - dt.timedelta(days=1)


def build(session: Session, user_id: int, today: dt.date | None = None) -> Dashboard:
    today = today or dt.date.today()
    first, last = month_start(today), month_end(today)
    balances = accounts.list_with_balances(session, user_id)
    this_month = queries.income_and_spending(session, user_id, first, last)
    by_category = queries.spending_by_top_category(session, user_id, first, last)
    flow_rows = queries.monthly_cash_flow(session, user_id, month_start(today, 11), last)

    currencies = {a.account.currency for a in balances} | set(this_month)
    months = [month_start(today, back) for back in range(11, -1, -1)]
    summaries = []
    for currency in sorted(currencies):
        flow = {(m.year, m.month): [0, 0] for m in months}
        for c, year, month, kind, total in flow_rows:
            if c == currency and (year, month) in flow:
                flow[(year, month)][0 if kind == "income" else 1] += (
                    total if kind == "income" else -total
                )
        income, spending = this_month.get(currency, (0, 0))
        summaries.append(
            CurrencySummary(
                currency=currency,
                net_worth_minor=sum(
                    a.balance_minor for a in balances if a.account.currency == currency
                ),
                income_this_month_minor=income,
                spending_this_month_minor=spending,
                spending_by_category=[(n, t) for c, n, t in by_category if c == currency],
                cash_flow=[
                    MonthFlow(f"{y:04d}-{m:02d}", inc, spent)
                    for (y, m), (inc, spent) in flow.items()
                ],
            )
        )
    recent = transactions.search(session, user_id, per_page=10).items
    return Dashboard(today, balances, summaries, recent)
