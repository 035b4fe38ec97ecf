"""Report aggregates, read from month_totals for whole months and from transactions only for
the partial months at either end of a date range: years of history cost a few hundred rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from finance_tracker.domain.text import Text
from finance_tracker.store.models import Account, MonthTotal, Transaction
from finance_tracker.store.sqlfunctions import month_of
from finance_tracker.store.summaries import first_of_month, last_of_month, settle

NO_PAYEE = Text("(no payee)")  # the payee of transactions without one, in the top payees


@dataclass(frozen=True, slots=True)
class Span:
    """A date range cut into whole months (served by the summary) and ragged ends (raw rows)."""

    first_full_month: dt.date | None
    last_full_month: dt.date | None
    ragged: list[tuple[dt.date, dt.date]]


def split_range(start: dt.date, end: dt.date) -> Span:
    first_full = start if start.day == 1 else last_of_month(start) + dt.timedelta(days=1)
    last_full = first_of_month(end) if end == last_of_month(end) else None
    if last_full is None:
        last_full = first_of_month(first_of_month(end) - dt.timedelta(days=1))
    if first_full > last_full:  # no whole month inside: all raw
        return Span(None, None, [(start, end)])
    ragged = []
    if start < first_full:
        ragged.append((start, first_full - dt.timedelta(days=1)))
    if end > last_of_month(last_full):
        ragged.append((last_of_month(last_full) + dt.timedelta(days=1), end))
    return Span(first_full, last_full, ragged)


# Rows are (currency, month, category_id or 0, kind, total_minor).
Row = tuple[str, dt.date, int, str, int]


def totals(
    session: Session,
    user_id: int,
    start: dt.date,
    end: dt.date,
    kinds: tuple[str, ...],
    *,
    by_category: bool = True,
) -> list[Row]:
    """Sums by currency, month, category and kind between two dates inclusive. Without
    `by_category` every row has category 0: fewer groups for reports that need no categories."""
    settle(session, user_id)  # what was written before this read counts
    span = split_range(start, end)
    rows: list[Row] = []
    if span.first_full_month is not None:
        category = MonthTotal.category_id if by_category else literal_column("0")
        query = (
            select(
                Account.currency,
                MonthTotal.month,
                category,
                MonthTotal.kind,
                func.sum(MonthTotal.total_minor),
            )
            .join(Account, Account.id == MonthTotal.account_id)
            .where(
                MonthTotal.user_id == user_id,
                MonthTotal.month.between(span.first_full_month, span.last_full_month),
                MonthTotal.kind.in_(kinds),
            )
            .group_by(Account.currency, MonthTotal.month, MonthTotal.kind)
        )
        if by_category:
            query = query.group_by(MonthTotal.category_id)
        rows.extend((c, m, cat, k, int(t)) for c, m, cat, k, t in session.execute(query).all())
    for low, high in span.ragged:
        month = month_of(Transaction.date)
        raw_category = func.coalesce(Transaction.category_id, literal_column("0"))
        query = (
            select(
                Account.currency,
                month,
                raw_category if by_category else literal_column("0"),
                Transaction.kind,
                func.sum(Transaction.amount_minor),
            )
            .join(Account, Account.id == Transaction.account_id)
            .where(
                Transaction.user_id == user_id,
                Transaction.is_split.is_(False),
                Transaction.date.between(low, high),
                Transaction.kind.in_(kinds),
            )
            .group_by(Account.currency, month, Transaction.kind)
        )
        if by_category:
            query = query.group_by(raw_category)
        for currency, month_value, cat, kind, total in session.execute(query).all():
            if isinstance(month_value, str):  # SQLite hands dates back as text
                month_value = dt.date.fromisoformat(month_value)
            rows.append((currency, month_value, int(cat), kind, int(total)))
    return rows


def flows_before(session: Session, user_id: int, day: dt.date) -> dict[str, int]:
    """Currency -> every movement (all kinds) strictly before `day`."""
    settle(session, user_id)  # what was written before this read counts
    result: dict[str, int] = defaultdict(int)
    if day.day != 1:
        for currency, _m, _c, _k, total in totals(
            session, user_id, first_of_month(day), day - dt.timedelta(days=1),
            ("income", "expense", "transfer"), by_category=False,
        ):  # fmt: skip
            result[currency] += total
    query = (
        select(Account.currency, func.sum(MonthTotal.total_minor))
        .join(Account, Account.id == MonthTotal.account_id)
        .where(MonthTotal.user_id == user_id, MonthTotal.month < first_of_month(day))
        .group_by(Account.currency)
    )
    for currency, total in session.execute(query):
        result[currency] += int(total)
    return dict(result)


def account_balances(session: Session, user_id: int) -> dict[int, int]:
    """Account id -> opening balance plus every movement, from the month totals."""
    settle(session, user_id)  # what was written before this read counts
    moved = dict(
        session.execute(
            select(MonthTotal.account_id, func.sum(MonthTotal.total_minor))
            .where(MonthTotal.user_id == user_id)
            .group_by(MonthTotal.account_id)
        ).all()
    )
    openings = session.execute(
        select(Account.id, Account.opening_balance_minor).where(Account.user_id == user_id)
    ).all()
    return {a: opening + int(moved.get(a) or 0) for a, opening in openings}


def opening_balances(session: Session, user_id: int) -> dict[str, int]:
    query = (
        select(Account.currency, func.sum(Account.opening_balance_minor))
        .where(Account.user_id == user_id)
        .group_by(Account.currency)
    )
    return {currency: int(total) for currency, total in session.execute(query)}


def top_payees(
    session: Session, user_id: int, start: dt.date, end: dt.date, limit: int
) -> list[tuple[str, str, int, int]]:
    """(currency, payee, amount spent, number of payments), biggest first."""
    spent = -func.sum(Transaction.amount_minor)
    query = (
        select(Account.currency, Transaction.payee, spent, func.count())
        .join(Account, Account.id == Transaction.account_id)
        .where(
            Transaction.user_id == user_id,
            Transaction.parent_id.is_(None),
            Transaction.kind == "expense",
            Transaction.date.between(start, end),
        )
        .group_by(Account.currency, Transaction.payee)
        .order_by(spent.desc())
        .limit(limit)
    )
    return [(c, p or NO_PAYEE, int(s), int(n)) for c, p, s, n in session.execute(query)]
