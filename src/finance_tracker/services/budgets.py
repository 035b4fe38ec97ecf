"""Budgets: an amount per category per month, budget vs actual, rollover, copy last month."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finance_tracker.domain.budgets import BudgetLine, MonthBudget, line_for, previous_month
from finance_tracker.domain.money import MoneyError, normalise_currency, parse_amount
from finance_tracker.domain.rates import Converter, MissingRate
from finance_tracker.domain.text import Text, message_of
from finance_tracker.services import categories, rates, users
from finance_tracker.services.converted import Notes, notes_of
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.store import rate_queries
from finance_tracker.store.models import Account, Budget, MonthTotal
from finance_tracker.store.sqlfunctions import added
from finance_tracker.store.summaries import first_of_month, last_of_month, settle


@dataclass
class BudgetInput:
    category_id: int
    month: dt.date
    amount: str | int | Decimal
    currency: str
    rollover: bool = False


@dataclass(frozen=True)
class BudgetRow:
    budget_id: int
    category_id: int
    category_name: str
    currency: str
    rollover: bool
    line: BudgetLine
    # This month's spending per currency as it was spent (the budget's own and the others that
    # `line.spent_minor` counts converted), and the rates missing to convert some of it.
    originals: dict[str, int] = field(default_factory=dict)
    missing: list[MissingRate] = field(default_factory=list)


@dataclass(frozen=True)
class BudgetMonth:
    month: dt.date
    rows: list[BudgetRow]
    notes: list[Notes] = field(default_factory=list)  # per budget currency: the rates used

    def totals(self) -> dict[str, BudgetLine]:
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for row in self.rows:
            total = sums[row.currency]
            total[0] += row.line.budgeted_minor
            total[1] += row.line.carried_minor
            total[2] += row.line.spent_minor
        return {currency: BudgetLine(*values) for currency, values in sums.items()}


def _account_currencies(session: Session, user_id: int) -> set[str]:
    return set(session.scalars(select(Account.currency).where(Account.user_id == user_id)))


def set_budget(session: Session, user_id: int, data: BudgetInput) -> Budget:
    """Create or replace the budget of a category for a month."""
    errors: dict[str, str] = {}
    try:
        categories.get(session, user_id, data.category_id)
    except NotFound:
        errors["category_id"] = Text("unknown category")
    currency = ""
    try:
        currency = normalise_currency(data.currency)
    except MoneyError as error:
        errors["currency"] = message_of(error)
    if currency and currency not in _account_currencies(session, user_id) | {
        users.home_currency(session, user_id)
    }:
        errors["currency"] = Text(
            "you have no account in %(currency)s and it is not your home currency",
            currency=currency,
        )
    amount = 0
    if currency and "currency" not in errors:
        try:
            amount = parse_amount(data.amount, currency)
            if amount < 0:
                errors["amount"] = Text("a budget cannot be negative")
        except MoneyError as error:
            errors["amount"] = message_of(error)
    if errors:
        raise InvalidInput(errors)
    month = first_of_month(data.month)
    existing = select(Budget).where(
        Budget.user_id == user_id, Budget.category_id == data.category_id, Budget.month == month
    )
    budget = session.scalar(existing)
    values = {"amount_minor": amount, "currency": currency, "rollover": bool(data.rollover)}
    if budget is None:
        budget = Budget(user_id=user_id, category_id=data.category_id, month=month, **values)
        if added(session, budget):
            return budget
        # Another request created it a moment ago: replace that one, as if it came first.
        budget = session.scalars(existing.execution_options(populate_existing=True)).one()
    for name, value in values.items():
        setattr(budget, name, value)
    session.flush()
    return budget


def delete(session: Session, user_id: int, budget_id: int) -> None:
    budget = session.get(Budget, budget_id)
    if budget is None or budget.user_id != user_id:
        raise NotFound("budget")
    session.delete(budget)
    session.flush()


def copy_previous(session: Session, user_id: int, month: dt.date) -> int:
    """Copy last month's budgets into `month`, leaving categories already budgeted alone."""
    month = first_of_month(month)
    have = set(
        session.scalars(
            select(Budget.category_id).where(Budget.user_id == user_id, Budget.month == month)
        )
    )
    copied = 0
    for old in session.scalars(
        # In category order: two copies at once then wait for each other row by row, never
        # each holding a row the other needs next (a deadlock).
        select(Budget)
        .where(Budget.user_id == user_id, Budget.month == previous_month(month))
        .order_by(Budget.category_id)
    ):
        if old.category_id not in have:
            copy = Budget(
                user_id=user_id, category_id=old.category_id, month=month,
                amount_minor=old.amount_minor, currency=old.currency, rollover=old.rollover,
            )  # fmt: skip
            # Copied twice at once: the second copy leaves alone what the first just wrote.
            copied += added(session, copy)
    return copied


