"""A person exports transactions and backs up everything; a restore gives back exactly the same."""

import csv
import datetime as dt
import io
import json

import pytest

from finance_tracker.services import (
    budgets,
    categories,
    exports,
    recurring,
    rules,
    transactions,
    users,
)
from finance_tracker.services.budgets import BudgetInput
from finance_tracker.services.errors import Conflict, InvalidInput
from finance_tracker.services.recurring import RecurringInput
from finance_tracker.services.rules import RuleInput
from finance_tracker.services.transactions import SplitInput, TransactionInput
from finance_tracker.store import migrate
from finance_tracker.store.database import Database

DAY = dt.date(2026, 11, 3)


@pytest.fixture
def full_history(db, person):
    with db.session() as s:
        groceries = next(c.id for c in categories.list_all(s, person.id) if c.name == "Groceries")
        pets = categories.create(s, person.id, "Pets")
        vet = categories.create(s, person.id, "Vet", pets.id)
        transactions.create(
            s,
            person.id,
            TransactionInput("income", person.checking, DAY, "3850", "ACME", tags=["work"]),
        )
        transactions.create(
            s,
            person.id,
            TransactionInput(
                "expense",
                person.checking,
                DAY,
                "80",
                "=HYPERLINK(evil)",
                category_id=vet.id,
                memo="@cmd",
            ),
        )
        transactions.create(s, person.id, TransactionInput("expense", person.checking, DAY, "30", "Shop",
                            splits=[SplitInput("20", groceries, "food"), SplitInput("10", None, "other")]))  # fmt: skip
        transactions.create(
            s,
            person.id,
            TransactionInput(
                "transfer",
                person.checking,
                DAY,
                "50",
                "Card",
                to_account_id=person.card,
                to_amount="54.10",
            ),
        )
        budgets.set_budget(s, person.id, BudgetInput(groceries, DAY, "300", "EUR", rollover=True))
        recurring.create(
            s,
            person.id,
            RecurringInput(
                "Rent", "expense", person.checking, "1150", "monthly", DAY, day_of_month=-1
            ),
        )
        rules.create(
            s, person.id, RuleInput("Vet", "vet", set_category_id=vet.id, set_tags=["pets"])
        )
    return person


def test_a_backup_restored_into_an_empty_database_exports_the_same_file(db, full_history, tmp_path):
    with db.session() as s:
        original = json.dumps(exports.backup(s, full_history.id, ip=None), sort_keys=True, indent=1)
    elsewhere = f"sqlite:///{tmp_path / 'restored.db'}"
    migrate.upgrade(elsewhere)
    other = Database(elsewhere)
    try:
        with other.session() as s:
            user = users.register(s, "restored@example.com", "another long password")
            assert exports.restore(s, user.id, json.loads(original), ip=None) == 7
        with other.session() as s:
            again = json.dumps(exports.backup(s, user.id, ip=None), sort_keys=True, indent=1)
            assert transactions.search(s, user.id).total == 4  # a transfer lists once
    finally:
        other.dispose()
    assert again == original


def test_a_restore_refuses_a_user_with_data_and_a_damaged_file(db, full_history):
    with db.session() as s:
        data = exports.backup(s, full_history.id, ip=None)
        with pytest.raises(Conflict):
            exports.restore(s, full_history.id, data, ip=None)
    with db.session() as s:
        fresh = users.register(s, "new@example.com", "another long password")
    for damaged in (
        {"format": "x"},
        {**data, "version": 99},
        {**data, "transactions": [{"account": 99}]},
    ):
        with db.session() as s, pytest.raises(InvalidInput):
            exports.restore(s, fresh.id, damaged, ip=None)
    with db.session() as s:
        assert transactions.search(s, fresh.id).total == 0
        assert categories.list_all(s, fresh.id)  # the defaults are still there: nothing changed


def test_the_csv_export_escapes_formulas_and_lists_split_lines(db, full_history):
    text = "".join(exports.transactions_csv(db.session, full_history.id, ip=None))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5  # income, vet, two split lines, the transfer
    vet = next(r for r in rows if "HYPERLINK" in r["payee"])
    assert vet["payee"] == "'=HYPERLINK(evil)" and vet["memo"] == "'@cmd"
    assert vet["amount"] == "-80.00" and vet["category"] == "Pets › Vet"
    split = [r for r in rows if r["split_of"]]
    assert sorted(r["amount"] for r in split) == ["-10.00", "-20.00"]
    (transfer,) = [r for r in rows if r["kind"] == "transfer"]
    assert (transfer["account"], transfer["amount"]) == ("Checking", "-50.00")
    assert (transfer["transfer_account"], transfer["transfer_amount"]) == ("US card", "54.10")
