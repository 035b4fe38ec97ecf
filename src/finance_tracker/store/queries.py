"""Aggregate queries. Every sum runs over leaf rows (`is_split` false) and is scoped by user."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, extract, func, select
from sqlalchemy.orm import Session, aliased

from finance_tracker.store.models import Account, Category, Transaction

LEAF = Transaction.is_split.is_(False)


def balances(session: Session, user_id: int) -> dict[int, int]:
    """Account id -> current balance in minor units (opening balance included)."""
    sums = dict(
        session.execute(
            select(Transaction.account_id, func.sum(Transaction.amount_minor))
            .where(Transaction.user_id == user_id, LEAF)
            .group_by(Transaction.account_id)
        ).all()
    )
    accounts = session.execute(
        select(Account.id, Account.opening_balance_minor).where(Account.user_id == user_id)
    ).all()
    return {
        account_id: opening + int(sums.get(account_id) or 0) for account_id, opening in accounts
    }


def income_and_spending(
    session: Session, user_id: int, start: dt.date, end: dt.date
) -> dict[str, tuple[int, int]]:
    """Currency -> (income, spending) between two dates inclusive; transfers excluded."""
    rows = session.execute(
        select(Account.currency, Transaction.kind, func.sum(Transaction.amount_minor))
        .join(Account, Account.id == Transaction.account_id)
        .where(
            Transaction.user_id == user_id,
            LEAF,
            Transaction.kind.in_(("income", "expense")),
            Transaction.date.between(start, end),
        )
        .group_by(Account.currency, Transaction.kind)
    ).all()
    result: dict[str, tuple[int, int]] = {}
    for currency, kind, total in rows:
        income, spending = result.get(currency, (0, 0))
        if kind == "income":
            income += int(total)
        else:
            spending -= int(total)
        result[currency] = (income, spending)
    return result


def spending_by_top_category(
    session: Session, user_id: int, start: dt.date, end: dt.date
) -> list[tuple[str, str, int]]:
    """(currency, top-level category name or 'Uncategorised', amount spent), largest first."""
    parent = aliased(Category)
    top_name = func.coalesce(parent.name, Category.name, "Uncategorised")
    rows = session.execute(
        select(Account.currency, top_name, -func.sum(Transaction.amount_minor))
        .join(Account, Account.id == Transaction.account_id)
        .outerjoin(Category, Category.id == Transaction.category_id)
        .outerjoin(parent, parent.id == Category.parent_id)
        .where(
            Transaction.user_id == user_id,
            LEAF,
            Transaction.kind == "expense",
            Transaction.date.between(start, end),
        )
        .group_by(Account.currency, top_name)
        .order_by(-func.sum(Transaction.amount_minor).desc())
    ).all()
    return [(currency, name, int(total)) for currency, name, total in rows]


def monthly_cash_flow(
    session: Session, user_id: int, start: dt.date, end: dt.date
) -> list[tuple[str, int, int, str, int]]:
    """(currency, year, month, kind, total) for income and expense rows between two dates."""
    year = extract("year", Transaction.date)
    month = extract("month", Transaction.date)
    rows = session.execute(
        select(Account.currency, year, month, Transaction.kind, func.sum(Transaction.amount_minor))
        .join(Account, Account.id == Transaction.account_id)
        .where(
            and_(
                Transaction.user_id == user_id,
                LEAF,
                Transaction.kind.in_(("income", "expense")),
                Transaction.date.between(start, end),
            )
        )
        .group_by(Account.currency, year, month, Transaction.kind)
    ).all()
    return [(c, int(y), int(m), k, int(t)) for c, y, m, k, t in rows]


def transaction_count(session: Session, account_id: int) -> int:
    return int(
        session.scalar(select(func.count()).where(Transaction.account_id == account_id, LEAF)) or 0
    )
