"""A person writes rules through the API, previews what one would change, and applies it."""

from __future__ import annotations

import pytest

from finance_tracker.store.models import Rule, Transaction

from .helpers import assert_problem


@pytest.fixture
def checking(api) -> dict:
    return api.account("Checking", opening="500.00")


def coffee_rule(**changes: object) -> dict:
    return {"name": "Coffee shops", "pattern": "coffee", **changes}


def test_create_list_change_and_delete_rules(api, checking, count_rows):
    coffee = api.category_id("Food › Coffee")
    first = api.create(
        "/api/v1/rules",
        coffee_rule(set_category_id=coffee, set_tags=["Treats"], amount_max="20", amount_min=1),
    )
    assert first == {
        "id": first["id"],
        "name": "Coffee shops",
        "position": 1,
        "active": True,
        "match_field": "payee",
        "match_type": "contains",
        "pattern": "coffee",
        "currency": "EUR",
        "amount_min": "1.00",
        "amount_min_minor": 100,
        "amount_max": "20.00",
        "amount_max_minor": 2000,
        "account_id": None,
        "set_category_id": coffee,
        "set_tags": ["treats"],
        "set_payee": "",
        "created_at": first["created_at"],
    }
    second = api.create(
        "/api/v1/rules",
        {
            "name": "Salary",
            "pattern": "^ACME",
            "match_type": "regex",
            "match_field": "any",
            "account_id": checking["id"],
            "set_payee": "ACME Corp",
        },
    )
    assert second["position"] == 2
    listed = api.get("/api/v1/rules").get_json()["items"]
    assert [rule["name"] for rule in listed] == ["Coffee shops", "Salary"]

    url = f"/api/v1/rules/{first['id']}"
    patched = api.patch(url, json={"position": 5, "active": False})
    assert patched.status_code == 200, patched.get_json()
    assert (patched.get_json()["position"], patched.get_json()["active"]) == (5, False)
    assert patched.get_json()["amount_max"] == "20.00"  # kept
    assert [r["name"] for r in api.get("/api/v1/rules").get_json()["items"]] == [
        "Salary",
        "Coffee shops",
    ]
    replaced = api.put(url, json=coffee_rule(pattern="café", set_payee="Café"))
    assert replaced.status_code == 200, replaced.get_json()
    assert (replaced.get_json()["pattern"], replaced.get_json()["set_category_id"]) == (
        "café",
        None,
    )
    assert replaced.get_json()["position"] == 5  # PUT without a position keeps it

    assert api.delete(url).status_code == 204
    assert_problem(api.get(url), 404)
    assert count_rows(Rule) == 1


def test_preview_then_apply_changes_the_matching_transactions(api, checking, count_rows):
    coffee = api.category_id("Food › Coffee")
    for payee, amount in [("Blue Coffee", "4.50"), ("Coffee Corner", "3.20"), ("Bakery", "2.00")]:
        api.transaction(
            kind="expense", account_id=checking["id"], date="2026-03-03", amount=amount, payee=payee
        )
    api.transaction(
        kind="expense",
        account_id=checking["id"],
        date="2026-03-04",
        amount="5.00",
        payee="More coffee",
        category_id=coffee,
        tags=["treats"],
    )  # already as the rule would have it: no change
    rule = api.create("/api/v1/rules", coffee_rule(set_category_id=coffee, set_tags=["treats"]))

    preview = api.get(f"/api/v1/rules/{rule['id']}/preview?limit=1")
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["total"] == 2
    (change,) = body["items"]
    assert change["payee"] == change["new_payee"]
    assert (change["category_id"], change["new_category_id"]) == (None, coffee)
    assert (change["new_category"], change["added_tags"]) == ("Food › Coffee", ["treats"])
    # Newest first: of the two on the same day, the one recorded last.
    assert (change["payee"], change["amount"], change["amount_minor"]) == (
        "Coffee Corner",
        "-3.20",
        -320,
    )
    before = count_rows(Transaction)

    applied = api.post(f"/api/v1/rules/{rule['id']}/apply")
    assert applied.status_code == 200, applied.get_json()
    assert applied.get_json() == {"changed": 2}
    assert count_rows(Transaction) == before
    found = api.get(f"/api/v1/transactions?category_id={coffee}").get_json()["items"]
    assert sorted(t["payee"] for t in found) == ["Blue Coffee", "Coffee Corner", "More coffee"]
    assert api.get(f"/api/v1/rules/{rule['id']}/preview").get_json() == {"total": 0, "items": []}
    assert api.post(f"/api/v1/rules/{rule['id']}/apply").get_json() == {"changed": 0}


def test_a_new_transaction_gets_its_category_from_a_rule(api, checking):
    coffee = api.category_id("Food › Coffee")
    api.create("/api/v1/rules", coffee_rule(set_category_id=coffee))
    created = api.transaction(
        kind="expense", account_id=checking["id"], date="2026-03-03", amount="4", payee="COFFEE"
    )
    assert created["category"] == "Food › Coffee"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pattern": ""}, "pattern"),
        ({"pattern": "x" * 201}, "pattern"),
        ({"match_type": "regex", "pattern": "(unclosed"}, "pattern"),
        ({"match_type": "glob"}, "match_type"),
        ({"match_field": "amount"}, "match_field"),
        ({"name": " "}, "name"),
        ({"set_category_id": None}, "set_category_id"),  # sets nothing at all
        ({"set_category_id": 999999}, "set_category_id"),
        ({"account_id": 999999}, "account_id"),
        ({"amount_min": "5", "amount_max": "1"}, "amount_max"),
        ({"amount_min": "1.001"}, "amount_min"),
        ({"amount_max": "lots"}, "amount_max"),
        ({"position": -1}, "position"),
        ({"set_tags": ["x" * 41]}, "set_tags"),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_saved(api, count_rows, changes, field):
    coffee = api.category_id("Food › Coffee")
    body = coffee_rule(set_category_id=coffee) | changes
    assert_problem(api.post("/api/v1/rules", json=body), 422, field)
    assert count_rows(Rule) == 0


def test_another_user_s_rule_or_ids_are_unknown(api, other_api, count_rows):
    bob_account = other_api.account("Bob's checking")
    bob_category = other_api.category_id("Food › Coffee")
    theirs = other_api.create("/api/v1/rules", coffee_rule(set_category_id=bob_category))
    assert_problem(
        api.post("/api/v1/rules", json=coffee_rule(set_category_id=bob_category)),
        422,
        "set_category_id",
    )
    mine = api.category_id("Food › Coffee")
    assert_problem(
        api.post(
            "/api/v1/rules", json=coffee_rule(set_category_id=mine, account_id=bob_account["id"])
        ),
        422,
        "account_id",
    )
    url = f"/api/v1/rules/{theirs['id']}"
    for response in (
        api.get(url),
        api.put(url, json=coffee_rule(set_category_id=mine)),
        api.patch(url, json={"name": "mine now"}),
        api.get(f"{url}/preview"),
        api.post(f"{url}/apply"),
        api.delete(url),
    ):
        assert_problem(response, 404)
    assert other_api.get(url).get_json() == theirs
    assert count_rows(Rule, api.user_id) == 0
