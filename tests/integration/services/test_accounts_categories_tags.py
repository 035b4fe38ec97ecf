"""A person organises accounts, categories and tags; names clash clearly, history is never lost."""

import datetime as dt

import pytest

from finance_tracker.services import accounts, categories, tags, transactions
from finance_tracker.services.accounts import AccountInput
from finance_tracker.services.errors import Conflict, InvalidInput, NotFound
from finance_tracker.services.transactions import TransactionInput


def test_a_new_user_starts_with_default_categories_in_two_levels(db, person):
    with db.session() as s:
        tree = categories.list_all(s, person.id)
        names = [c.full_name for c in tree]
        assert all(c.parent is None or c.parent.parent_id is None for c in tree)
    assert "Food › Groceries" in names and "Income › Salary" in names


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (AccountInput("", "checking", "EUR"), "name"),
        (AccountInput("Checking", "checking", "EUR"), "name"),
        (AccountInput("New", "piggy bank", "EUR"), "type"),
        (AccountInput("New", "cash", "EURO"), "currency"),
        (AccountInput("New", "cash", "EUR", "1.001"), "opening_balance"),
        (AccountInput("New", "cash", "JPY", "1.5"), "opening_balance"),
    ],
)
def test_bad_accounts_are_refused(db, person, data, field):
    with db.session() as s, pytest.raises(InvalidInput) as caught:
        accounts.create(s, person.id, data)
    assert field in caught.value.errors


def test_an_account_with_history_is_archived_not_deleted(db, person):
    with db.session() as s:
        transactions.create(
            s,
            person.id,
            TransactionInput("expense", person.checking, dt.date(2026, 1, 1), "1", "x"),
        )
    with db.session() as s, pytest.raises(Conflict, match="archive it"):
        accounts.delete(s, person.id, person.checking)
    with db.session() as s, pytest.raises(InvalidInput, match="currency cannot change"):
        accounts.update(s, person.id, person.checking, AccountInput("Checking", "checking", "USD"))
    with db.session() as s:
        accounts.update(
            s,
            person.id,
            person.checking,
            AccountInput("Old checking", "checking", "EUR", "100", True),
        )
        listed = accounts.list_with_balances(s, person.id, include_archived=False)
    assert [a.account.name for a in listed] == ["Savings", "US card"]
    with db.session() as s:
        accounts.delete(s, person.id, person.savings)
        with pytest.raises(NotFound):
            accounts.get(s, person.id, person.savings)


def test_categories_have_two_levels_and_unique_names(db, person):
    with db.session() as s:
        pets = categories.create(s, person.id, "Pets")
        food = categories.create(s, person.id, "Pet food", pets.id)
        with pytest.raises(InvalidInput, match="two levels"):
            categories.create(s, person.id, "Kibble", food.id)
        with pytest.raises(InvalidInput, match="already exists"):
            categories.create(s, person.id, "Pets")
        with pytest.raises(InvalidInput, match="subcategories"):
            categories.update(
                s, person.id, pets.id, "Pets", categories.list_all(s, person.id)[0].id
            )


def test_deleting_a_category_keeps_its_transactions_uncategorised(db, person):
    with db.session() as s:
        pets = categories.create(s, person.id, "Pets")
        vet = categories.create(s, person.id, "Vet", pets.id)
        row = transactions.create(
            s, person.id,
            TransactionInput("expense", person.checking, dt.date(2026, 1, 1), "80", "Vet", category_id=vet.id),
        )  # fmt: skip
    with db.session() as s:
        categories.delete(s, person.id, pets.id)
    with db.session() as s:
        kept = transactions.get(s, person.id, row.id)
        assert kept.category_id is None


def test_tags_are_created_on_first_use_and_renamed_once(db, person):
    with db.session() as s:
        row = transactions.create(
            s, person.id,
            TransactionInput("expense", person.checking, dt.date(2026, 1, 1), "8", "Bar", tags=["Party", "party "]),
        )  # fmt: skip
        assert [t.name for t in row.tags] == ["party"]
        party = next(t for t in tags.list_all(s, person.id) if t.name == "party")
        with pytest.raises(InvalidInput, match="already exists"):
            tags.rename(s, person.id, party.id, "vacation")
        tags.rename(s, person.id, party.id, "fun")
    with db.session() as s:
        assert [t.name for t in transactions.get(s, person.id, row.id).tags] == ["fun"]


def test_another_persons_categories_and_tags_are_invisible(db, person, stranger):
    with db.session() as s:
        theirs = categories.list_all(s, stranger.id)[0]
        their_tag = tags.list_all(s, stranger.id)[0]
        for call in (
            lambda: categories.get(s, person.id, theirs.id),
            lambda: categories.delete(s, person.id, theirs.id),
            lambda: tags.delete(s, person.id, their_tag.id),
            lambda: accounts.get(s, person.id, stranger.wallet),
            lambda: accounts.delete(s, person.id, stranger.wallet),
        ):
            with pytest.raises(NotFound):
                call()
        with pytest.raises(InvalidInput):
            categories.create(s, person.id, "Mine", theirs.id)
