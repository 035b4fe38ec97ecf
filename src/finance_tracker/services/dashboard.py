"""What the dashboard shows: net worth, balances, this month, spending by category, cash flow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from finance_tracker.domain.rates import MissingRate, RateUse
from finance_tracker.services import accounts, converted, reports, transactions
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
class HomeSummary:
    """Everything above in the home currency, converted at each amount's day's rate; a figure
    is None where a rate is missing (`missing` says which)."""

    currency: str
    net_worth_minor: int | None
    income_this_month_minor: int | None
    spending_this_month_minor: int | None
    spending_by_category: list[tuple[str, int | None]]
    cash_flow: list[tuple[str, int | None, int | None]]
    used: list[RateUse]
    missing: list[MissingRate]


@dataclass
class Dashboard:
    today: dt.date
    accounts: list[accounts.AccountWithBalance]
    currencies: list[CurrencySummary]
    recent: list[Transaction]
    home: HomeSummary | None = None


def month_start(day: dt.date, months_back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return month_start(day, -1) - dt.timedelta(days=1)


def home_summary(
    session: Session,
    user_id: int,
    home: str,
    today: dt.date,
    balances: list[accounts.AccountWithBalance],
    year_flows: list[reports.MonthFlow],
    spending: converted.Spending,
    prepared: converted.Prepared,
) -> HomeSummary:
    """The converted figures, from what `build` read per currency and one rate book."""
    held: dict[str, int] = {}
    for row in balances:
        held[row.account.currency] = held.get(row.account.currency, 0) + row.balance_minor
    worth, worth_notes = converted.net_worth_on(session, user_id, home, held, today, prepared)
    flows = converted.income_expense_by_month(
        session, user_id, home, month_start(today, 11), month_end(today), year_flows, prepared
    )
    current = flows.months[-1]
    missing: dict[str, MissingRate] = {}
    used: dict[str, RateUse] = {}
    for notes in (worth_notes, flows.notes, spending.notes):
        for gap in notes.missing:
            if gap.source not in missing or gap.first_day < missing[gap.source].first_day:
                missing[gap.source] = gap
        for use in notes.used:
            used.setdefault(use.source, use)
    return HomeSummary(
        home,
        worth,
        current.income_minor,
        current.expense_minor,
        [(row.name, row.spent_minor) for row in spending.rows],
        [(f"{m.month:%Y-%m}", m.income_minor, m.expense_minor) for m in flows.months],
        sorted(used.values(), key=lambda u: u.source),
        sorted(missing.values(), key=lambda m: m.source),
    )


def build(
    session: Session, user_id: int, today: dt.date | None = None, home: str | None = None
) -> Dashboard:
    """Everything comes from the month totals and the accounts: no scan of the history."""
    today = today or dt.date.today()
    first, last = month_start(today), month_end(today)
    balances = accounts.list_with_balances(session, user_id)
    flows = reports.income_expense_by_month(session, user_id, month_start(today, 11), last)
    prepared = spending = None
    if home:  # the rates of the year shown, read once; the month's spending read once
        prepared = converted.prepare(session, user_id, home, month_start(today, 11), last)
        spending = converted.spending_by_category(
            session, user_id, home, first, last, prepared=prepared
        )
        by_category = spending.by_currency
    else:
        by_category = reports.spending_by_category(session, user_id, first, last)
    currencies = {a.account.currency for a in balances} | {f.currency for f in flows}
    summaries = []
    for currency in sorted(currencies):
        months = [f for f in flows if f.currency == currency]
        current = next((f for f in months if f.month == first), None)
        summaries.append(
            CurrencySummary(
                currency=currency,
                net_worth_minor=sum(
                    a.balance_minor for a in balances if a.account.currency == currency
                ),
                income_this_month_minor=current.income_minor if current else 0,
                spending_this_month_minor=current.expense_minor if current else 0,
                spending_by_category=[
                    (r.name, r.spent_minor) for r in by_category if r.currency == currency
                ],
                cash_flow=[
                    MonthFlow(f.month.strftime("%Y-%m"), f.income_minor, f.expense_minor)
                    for f in months
                ]
                or [
                    MonthFlow(month_start(today, back).strftime("%Y-%m"), 0, 0)
                    for back in range(11, -1, -1)
                ],
            )
        )
    recent = transactions.search(session, user_id, per_page=10, count=False).items
    summary = None
    if home and spending is not None and prepared is not None:
        summary = home_summary(
            session, user_id, home, today, balances, flows, spending, prepared
        )  # fmt: skip
    return Dashboard(today, balances, summaries, recent, summary)