def month_view(session: Session, user_id: int, month: dt.date) -> BudgetMonth:
    """Budget vs actual for every category budgeted in `month`: a handful of queries, however
    long the history. Only budgets that roll over reach back into earlier months."""
    month = first_of_month(month)
    current = list(
        session.scalars(select(Budget).where(Budget.user_id == user_id, Budget.month == month))
    )
    if not current:
        return BudgetMonth(month, [])
    wanted = {b.category_id for b in current}
    tree = categories.list_all(session, user_id)  # one query, parents included
    names = {c.id: c.full_name for c in tree}
    covers: dict[int, set[int]] = {category_id: {category_id} for category_id in wanted}
    for category in tree:
        if category.parent_id in covers:
            covers[category.parent_id].add(category.id)
    history: dict[int, dict[dt.date, MonthBudget]] = defaultdict(dict)
    for budget in current:
        history[budget.category_id][month] = MonthBudget(
            month, budget.amount_minor, budget.rollover
        )
    for budget in session.scalars(
        select(Budget).where(
            Budget.user_id == user_id,
            Budget.category_id.in_(wanted),
            Budget.month < month,
            Budget.rollover.is_(True),
        )
    ):
        history[budget.category_id][budget.month] = MonthBudget(
            budget.month, budget.amount_minor, True
        )
    earliest = month
    for category_id in wanted:
        earlier = previous_month(month)
        while earlier in history[category_id]:
            earliest = min(earliest, earlier)
            earlier = previous_month(earlier)
    counted = {c for ids in covers.values() for c in ids}
    spent_by: dict[tuple[int, str, dt.date], int] = defaultdict(int)
    settle(session, user_id)  # what was written before this read counts
    query = (
        select(
            MonthTotal.category_id,
            Account.currency,
            MonthTotal.month,
            func.sum(MonthTotal.total_minor),
        )
        .join(Account, Account.id == MonthTotal.account_id)
        .where(
            MonthTotal.user_id == user_id,
            MonthTotal.kind == "expense",
            MonthTotal.category_id.in_(counted),
            MonthTotal.month.between(earliest, month),
        )
        .group_by(MonthTotal.category_id, Account.currency, MonthTotal.month)
    )
    for category_id, currency, spent_month, total in session.execute(query).all():
        spent_by[(category_id, currency, spent_month)] -= int(total)
    converters = _convert_other_currencies(
        session, user_id, current, covers, counted, earliest, month
    )
    by_category: dict[int, list[tuple[str, dt.date, int]]] = defaultdict(list)
    for (category_id, currency, spent_month), amount in spent_by.items():
        by_category[category_id].append((currency, spent_month, amount))
    converted_months: dict[tuple[str, int], set[dt.date]] = defaultdict(set)
    for currency, converter in converters.items():
        for budget_category, spent_month in converter.sums_kept():
            converted_months[(currency, budget_category)].add(spent_month)
    rows = []
    for budget in current:
        spent: dict[dt.date, int] = defaultdict(int)
        originals: dict[str, int] = defaultdict(int)
        for category_id in covers[budget.category_id]:
            for currency, spent_month, amount in by_category.get(category_id, ()):
                if currency == budget.currency:
                    spent[spent_month] += amount
                if spent_month == month:
                    originals[currency] += amount
        converter = converters[budget.currency]
        missing = []
        for spent_month in converted_months[(budget.currency, budget.category_id)]:
            converted = converter.total((budget.category_id, spent_month))
            if converted is None:
                missing = converter.missing_rates()
            else:
                spent[spent_month] += converted
        line = line_for(month, history[budget.category_id], spent)
        rows.append(
            BudgetRow(
                budget.id,
                budget.category_id,
                names[budget.category_id],
                budget.currency,
                budget.rollover,
                line,
                {c: a for c, a in sorted(originals.items()) if a},
                missing,
            )  # fmt: skip
        )
    return BudgetMonth(
        month,
        sorted(rows, key=lambda r: r.category_name.lower()),
        [notes_of(c) for _currency, c in sorted(converters.items())],
    )


def _convert_other_currencies(
    session: Session,
    user_id: int,
    current: list[Budget],
    covers: dict[int, set[int]],
    counted: set[int],
    earliest: dt.date,
    month: dt.date,
) -> dict[str, Converter]:
    """Per budget currency: what was spent from accounts in other currencies, converted at each
    day's rate, keyed (budgeted category, month)."""
    converters = {}
    end = last_of_month(month)
    for currency in sorted({b.currency for b in current}):
        book, foreign = rates.book_for(session, user_id, currency, earliest, end)
        converter = converters[currency] = Converter(book, currency)
        if not foreign:
            continue
        # A spent category -> the budgeted ones it counts towards (itself, its parent's).
        counts_towards: dict[int, list[int]] = defaultdict(list)
        for budget in current:
            if budget.currency == currency:
                for category_id in covers[budget.category_id]:
                    counts_towards[category_id].append(budget.category_id)
        converter.add_all(
            ((budget_category, first_of_month(day)), -total, spent_in, day)
            for spent_in, day, category_id, _kind, total in rate_queries.day_totals(
                session, foreign, user_id, earliest, end, ("expense",), category_ids=counted
            )
            for budget_category in counts_towards.get(category_id, ())
        )
    return converters
