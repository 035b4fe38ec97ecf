"""Rules categorise new transactions, and existing ones after a preview."""

import datetime as dt

import pytest

from finance_tracker.services import categories, rules, transactions
from finance_tracker.services.errors import InvalidInput
from finance_tracker.services.rules import RuleInput
from finance_tracker.services.transactions import TransactionInput

DAY = dt.date(2026, 11, 3)


def category(s, user_id, name):
    return next(c.id for c in categories.list_all(s, user_id) if c.name == name)


def expense(s, person, payee, amount="4.50", **extra):
    return transactions.create(
        s, person.id, TransactionInput("expense", person.checking, DAY, amount, payee, **extra)
    )


def test_a_rule_fills_category_tags_and_payee_on_create_but_respects_a_choice(db, person):
    with db.session() as s:
        coffee = category(s, person.id, "Coffee")
        rules.create(s, person.id, RuleInput("Coffee", r"starbucks|costa", match_type="regex",
                                             set_category_id=coffee, set_tags=["caffeine"],
                                             set_payee="Coffee shop"))  # fmt: skip
        auto = expense(s, person, "STARBUCKS #1234")
        assert (auto.category_id, auto.payee, [t.name for t in auto.tags]) == (
            coffee,
            "Coffee shop",
            ["caffeine"],
        )
        chosen = expense(s, person, "Costa", category_id=category(s, person.id, "Restaurants"))
        assert chosen.category_id != coffee
        untouched = expense(s, person, "Bakery")
        assert untouched.category_id is None and untouched.payee == "Bakery"


def test_the_first_matching_rule_wins_and_amount_bounds_apply(db, person):
    with db.session() as s:
        big, small = category(s, person.id, "Electronics"), category(s, person.id, "Household")
        rules.create(
            s, person.id, RuleInput("Big Amazon", "amazon", amount_min="100", set_category_id=big)
        )
        rules.create(s, person.id, RuleInput("Amazon", "amazon", set_category_id=small))
        assert expense(s, person, "Amazon", "250.00").category_id == big
        assert expense(s, person, "Amazon", "20.00").category_id == small


def test_apply_to_existing_after_a_preview(db, person):
    with db.session() as s:
        for payee in ("Uber trip", "UBER *EATS", "Bakery"):
            expense(s, person, payee)
        taxi = category(s, person.id, "Taxi")
        rule = rules.create(s, person.id, RuleInput("Uber", "uber", set_category_id=taxi))
    with db.session() as s:
        sample, total = rules.preview(s, person.id, rule.id)
        assert total == 2 and {p.transaction.payee for p in sample} == {"Uber trip", "UBER *EATS"}
        assert all(p.transaction.category_id is None for p in sample)  # a preview changes nothing
    with db.session() as s:
        assert rules.apply_to_existing(s, person.id, rule.id) == 2
    with db.session() as s:
        assert rules.preview(s, person.id, rule.id)[1] == 0
        page = transactions.search(s, person.id)
        assert sorted((t.payee, t.category_id) for t in page.items) == sorted(
            [("Uber trip", taxi), ("UBER *EATS", taxi), ("Bakery", None)]
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (RuleInput("r", "(x+x+)+y", match_type="regex", set_payee="x"), "pattern"),
        (RuleInput("r", "[unclosed", match_type="regex", set_payee="x"), "pattern"),
        (RuleInput("r", "x"), "set_category_id"),  # sets nothing
        (RuleInput("r", "x", amount_min="10", amount_max="5", set_payee="y"), "amount_max"),
        (RuleInput("r", "x", amount_min="1.234", set_payee="y"), "amount_min"),
        (RuleInput("r", "x", account_id=999999, set_payee="y"), "account_id"),
        (RuleInput("", "x", set_payee="y"), "name"),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_saved(db, person, data, field):
    with db.session() as s, pytest.raises(InvalidInput) as caught:
        rules.create(s, person.id, data)
    assert field in caught.value.errors
    with db.session() as s:
        assert rules.list_all(s, person.id) == []
