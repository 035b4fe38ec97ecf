"""Reports: spending by category, income vs expense by month, net worth over time, top payees,
month over month. Each returns plain rows that pages, CSV downloads and the API share."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from finance_tracker.domain.ledger import check_date
from finance_tracker.domain.text import Text, message_of
from finance_tracker.services import categories
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.store import report_queries
from finance_tracker.store.summaries import first_of_month, last_of_month

MAX_YEARS = 50
UNCATEGORISED = Text("Uncategorised")


def check_range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    if start is None or end is None:
        raise InvalidInput({"date_from" if start is None else "date_to": Text("enter a date")})
    for name, day in (("date_from", start), ("date_to", end)):
        try:
            check_date(day)
        except ValueError as error:
            raise InvalidInput({name: message_of(error)}) from None
    if start > end:
        raise InvalidInput({"date_to": Text("the end date is before the start date")})
    if (end - start).days > 366 * MAX_YEARS:
        raise InvalidInput(
            {"date_to": Text("reports span at most %(count)s years", count=MAX_YEARS)}
        )
    return start, end


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months, current = [], first_of_month(start)
    while current <= end:
        months.append(current)
        current = last_of_month(current) + dt.timedelta(days=1)
    return months


@dataclass(frozen=True)
class CategoryTotal:
    currency: str
    category_id: int | None
    name: str
    spent_minor: int
    has_children: bool


NOT_COUNTED = object()  # a category outside the drill-down's parent


def category_key(tree: dict, parent_id: int | None, category_id: int | None) -> int | None | object:
    """The row a category's spending counts in: its top-level category, or, drilling down into
    `parent_id`, the subcategory itself (NOT_COUNTED for categories of other parents)."""
    category = tree.get(category_id)
    if parent_id is None:
        return None if category is None else (category.parent_id or category.id)
    if category is not None and parent_id in (category.id, category.parent_id):
        return category.id
    return NOT_COUNTED


def spending_by_category(
    session: Session,
    user_id: int,
    start: dt.date,
    end: dt.date,
    parent_id: int | None = None,
    tree: dict | None = None,
) -> list[CategoryTotal]:
    """Spending per top-level category, or per subcategory of `parent_id` (the drill-down).
    `tree`: the person's categories by id, if the caller has read them already."""
    start, end = check_range(start, end)
    if tree is None:
        tree = {c.id: c for c in categories.list_all(session, user_id)}
    if parent_id is not None and (parent_id not in tree or tree[parent_id].parent_id is not None):
        raise NotFound("category")
    parents_with_children = {c.parent_id for c in tree.values() if c.parent_id is not None}
    sums: dict[tuple[str, int | None], int] = defaultdict(int)
    for currency, _month, category_id, _kind, total in report_queries.totals(
        session, user_id, start, end, ("expense",)
    ):
        key = category_key(tree, parent_id, category_id or None)
        if key is not NOT_COUNTED:
            sums[(currency, key)] -= total  # type: ignore[index]
    rows = [
        CategoryTotal(
            currency,
            key,
            UNCATEGORISED
            if key is None
            else (
                tree[key].name
                if parent_id is None or key != parent_id
                else Text("%(category)s (no subcategory)", category=tree[key].name)
            ),
            spent,
            parent_id is None and key in parents_with_children,
        )  # fmt: skip
        for (currency, key), spent in sums.items()
        if spent != 0
    ]
    return sorted(rows, key=lambda r: (r.currency, -r.spent_minor, r.name))


@dataclass(frozen=True)
class MonthFlow:
    currency: str
    month: dt.date
    income_minor: int
    expense_minor: int

    @property
    def net_minor(self) -> int:
        return self.income_minor - self.expense_minor


def income_expense_by_month(
    session: Session, user_id: int, start: dt.date, end: dt.date
) -> list[MonthFlow]:
    """Every month in the range, per currency, including months with nothing in them."""
    start, end = check_range(start, end)
    flows: dict[tuple[str, dt.date], list[int]] = {}
    currencies: set[str] = set()
    for currency, month, _category, kind, total in report_queries.totals(
        session, user_id, start, end, ("income", "expense"), by_category=False
    ):
        currencies.add(currency)
        pair = flows.setdefault((currency, month), [0, 0])
        if kind == "income":
            pair[0] += total
        else:
            pair[1] -= total
    return [
        MonthFlow(currency, month, *flows.get((currency, month), [0, 0]))
        for currency in sorted(currencies)
        for month in months_between(start, end)
    ]


@dataclass(frozen=True)
class NetWorthPoint:
    currency: str
    day: dt.date  # the last day of the month, or the end of the range
    net_worth_minor: int


def net_worth_over_time(
    session: Session, user_id: int, start: dt.date, end: dt.date
) -> list[NetWorthPoint]:
    start, end = check_range(start, end)
    running = defaultdict(int, report_queries.opening_balances(session, user_id))
    for currency, total in report_queries.flows_before(session, user_id, start).items():
        running[currency] += total
    moves: dict[tuple[str, dt.date], int] = defaultdict(int)
    for currency, month, _c, _k, total in report_queries.totals(
        session, user_id, start, end, ("income", "expense", "transfer"), by_category=False
    ):
        moves[(currency, month)] += total
    points = []
    for month in months_between(start, end):
        for currency in sorted(running):
            running[currency] += moves.get((currency, month), 0)
            points.append(
                NetWorthPoint(currency, min(last_of_month(month), end), running[currency])
            )
    return points


@dataclass(frozen=True)
class PayeeTotal:
    currency: str
    payee: str
    spent_minor: int
    payments: int


def top_payees(
    session: Session, user_id: int, start: dt.date, end: dt.date, limit: int = 10
) -> list[PayeeTotal]:
    start, end = check_range(start, end)
    if not 1 <= limit <= 100:
        raise InvalidInput({"limit": Text("between 1 and %(count)s", count=100)})
    return [
        PayeeTotal(*row) for row in report_queries.top_payees(session, user_id, start, end, limit)
    ]


@dataclass(frozen=True)
class Comparison:
    currency: str
    category_id: int | None
    name: str
    previous_minor: int
    current_minor: int

    @property
    def change_minor(self) -> int:
        return self.current_minor - self.previous_minor


def month_over_month(session: Session, user_id: int, month: dt.date) -> list[Comparison]:
    """Spending per top-level category in `month` beside the month before."""
    current = first_of_month(month)
    previous = first_of_month(current - dt.timedelta(days=1))
    this = {(r.currency, r.category_id): r for r in spending_by_category(
        session, user_id, current, last_of_month(current))}  # fmt: skip
    before = {(r.currency, r.category_id): r for r in spending_by_category(
        session, user_id, previous, last_of_month(previous))}  # fmt: skip
    rows = [
        Comparison(
            currency,
            category_id,
            (this.get(key) or before[key]).name,
            before[key].spent_minor if key in before else 0,
            this[key].spent_minor if key in this else 0,
        )  # fmt: skip
        for key in this.keys() | before.keys()
        for currency, category_id in [key]
    ]
    return sorted(rows, key=lambda r: (r.currency, -max(r.current_minor, r.previous_minor), r.name))
