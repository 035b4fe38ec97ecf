"""Recurring transactions are generated on schedule, exactly once each."""

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from finance_tracker.cli import main
from finance_tracker.services import accounts, recurring
from finance_tracker.services.errors import InvalidInput
from finance_tracker.services.recurring import RecurringInput
from finance_tracker.store.models import Transaction


def rent(person, **changes):
    data = RecurringInput(
        name="Rent", kind="expense", account_id=person.checking, amount="1150.00",
        frequency="monthly", start_date=dt.date(2026, 1, 31), payee="Landlord",
    )  # fmt: skip
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def count(db):
    with db.session() as s:
        return s.scalar(
            select(func.count()).select_from(Transaction).where(Transaction.parent_id.is_(None))
        )


def test_running_twice_creates_nothing_twice(db, person):
    with db.session() as s:
        recurring.create(s, person.id, rent(person))
    with db.session() as s:
        first = recurring.run_due(s, dt.date(2026, 4, 15))
    with db.session() as s:
        second = recurring.run_due(s, dt.date(2026, 4, 15))
    assert (first.created, second.created) == (3, 0)
    with db.session() as s:
        days = sorted(s.scalars(select(Transaction.date)))
        assert days == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]
        assert accounts.balance(s, person.id, person.checking) == 10000 - 3 * 115000


def test_the_cli_runs_due_recurring_transactions_idempotently(db, person, database_url):
    with db.session() as s:
        recurring.create(
            s, person.id, rent(person, frequency="weekly", start_date=dt.date(2026, 11, 1))
        )
    env = {"DATABASE_URL": database_url}
    out = CliRunner().invoke(main, ["jobs", "run-recurring", "--today", "2026-11-20"], env=env)
    assert out.exit_code == 0 and "created 3 recurring transactions" in out.output
    again = CliRunner().invoke(main, ["jobs", "run-recurring", "--today", "2026-11-20"], env=env)
    assert "created 0 recurring transactions" in again.output
    assert count(db) == 3


def test_a_transfer_schedule_with_a_count_and_the_upcoming_list(db, person):
    with db.session() as s:
        recurring.create(
            s, person.id,
            rent(person, name="Savings plan", kind="transfer", to_account_id=person.savings,
                 amount="100", start_date=dt.date(2026, 11, 25), max_count=2),
        )  # fmt: skip
        soon = recurring.upcoming(s, person.id, today=dt.date(2026, 11, 20), days=60)
        assert [u.date for u in soon] == [dt.date(2026, 11, 25), dt.date(2026, 12, 25)]
        assert recurring.run_due(s, dt.date(2027, 6, 1)).created == 2
    with db.session() as s:
        assert accounts.balance(s, person.id, person.savings) == 20000
        assert recurring.upcoming(s, person.id, today=dt.date(2027, 6, 1)) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"frequency": "fortnightly"}, "frequency"),
        ({"interval": 0}, "interval"),
        ({"day_of_month": 40}, "day_of_month"),
        ({"end_date": dt.date(2025, 1, 1)}, "end_date"),
        ({"amount": "1.001"}, "amount"),
        ({"account_id": 424242}, "account_id"),
        ({"start_date": dt.date(1800, 1, 1)}, "start_date"),
    ],
)
def test_invalid_schedules_are_refused_and_nothing_is_saved(db, person, changes, field):
    with db.session() as s, pytest.raises(InvalidInput) as caught:
        recurring.create(s, person.id, rent(person, **changes))
    assert field in caught.value.errors
    with db.session() as s:
        assert recurring.list_all(s, person.id) == []
