"""Keeping the month totals that reports read in step with the transactions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from finance_tracker.store import summaries


def rebuild(session: Session, user_id: int) -> None:
    """Recompute every month of one user: after a bulk load, or to repair."""
    summaries.refresh(session, user_id)
