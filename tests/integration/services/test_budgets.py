"""A person budgets per category per month and sees budget vs actual, with rollover."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from finance_tracker.services import budgets, categories, transactions
from finance_tracker.services.budgets import BudgetInput
from finance_tracker.services.errors import InvalidInput
from finance_tracker.services.transactions import TransactionInput
from finance_tracker.store.models import Budget

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def ids(s, user_id, *names):
    found = {c.name: c.id for c in categories.list_all(s, user_id)}
    return [found[n] for n in names]


def spend(s, person, day, amount, category_id, account=None):
    transactions.create(
        s, person.id,
        TransactionInput("expense", account or person.checking, day, amount, "Shop", category_id=category_id),
    )  # fmt: skip


def test_budget_vs_actual_with_over_budget_and_parent_covering_children(db, person):
    with db.session() as s:
        food, groceries, restaurants = ids(s, person.id, "Food", "Groceries", "Restaurants")
        budgets.set_budget(s, person.id, BudgetInput(food, NOV, "400", "EUR"))
        budgets.set_budget(
            s, person.id, BudgetInput(restaurants, dt.date(2026, 11, 17), "50", "EUR")
        )
        spend(s, person, dt.date(2026, 11, 3), "120.00", groceries)
        spend(s, person, dt.date(2026, 11, 9), "80.00", restaurants)
        spend(s, person, dt.date(2026, 10, 9), "999.00", groceries)  # another month
        spend(s, person, dt.date(2026, 11, 9), "70.00", groceries, account=person.card)  # USD
    with db.session() as s:
        view = budgets.month_view(s, person.id, dt.date(2026, 11, 25))
    lines = {row.category_name: row.line for row in view.rows}
    assert lines["Food"].spent_minor == 20000 and lines["Food"].remaining_minor == 20000
    assert lines["Food › Restaurants"].spent_minor == 8000
    assert lines["Food › Restaurants"].over_budget
    assert view.totals()["EUR"].budgeted_minor == 45000


def test_rollover_and_copy_last_month(db, person):
    with db.session() as s:
        (groceries,) = ids(s, person.id, "Groceries")
        budgets.set_budget(s, person.id, BudgetInput(groceries, OCT, "300", "EUR", rollover=True))
        spend(s, person, dt.date(2026, 10, 5), "250.00", groceries)
        assert budgets.copy_previous(s, person.id, NOV) == 1
        assert budgets.copy_previous(s, person.id, NOV) == 0
        spend(s, person, dt.date(2026, 11, 5), "100.00", groceries)
    with db.session() as s:
        (row,) = budgets.month_view(s, person.id, NOV).rows
    assert (row.line.budgeted_minor, row.line.carried_minor, row.line.remaining_minor) == (
        30000,
        5000,
        25000,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "JPY"}, "currency"),  # no account in yen
        ({"currency": "EURO"}, "currency"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"category_id": 999999}, "category_id"),
    ],
)
def test_bad_budgets_are_refused_and_nothing_is_saved(db, person, change, field):
    with db.session() as s:
        (groceries,) = ids(s, person.id, "Groceries")
    data = BudgetInput(groceries, NOV, "100", "EUR")
    for key, value in change.items():
        setattr(data, key, value)
    with db.session() as s, pytest.raises(InvalidInput) as caught:
        budgets.set_budget(s, person.id, data)
    assert field in caught.value.errors
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Budget)) == 0
