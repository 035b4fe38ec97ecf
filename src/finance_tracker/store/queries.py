"""Small queries of accounts. Sums over history live in report_queries (month totals)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finance_tracker.store import report_queries
from finance_tracker.store.models import Transaction

LEAF = Transaction.is_split.is_(False)


def balances(session: Session, user_id: int) -> dict[int, int]:
    """Account id -> current balance in minor units (opening balance included)."""
    return report_queries.account_balances(session, user_id)


def transaction_count(session: Session, account_id: int) -> int:
    return int(
        session.scalar(select(func.count()).where(Transaction.account_id == account_id, LEAF)) or 0
    )
