"""A person manages their accounts through the API and sees balances as exact decimal strings."""

from __future__ import annotations

from finance_tracker.store.models import Account

from .helpers import assert_problem


def test_open_an_account_and_read_it_back(api):
    created = api.account("Checking", opening="100.50")
    assert created["name"] == "Checking"
    assert created["currency"] == "EUR"
    assert created["opening_balance"] == "100.50"
    assert created["opening_balance_minor"] == 10050
    assert created["balance"] == "100.50"
    assert created["balance_minor"] == 10050
    assert created["archived"] is False

    fetched = api.get(f"/api/v1/accounts/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.get_json() == created


def test_amounts_follow_the_currency_s_decimals(api):
    yen = api.account("Tokyo wallet", currency="jpy", opening="1500")
    assert (yen["currency"], yen["balance"], yen["balance_minor"]) == ("JPY", "1500", 1500)
    dinar = api.account("Kuwait", currency="KWD", opening="1.005")
    assert (dinar["balance"], dinar["balance_minor"]) == ("1.005", 1005)


def test_the_list_shows_balances_after_transactions(api):
    checking = api.account("Checking", opening="100.00")
    api.account("Savings")
    api.transaction(kind="expense", account_id=checking["id"], date="2026-01-05", amount="12.30")
    listed = api.get("/api/v1/accounts").get_json()
    balances = {a["name"]: a["balance"] for a in listed["items"]}
    assert balances == {"Checking": "87.70", "Savings": "0.00"}
    assert listed["pagination"] == {"page": 1, "per_page": 50, "total": 2, "pages": 1}


def test_the_list_is_paginated(api):
    for n in range(5):
        api.account(f"Account {n}")
    second = api.get("/api/v1/accounts?page=2&per_page=2").get_json()
    assert [a["name"] for a in second["items"]] == ["Account 2", "Account 3"]
    assert second["pagination"] == {"page": 2, "per_page": 2, "total": 5, "pages": 3}
    beyond = api.get("/api/v1/accounts?page=9&per_page=2").get_json()
    assert beyond["items"] == []


def test_archived_accounts_can_be_left_out(api):
    api.account("Open")
    closed = api.account("Closed")
    api.patch(f"/api/v1/accounts/{closed['id']}", json={"archived": True})
    listed = api.get("/api/v1/accounts?include_archived=false").get_json()
    assert [a["name"] for a in listed["items"]] == ["Open"]


def test_put_replaces_the_account(api):
    account = api.account("Checking", opening="10.00")
    response = api.put(
        f"/api/v1/accounts/{account['id']}",
        json={"name": "Main", "type": "savings", "currency": "EUR", "opening_balance": "20.00"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["type"], body["balance"]) == ("Main", "savings", "20.00")


def test_patch_changes_only_what_it_names(api):
    account = api.account("Checking", opening="10.00")
    response = api.patch(f"/api/v1/accounts/{account['id']}", json={"name": "Everyday"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["type"], body["opening_balance"]) == (
        "Everyday",
        "checking",
        "10.00",
    )


def test_an_empty_account_can_be_deleted(api, count_rows):
    account = api.account("Mistake")
    response = api.delete(f"/api/v1/accounts/{account['id']}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert count_rows(Account) == 0
    assert_problem(api.get(f"/api/v1/accounts/{account['id']}"), 404)


def test_an_account_with_history_cannot_be_deleted(api, count_rows):
    account = api.account("Checking")
    api.transaction(kind="income", account_id=account["id"], date="2026-01-01", amount="5")
    body = assert_problem(api.delete(f"/api/v1/accounts/{account['id']}"), 409)
    assert "archive" in body["detail"]
    assert count_rows(Account) == 1


def test_names_must_be_unique_per_user(api, other_api):
    api.account("Checking")
    assert_problem(
        api.post("/api/v1/accounts", json={"name": "Checking", "type": "cash", "currency": "EUR"}),
        422,
        "name",
    )
    other_api.account("Checking")  # another person may use the same name


def test_bad_accounts_are_refused_field_by_field(api, count_rows):
    response = api.post(
        "/api/v1/accounts",
        json={"name": "", "type": "piggy bank", "currency": "XYZ", "opening_balance": "1.234"},
    )
    body = assert_problem(response, 422, "type")
    response = api.post(
        "/api/v1/accounts",
        json={"name": "", "type": "cash", "currency": "XYZ", "opening_balance": "1.234"},
    )
    body = assert_problem(response, 422, "name", "currency")
    assert "ISO 4217" in body["errors"]["currency"]
    response = api.post(
        "/api/v1/accounts",
        json={"name": "Euro", "type": "cash", "currency": "EUR", "opening_balance": "1.234"},
    )
    body = assert_problem(response, 422, "opening_balance")
    assert "2 decimal places" in body["errors"]["opening_balance"]
    assert count_rows(Account) == 0


def test_the_currency_is_fixed_once_there_are_transactions(api):
    account = api.account("Checking")
    api.transaction(kind="income", account_id=account["id"], date="2026-01-01", amount="5")
    response = api.patch(f"/api/v1/accounts/{account['id']}", json={"currency": "USD"})
    assert_problem(response, 422, "currency")
