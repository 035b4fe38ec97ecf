"""A person keeps recurring bills through the API: templates, what is due, and a run that
creates each occurrence once."""

from __future__ import annotations

import datetime as dt

import pytest

from finance_tracker.store.models import RecurringTransaction, Transaction

from .helpers import assert_problem


@pytest.fixture
def checking(api) -> dict:
    return api.account("Checking", opening="5000.00")


def rent(checking: dict, **changes: object) -> dict:
    body = {
        "name": "Rent",
        "kind": "expense",
        "account_id": checking["id"],
        "amount": "1150.00",
        "frequency": "monthly",
        "start_date": "2026-01-31",
        "payee": "Landlord",
    }
    return {**body, **changes}


def test_create_read_change_and_delete_a_template(api, checking, count_rows):
    housing = api.category_id("Housing › Rent")
    created = api.create(
        "/api/v1/recurring", rent(checking, category_id=housing, tags=["Home", "fixed"])
    )
    assert created == {
        "id": created["id"],
        "name": "Rent",
        "kind": "expense",
        "account_id": checking["id"],
        "currency": "EUR",
        "amount": "1150.00",
        "amount_minor": 115000,
        "frequency": "monthly",
        "interval": 1,
        "day_of_month": None,
        "start_date": "2026-01-31",
        "end_date": None,
        "max_count": None,
        "payee": "Landlord",
        "memo": "",
        "category_id": housing,
        "tags": ["home", "fixed"],
        "to_account_id": None,
        "to_amount": None,
        "active": True,
        "next_date": created["next_date"],
        "created_at": created["created_at"],
    }
    url = f"/api/v1/recurring/{created['id']}"
    assert api.get(url).get_json() == created
    listed = api.get("/api/v1/recurring").get_json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert listed["pagination"]["total"] == 1

    patched = api.patch(url, json={"amount": "1200", "day_of_month": -1})
    assert patched.status_code == 200, patched.get_json()
    assert (patched.get_json()["amount"], patched.get_json()["day_of_month"]) == ("1200.00", -1)
    assert patched.get_json()["payee"] == "Landlord"  # kept

    replaced = api.put(url, json=rent(checking, name="Flat", frequency="weekly"))
    assert replaced.status_code == 200, replaced.get_json()
    assert (replaced.get_json()["name"], replaced.get_json()["category_id"]) == ("Flat", None)

    assert api.delete(url).status_code == 204
    assert_problem(api.get(url), 404)
    assert count_rows(RecurringTransaction) == 0


def test_a_transfer_template_between_currencies(api, checking):
    dollars = api.account("Dollars", currency="USD")
    created = api.create(
        "/api/v1/recurring",
        rent(
            checking,
            name="Savings in dollars",
            kind="transfer",
            to_account_id=dollars["id"],
            amount="100",
            to_amount="108.50",
        ),
    )
    assert (created["to_account_id"], created["to_amount"]) == (dollars["id"], "108.50")


def test_upcoming_lists_due_dates_and_the_overdue_ones(api, checking):
    api.create("/api/v1/recurring", rent(checking, start_date="2026-01-31"))
    api.create(
        "/api/v1/recurring",
        rent(checking, name="Gym", amount="30", frequency="weekly", start_date="2026-03-02"),
    )
    api.create("/api/v1/recurring", rent(checking, name="Paused", active=False))
    response = api.get("/api/v1/recurring/upcoming?today=2026-03-01&days=14")
    assert response.status_code == 200, response.get_json()
    upcoming = [(i["name"], i["date"], i["overdue"]) for i in response.get_json()["items"]]
    assert upcoming == [
        ("Rent", "2026-01-31", True),  # never created: overdue
        ("Rent", "2026-02-28", True),
        ("Gym", "2026-03-02", False),
        ("Gym", "2026-03-09", False),  # 03-16 is past the fortnight
    ]
    first = response.get_json()["items"][0]
    assert (first["amount"], first["amount_minor"], first["currency"]) == ("1150.00", 115000, "EUR")


def test_run_due_creates_each_occurrence_once_and_only_for_this_user(
    api, other_api, checking, count_rows
):
    start = (dt.date.today() - dt.timedelta(days=20)).isoformat()
    api.create(
        "/api/v1/recurring",
        rent(checking, name="Coffee", amount="4.50", frequency="weekly", start_date=start),
    )
    bob = other_api.account("Bob's checking")
    other_api.create(
        "/api/v1/recurring",
        rent(bob, name="Bob's rent", frequency="weekly", start_date=start),
    )
    first = api.post("/api/v1/recurring/run-due")
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"created": 3, "failed": 0}  # 20, 13 and 6 days ago
    assert api.post("/api/v1/recurring/run-due").get_json() == {"created": 0, "failed": 0}
    assert count_rows(Transaction, api.user_id) == 3
    assert count_rows(Transaction, other_api.user_id) == 0  # Bob's own run is his to make
    coffee = api.get("/api/v1/transactions?text=Landlord").get_json()["items"]
    assert {t["amount"] for t in coffee} == {"4.50"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"frequency": "fortnightly"}, "frequency"),
        ({"interval": 0}, "interval"),
        ({"interval": 10**12}, "interval"),
        ({"day_of_month": 32}, "day_of_month"),
        ({"frequency": "weekly", "day_of_month": 5}, "day_of_month"),
        ({"end_date": "2025-01-01"}, "end_date"),
        ({"max_count": 0}, "max_count"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"start_date": "1800-01-01"}, "start_date"),
        ({"start_date": "31/01/2026"}, "start_date"),
        ({"name": ""}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"kind": "gift"}, "kind"),
        ({"kind": "transfer"}, "to_account_id"),
        ({"account_id": 999999}, "account_id"),
        ({"category_id": 999999}, "category_id"),
        ({"tags": "a,b"}, "tags"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_templates_are_refused_and_nothing_is_saved(api, checking, count_rows, changes, field):
    assert_problem(api.post("/api/v1/recurring", json=rent(checking, **changes)), 422, field)
    assert count_rows(RecurringTransaction) == 0


@pytest.mark.parametrize(
    "query", ["days=-1", "days=367", "days=soon", "today=yesterday", "today=9999-12-31"]
)
def test_bad_upcoming_queries_are_refused(api, query):
    field = query.split("=")[0]
    assert_problem(api.get(f"/api/v1/recurring/upcoming?{query}"), 422, field)


def test_another_user_s_account_or_template_is_unknown(api, other_api, checking, count_rows):
    bob = other_api.account("Bob's checking")
    theirs = other_api.create("/api/v1/recurring", rent(bob, name="Bob's rent"))
    assert_problem(api.post("/api/v1/recurring", json=rent(bob)), 422, "account_id")
    url = f"/api/v1/recurring/{theirs['id']}"
    for response in (
        api.get(url),
        api.put(url, json=rent(checking)),
        api.patch(url, json={"amount": "1"}),
        api.delete(url),
    ):
        assert_problem(response, 404)
    assert other_api.get(url).get_json() == theirs
    assert count_rows(RecurringTransaction, api.user_id) == 0
