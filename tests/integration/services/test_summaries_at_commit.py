"""The month totals are changed as a unit of work commits, and only then: interleaved units of
work, a savepoint rolled back and a unit of work rolled back all leave totals that equal a
recomputation from the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, literal_column, select

from finance_tracker.services import transactions
from finance_tracker.services.transactions import TransactionInput
from finance_tracker.store import summaries
from finance_tracker.store.models import MonthTotal, Transaction
from finance_tracker.store.sqlfunctions import month_of

DAY = dt.date(2026, 11, 10)


def expense(person, amount: str, day: dt.date = DAY, payee: str = "Shop") -> TransactionInput:  # type: ignore[no-untyped-def]
    return TransactionInput("expense", person.checking, day, amount, payee)


def summary_equals_rows(db, user_id: int) -> dict:  # type: ignore[no-untyped-def]
    """Settle as a report would, then compare with a GROUP BY of the leaf rows."""
    month = month_of(Transaction.date)
    category = func.coalesce(Transaction.category_id, literal_column("0"))
    with db.session() as s:
        summaries.settle(s, user_id)
        kept = {(str(m.month), m.account_id, m.category_id, m.kind): (m.total_minor, m.count)
                for m in s.scalars(select(MonthTotal).where(MonthTotal.user_id == user_id))}  # fmt: skip
        rows = s.execute(
            select(month, Transaction.account_id, category, Transaction.kind,
                   func.sum(Transaction.amount_minor), func.count())
            .where(Transaction.user_id == user_id, Transaction.is_split.is_(False))
            .group_by(month, Transaction.account_id, category, Transaction.kind)
        )  # fmt: skip
        fresh = {(str(r[0]), r[1], int(r[2]), r[3]): (int(r[4]), int(r[5])) for r in rows}
    assert kept == fresh
    return kept


def test_a_unit_of_work_rolled_back_leaves_the_totals_alone(db, person):
    with db.session() as s:
        transactions.create(s, person.id, expense(person, "10.00"))
    with pytest.raises(RuntimeError), db.session() as s:
        transactions.create(s, person.id, expense(person, "99.00"))
        raise RuntimeError("the request failed after the write")
    assert list(summary_equals_rows(db, person.id).values()) == [(-10_00, 1)]


def test_a_savepoint_rolled_back_takes_its_changes_along(db, person):
    with db.session() as s:
        transactions.create(s, person.id, expense(person, "10.00"))
        with pytest.raises(RuntimeError), s.begin_nested():
            transactions.create(s, person.id, expense(person, "99.00"))
            raise RuntimeError("one occurrence refused")
        transactions.create(s, person.id, expense(person, "5.00"))
    assert list(summary_equals_rows(db, person.id).values()) == [(-15_00, 2)]


def test_a_read_in_the_same_unit_of_work_sees_its_own_writes(db, person):
    with db.session() as s:
        row = transactions.create(s, person.id, expense(person, "10.00"))
        transactions.update(s, person.id, row.id, expense(person, "12.00", DAY.replace(day=1)))
        summaries.settle(s, person.id)
        assert s.scalar(select(func.sum(MonthTotal.total_minor))) == -12_00
    summary_equals_rows(db, person.id)


def test_interleaved_writers_and_a_recomputation_end_equal_to_the_rows(db, person):
    """PostgreSQL, where units of work really overlap: one writes and waits, another writes
    and commits, a third recomputes the month meanwhile, then the first commits."""
    if db.is_sqlite:
        pytest.skip("SQLite runs one write transaction at a time (BEGIN IMMEDIATE)")
    first, second, third = db.sessions(), db.sessions(), db.sessions()
    try:
        kept = transactions.create(first, person.id, expense(person, "10.00"))
        transactions.create(second, person.id, expense(person, "20.00"))
        second.commit()
        summaries.refresh(third, person.id, {DAY})
        third.commit()
        transactions.update(first, person.id, kept.id, expense(person, "11.00", DAY.replace(day=2)))
        first.commit()
    finally:
        for session in (first, second, third):
            session.close()
    assert list(summary_equals_rows(db, person.id).values()) == [(-31_00, 2)]
    with db.session() as s:  # the edit from the other side of the month boundary, and a delete
        transactions.update(s, person.id, kept.id, expense(person, "11.00", dt.date(2026, 10, 31)))
    summary_equals_rows(db, person.id)
    with db.session() as s:
        transactions.delete(s, person.id, kept.id)
    assert list(summary_equals_rows(db, person.id).values()) == [(-20_00, 1)]
