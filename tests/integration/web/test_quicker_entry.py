"""Quicker everyday entry (issue 17): the payees Ada used before are offered as she types ("Li"
offers "Lidl"), the category her rules or her last transaction with that payee used is filled in,
and an account's list carries the balance after each transaction, page after page."""

from __future__ import annotations

import datetime as dt
import re

from tests.integration.web.story import TODAY, seed

from finance_tracker.services.transactions import SplitInput, TransactionInput


def payees(person, prefix: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = person.get(f"/transactions/payees?q={prefix}")
    assert response.status_code == 200
    return [found["payee"] for found in response.get_json()["payees"]]


def test_typing_li_offers_lidl_from_her_own_history_the_most_used_first(ada, bob):
    checking = ada.open_account("Checking")
    for days, payee in [(9, "Lidl"), (8, "Lidl"), (7, "Lidl"), (6, "Lidl Express"),
                        (2, "LIBRARY CAFE"), (1, "Aldi"), (0, "50% Off Store")]:  # fmt: skip
        ada.add_ok(account_id=checking, amount="5", payee=payee,
                   date=(TODAY - dt.timedelta(days=days)).isoformat())  # fmt: skip
    bobs = bob.open_account("Bob's")
    bob.add_ok(account_id=bobs, amount="5", payee="Lindt chocolates")

    assert payees(ada, "Li") == ["Lidl", "LIBRARY CAFE", "Lidl Express"]
    assert payees(ada, "li") == payees(ada, "LI")  # case does not matter
    assert payees(ada, "Lidl E") == ["Lidl Express"]
    assert payees(ada, "50%") == ["50% Off Store"]  # % is a character, not a wildcard
    assert payees(ada, "5_") == []
    assert payees(ada, "") == []
    assert payees(bob, "Li") == ["Lindt chocolates"]  # never someone else's
    too_long = ada.get("/transactions/payees?q=" + "x" * 201)
    assert too_long.status_code == 422
    assert too_long.get_json() == {"errors": {"prefix": "use at most 200 characters"}}


def category_for(person, **query: object) -> dict:  # type: ignore[no-untyped-def]
    args = "&".join(f"{k}={v}" for k, v in query.items())
    response = person.get(f"/transactions/category-for-payee?{args}")
    assert response.status_code == 200
    return response.get_json()


def test_the_category_comes_from_her_rule_or_else_from_last_time(ada):
    checking = ada.open_account("Checking")
    card = ada.open_account("Card", type="credit_card")
    groceries, restaurants = ada.category("Food › Groceries"), ada.category("Food › Restaurants")
    ada.add_ok(account_id=checking, amount="30", payee="Lidl", category_id=groceries,
               date=(TODAY - dt.timedelta(days=3)).isoformat())  # fmt: skip
    ada.add_ok(account_id=checking, amount="12", payee="lidl", category_id=restaurants,
               date=(TODAY - dt.timedelta(days=1)).isoformat())  # fmt: skip
    ada.add_ok(account_id=checking, amount="9", payee="Lidl", date=TODAY.isoformat())  # none

    found = category_for(ada, payee="Lidl")
    assert found["category_id"] == restaurants and found["source"] == "history"
    assert found["note"].startswith("Category as last time, on ")
    assert category_for(ada, payee="Nobody") == {"category_id": None}

    # A rule decides first, as it would when the transaction is saved; one about an account or
    # an amount only when those are known.
    coffee = ada.category("Food › Coffee")
    ada.post("/rules/new", {
        "name": "Big Lidl shops on the card", "match_field": "payee", "match_type": "contains",
        "pattern": "lidl", "amount_min": "100", "account_id": card, "set_category_id": coffee,
        "active": "y",
    }, form_url="/rules/new")  # fmt: skip
    assert category_for(ada, payee="Lidl")["source"] == "history"
    assert category_for(ada, payee="Lidl", account_id=card, amount="20")["source"] == "history"
    ruled = category_for(ada, payee="Lidl", account_id=card, amount="1,234.00")
    assert ruled == {"category_id": coffee, "category": "Food › Coffee", "source": "rule",
                     "note": "Category from your rule “Big Lidl shops on the card”."}  # fmt: skip


def test_the_form_asks_for_suggestions_only_where_it_can(ada):
    ada.open_account("Checking")
    form = ada.page("/transactions/new")
    assert 'data-payees-url="/transactions/payees"' in form
    assert 'list="payee-suggestions"' in form and '<datalist id="payee-suggestions">' in form


def balances_on(page: str) -> list[str]:
    return re.findall(r"data-running-balance><span[^>]*>([^<]+)<", page)


def test_an_accounts_list_carries_the_balance_after_each_transaction(ada, db):
    checking = ada.open_account("Checking", opening="100.00")
    savings = ada.open_account("Savings", type="savings")
    groceries = ada.category("Food › Groceries")
    first = TODAY - dt.timedelta(days=40)
    entries = [
        TransactionInput("income", checking, first, "1000.00", "Salary"),
        TransactionInput("expense", checking, first + dt.timedelta(days=1), "120.00", "Market",
                         splits=[SplitInput("80.00", groceries), SplitInput("40.00")]),
        TransactionInput("transfer", checking, first + dt.timedelta(days=2), "300.00", "Saving",
                         to_account_id=savings),
        TransactionInput("transfer", savings, first + dt.timedelta(days=3), "50.00", "Back",
                         to_account_id=checking),
    ]  # fmt: skip
    entries += [TransactionInput("expense", checking, first + dt.timedelta(days=4 + i), "1.00",
                                 f"Coffee {i}") for i in range(26)]  # fmt: skip
    seed(db, ada.user_id, *entries)

    newest = ada.page(f"/accounts/{checking}")
    # 100 + 1000 - 120 - 300 + 50 - 26: the balance, then one euro more a row back in time.
    assert balances_on(newest)[:3] == ["€704.00", "€705.00", "€706.00"]
    assert len(balances_on(newest)) == 25
    older = ada.page(f"/accounts/{checking}?page=2")
    assert balances_on(older) == ["€729.00", "€730.00", "€680.00", "€980.00", "€1,100.00"]
    oldest_first = ada.page(f"/accounts/{checking}?sort=date&dir=asc")
    assert balances_on(oldest_first)[:5] == ["€1,100.00", "€980.00", "€680.00", "€730.00",
                                             "€729.00"]  # fmt: skip
    by_amount = ada.page(f"/accounts/{checking}?sort=amount")
    assert balances_on(by_amount) == []  # a balance only means something in date order
    assert "running-balance" not in by_amount
