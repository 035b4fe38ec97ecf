"""A person budgets per category and month through the API and reads budget against actual."""

from __future__ import annotations

import pytest

from finance_tracker.store.models import Budget

from .helpers import assert_problem


@pytest.fixture
def household(api) -> dict:
    checking = api.account("Checking", opening="2000.00")
    card = api.account("US card", currency="USD")
    return {
        "checking": checking["id"],
        "card": card["id"],
        "food": api.category_id("Food"),
        "groceries": api.category_id("Food › Groceries"),
        "restaurants": api.category_id("Food › Restaurants"),
    }


def spend(api, account: int, date: str, amount: str, category: int) -> None:  # type: ignore[no-untyped-def]
    api.transaction(
        kind="expense", account_id=account, date=date, amount=amount, category_id=category
    )


def set_budget(api, month: str, category: int, amount: str, **extra: object) -> dict:  # type: ignore[no-untyped-def]
    response = api.put(
        f"/api/v1/budgets/{month}/{category}", json={"amount": amount, "currency": "EUR", **extra}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_budget_against_actual_per_category_and_currency(api, household):
    h = household
    food = set_budget(api, "2026-11", h["food"], "400")
    assert food == {
        "id": food["id"],
        "month": "2026-11",
        "category_id": h["food"],
        "category": "Food",
        "currency": "EUR",
        "amount": "400.00",
        "amount_minor": 40000,
        "rollover": False,
    }
    set_budget(api, "2026-11", h["restaurants"], "50")
    spend(api, h["checking"], "2026-11-03", "120.00", h["groceries"])
    spend(api, h["checking"], "2026-11-09", "80.00", h["restaurants"])
    spend(api, h["checking"], "2026-10-09", "999.00", h["groceries"])  # another month
    # Dollars count too, converted; with no USD/EUR rate yet they are named, not guessed.
    spend(api, h["card"], "2026-11-09", "70.00", h["groceries"])

    response = api.get("/api/v1/budgets/2026-11")
    assert response.status_code == 200
    view = response.get_json()
    assert view["month"] == "2026-11"
    lines = {line["category"]: line for line in view["items"]}
    assert list(lines) == ["Food", "Food › Restaurants"]
    assert lines["Food"] == {
        "budget_id": food["id"],
        "category_id": h["food"],
        "category": "Food",
        "currency": "EUR",
        "rollover": False,
        "budgeted": "400.00",
        "budgeted_minor": 40000,
        "carried": "0.00",
        "carried_minor": 0,
        "available": "400.00",
        "available_minor": 40000,
        "spent": "200.00",  # the parent's budget covers groceries and restaurants
        "spent_minor": 20000,
        "remaining": "200.00",
        "remaining_minor": 20000,
        "over_budget": False,
        "spent_originals": [
            {"currency": "EUR", "spent": "200.00", "spent_minor": 20000},
            {"currency": "USD", "spent": "70.00", "spent_minor": 7000},
        ],
        "missing_rates": [{"currency": "USD", "to": "EUR", "first_date": "2026-11-09", "days": 1}],
    }
    restaurants = lines["Food › Restaurants"]
    assert (restaurants["spent"], restaurants["remaining"], restaurants["over_budget"]) == (
        "80.00",
        "-30.00",
        True,
    )
    (total,) = view["totals"]
    assert (total["currency"], total["budgeted"], total["spent"], total["remaining"]) == (
        "EUR",
        "450.00",
        "280.00",
        "170.00",
    )


def test_rollover_carries_into_a_copied_month(api, household):
    h = household
    set_budget(api, "2026-10", h["groceries"], "300", rollover=True)
    spend(api, h["checking"], "2026-10-05", "250.00", h["groceries"])
    copied = api.post("/api/v1/budgets/2026-11/copy-previous")
    assert copied.status_code == 200, copied.get_json()
    assert copied.get_json() == {"month": "2026-11", "copied": 1}
    assert api.post("/api/v1/budgets/2026-11/copy-previous").get_json()["copied"] == 0
    spend(api, h["checking"], "2026-11-05", "100.00", h["groceries"])
    (line,) = api.get("/api/v1/budgets/2026-11").get_json()["items"]
    assert (line["budgeted"], line["carried"], line["available"], line["remaining"]) == (
        "300.00",
        "50.00",
        "350.00",
        "250.00",
    )
    assert line["rollover"] is True


def test_setting_again_replaces_and_deleting_works_by_month_or_by_id(api, household, count_rows):
    h = household
    set_budget(api, "2026-11", h["groceries"], "100")
    again = set_budget(api, "2026-11", h["groceries"], "150.50")
    assert again["amount"] == "150.50"
    assert count_rows(Budget) == 1
    assert api.delete(f"/api/v1/budgets/2026-11/{h['groceries']}").status_code == 204
    assert_problem(api.delete(f"/api/v1/budgets/2026-11/{h['groceries']}"), 404)
    assert count_rows(Budget) == 0

    second = set_budget(api, "2026-12", h["food"], "10")
    assert api.delete(f"/api/v1/budgets/by-id/{second['id']}").status_code == 204
    assert_problem(api.delete(f"/api/v1/budgets/by-id/{second['id']}"), 404)
    assert api.get("/api/v1/budgets/2026-12").get_json() == {
        "month": "2026-12",
        "items": [],
        "totals": [],
        "conversions": [],
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "-5", "currency": "EUR"}, "amount"),
        ({"amount": "1.005", "currency": "EUR"}, "amount"),
        ({"amount": 1.5, "currency": "EUR"}, None),  # exact JSON number: fine
        ({"amount": "abc", "currency": "EUR"}, "amount"),
        ({"amount": "10", "currency": "JPY"}, "currency"),  # no account in yen
        ({"amount": "10", "currency": "EURO"}, "currency"),
        ({"amount": "10"}, "currency"),
        ({"currency": "EUR"}, "amount"),
        ({"amount": "10", "currency": "EUR", "rollover": "sometimes"}, "rollover"),
        ({"amount": "10", "currency": "EUR", "colour": "red"}, "colour"),
    ],
)
def test_bad_budgets_are_refused_and_nothing_is_saved(api, household, count_rows, body, field):
    response = api.put(f"/api/v1/budgets/2026-11/{household['food']}", json=body)
    if field is None:
        assert response.status_code == 200
        assert response.get_json()["amount"] == "1.50"
        return
    assert_problem(response, 422, field)
    assert count_rows(Budget) == 0


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-01", "2026-1", "january", "0001-01"])
def test_a_month_that_is_not_yyyy_mm_is_a_422_naming_it(api, household, month):
    assert_problem(api.get(f"/api/v1/budgets/{month}"), 422, "month")
    assert_problem(api.post(f"/api/v1/budgets/{month}/copy-previous"), 422, "month")
    body = {"amount": "1", "currency": "EUR"}
    assert_problem(api.put(f"/api/v1/budgets/{month}/{household['food']}", json=body), 422, "month")
    assert_problem(api.delete(f"/api/v1/budgets/{month}/{household['food']}"), 422, "month")


def test_another_user_s_category_or_budget_is_not_found(api, other_api, household, count_rows):
    theirs = other_api.category_id("Food")
    other_api.account("Bob's checking")
    bob_budget = set_budget(other_api, "2026-11", theirs, "99")
    body = {"amount": "10", "currency": "EUR"}
    assert_problem(api.put(f"/api/v1/budgets/2026-11/{theirs}", json=body), 404)
    assert_problem(api.delete(f"/api/v1/budgets/2026-11/{theirs}"), 404)
    assert_problem(api.delete(f"/api/v1/budgets/by-id/{bob_budget['id']}"), 404)
    assert api.get("/api/v1/budgets/2026-11").get_json()["items"] == []
    assert count_rows(Budget, other_api.user_id) == 1
