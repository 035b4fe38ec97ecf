"""The month_totals summary: recomputed from the transactions themselves, month by month.

Recomputing a touched month (rather than adding deltas) cannot drift: whatever the writes were,
the summary equals a fresh GROUP BY of that month's leaf rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, insert, literal, literal_column, or_, select
from sqlalchemy.orm import Session

from finance_tracker.store.models import MonthTotal, Transaction
from finance_tracker.store.sqlfunctions import month_of


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_of_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def refresh(session: Session, user_id: int, days: Iterable[dt.date] | None = None) -> None:
    """Recompute the months containing `days` for one user (all months when None)."""
    session.flush()
    months = None if days is None else sorted({first_of_month(d) for d in days})
    if months == []:
        return
    wipe = delete(MonthTotal).where(MonthTotal.user_id == user_id)
    month = month_of(Transaction.date)
    category = func.coalesce(Transaction.category_id, literal_column("0"))
    source = select(
        literal(user_id),
        month,
        Transaction.account_id,
        category,
        Transaction.kind,
        func.sum(Transaction.amount_minor),
        func.count(),
    ).where(Transaction.user_id == user_id, Transaction.is_split.is_(False))
    if months is not None:
        wipe = wipe.where(MonthTotal.month.in_(months))
        ranges = [Transaction.date.between(m, last_of_month(m)) for m in months]
        source = source.where(or_(*ranges))
    source = source.group_by(month, Transaction.account_id, category, Transaction.kind)
    session.execute(wipe)
    session.execute(
        insert(MonthTotal).from_select(
            ["user_id", "month", "account_id", "category_id", "kind", "total_minor", "count"],
            source,
        )
    )
