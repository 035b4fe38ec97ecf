"""Recording income, expenses, transfers and splits through the API."""

from __future__ import annotations

from finance_tracker.ops import metrics
from finance_tracker.store.models import Transaction

from .helpers import assert_problem


def balance(api, account: dict) -> str:  # type: ignore[no-untyped-def]
    return api.get(f"/api/v1/accounts/{account['id']}").get_json()["balance"]


def created_count(kind: str) -> float:
    return metrics.TRANSACTIONS_CREATED.labels(source="api", kind=kind)._value.get()


def test_record_an_expense_with_category_and_tags(api):
    checking = api.account("Checking", opening="100.00")
    groceries = api.category_id("Food › Groceries")
    before = created_count("expense")

    expense = api.transaction(
        kind="expense",
        account_id=checking["id"],
        date="2026-01-05",
        amount="12.30",
        payee="Market",
        memo="weekly shop",
        category_id=groceries,
        tags=["Vacation", "receipts"],
    )

    assert expense["kind"] == "expense"
    assert (expense["amount"], expense["amount_minor"], expense["currency"]) == (
        "12.30",
        1230,
        "EUR",
    )
    assert expense["category"] == "Food › Groceries"
    assert expense["tags"] == ["receipts", "vacation"]
    assert expense["ledger_entry"] == {
        "account_id": checking["id"],
        "currency": "EUR",
        "amount": "-12.30",
        "amount_minor": -1230,
    }
    assert balance(api, checking) == "87.70"
    assert created_count("expense") == before + 1
    assert api.get(f"/api/v1/transactions/{expense['id']}").get_json() == expense


def test_income_raises_the_balance(api):
    checking = api.account("Checking")
    income = api.transaction(
        kind="income", account_id=checking["id"], date="2026-01-01", amount="2500"
    )
    assert income["amount"] == "2500.00"
    assert income["ledger_entry"]["amount"] == "2500.00"
    assert balance(api, checking) == "2500.00"


def test_a_transfer_moves_money_between_two_accounts(api):
    checking = api.account("Checking", opening="100.00")
    savings = api.account("Savings")
    transfer = api.transaction(
        kind="transfer",
        account_id=checking["id"],
        to_account_id=savings["id"],
        date="2026-01-10",
        amount="40.00",
    )
    assert (transfer["account_id"], transfer["to_account_id"]) == (checking["id"], savings["id"])
    assert (transfer["amount"], transfer["to_amount"], transfer["to_currency"]) == (
        "40.00",
        "40.00",
        "EUR",
    )
    assert (balance(api, checking), balance(api, savings)) == ("60.00", "40.00")

    # Both legs show up, each with its own signed entry, and read the same way.
    found = api.get(f"/api/v1/transactions?account_id={savings['id']}").get_json()["items"]
    assert len(found) == 1
    incoming = found[0]
    assert incoming["id"] != transfer["id"]
    assert incoming["ledger_entry"]["amount"] == "40.00"
    assert (incoming["account_id"], incoming["to_account_id"]) == (checking["id"], savings["id"])


def test_a_transfer_between_currencies_records_what_arrived(api):
    euros = api.account("Euros", opening="100.00")
    dollars = api.account("Dollars", currency="USD")
    transfer = api.transaction(
        kind="transfer",
        account_id=euros["id"],
        to_account_id=dollars["id"],
        date="2026-01-10",
        amount="50.00",
        to_amount="54.20",
    )
    assert (transfer["to_amount"], transfer["to_amount_minor"], transfer["to_currency"]) == (
        "54.20",
        5420,
        "USD",
    )
    assert (balance(api, euros), balance(api, dollars)) == ("50.00", "54.20")


def test_a_transfer_between_currencies_needs_the_received_amount(api, count_rows):
    euros = api.account("Euros")
    dollars = api.account("Dollars", currency="USD")
    response = api.post(
        "/api/v1/transactions",
        json={"kind": "transfer", "account_id": euros["id"], "to_account_id": dollars["id"],
              "date": "2026-01-10", "amount": "50.00"},
    )  # fmt: skip
    assert_problem(response, 422, "to_amount")
    assert count_rows(Transaction) == 0


def test_a_split_spreads_one_payment_over_categories(api):
    checking = api.account("Checking", opening="100.00")
    groceries = api.category_id("Food › Groceries")
    household = api.category_id("Shopping › Household")
    split = api.transaction(
        kind="expense",
        account_id=checking["id"],
        date="2026-01-12",
        amount="30.00",
        payee="Supermarket",
        splits=[
            {"category_id": groceries, "amount": "20.00", "memo": "food"},
            {"category_id": household, "amount": "10.00"},
        ],
    )
    assert split["category_id"] is None
    assert [
        (s["category"], s["amount"], s["amount_minor"], s["memo"]) for s in split["splits"]
    ] == [
        ("Food › Groceries", "20.00", 2000, "food"),
        ("Shopping › Household", "10.00", 1000, ""),
    ]
    assert balance(api, checking) == "70.00"
    # The lines are inside the transaction, not transactions of their own.
    assert api.get("/api/v1/transactions").get_json()["pagination"]["total"] == 1


def test_split_lines_must_add_up(api, count_rows):
    checking = api.account("Checking")
    response = api.post(
        "/api/v1/transactions",
        json={"kind": "expense", "account_id": checking["id"], "date": "2026-01-12",
              "amount": "30.00", "splits": [{"amount": "20.00"}, {"amount": "5.00"}]},
    )  # fmt: skip
    assert_problem(response, 422, "splits")
    assert count_rows(Transaction) == 0


def test_put_replaces_a_transaction(api):
    checking = api.account("Checking", opening="100.00")
    expense = api.transaction(
        kind="expense", account_id=checking["id"], date="2026-01-05", amount="10.00", tags=["a"]
    )
    response = api.put(
        f"/api/v1/transactions/{expense['id']}",
        json={
            "kind": "income",
            "account_id": checking["id"],
            "date": "2026-01-06",
            "amount": "5.00",
        },
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["kind"], body["date"], body["amount"], body["tags"]) == (
        "income",
        "2026-01-06",
        "5.00",
        [],
    )
    assert balance(api, checking) == "105.00"


def test_patch_changes_only_what_it_names(api):
    checking = api.account("Checking", opening="100.00")
    savings = api.account("Savings")
    expense = api.transaction(
        kind="expense", account_id=checking["id"], date="2026-01-05", amount="10.00",
        payee="Cafe", tags=["coffee"],
    )  # fmt: skip
    body = api.patch(f"/api/v1/transactions/{expense['id']}", json={"amount": "12.50"}).get_json()
    assert (body["amount"], body["payee"], body["tags"], body["date"]) == (
        "12.50",
        "Cafe",
        ["coffee"],
        "2026-01-05",
    )

    moved = api.patch(f"/api/v1/transactions/{expense['id']}", json={"account_id": savings["id"]})
    assert moved.get_json()["account_id"] == savings["id"]
    assert moved.get_json()["ledger_entry"]["account_id"] == savings["id"]
    assert (balance(api, checking), balance(api, savings)) == ("100.00", "-12.50")


def test_patching_the_amount_of_a_transfer_moves_both_legs(api):
    checking = api.account("Checking", opening="100.00")
    savings = api.account("Savings")
    transfer = api.transaction(
        kind="transfer", account_id=checking["id"], to_account_id=savings["id"],
        date="2026-01-10", amount="40.00",
    )  # fmt: skip
    response = api.patch(f"/api/v1/transactions/{transfer['id']}", json={"amount": "25.00"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["to_amount"] == "25.00"
    assert (balance(api, checking), balance(api, savings)) == ("75.00", "25.00")


def test_deleting_a_transfer_removes_both_legs(api, count_rows):
    checking = api.account("Checking", opening="100.00")
    savings = api.account("Savings")
    transfer = api.transaction(
        kind="transfer", account_id=checking["id"], to_account_id=savings["id"],
        date="2026-01-10", amount="40.00",
    )  # fmt: skip
    assert count_rows(Transaction) == 2
    assert api.delete(f"/api/v1/transactions/{transfer['id']}").status_code == 204
    assert count_rows(Transaction) == 0
    assert (balance(api, checking), balance(api, savings)) == ("100.00", "0.00")
    assert_problem(api.get(f"/api/v1/transactions/{transfer['id']}"), 404)


def test_deleting_a_split_removes_its_lines(api, count_rows):
    checking = api.account("Checking")
    split = api.transaction(
        kind="expense", account_id=checking["id"], date="2026-01-12", amount="3.00",
        splits=[{"amount": "1.00"}, {"amount": "2.00"}],
    )  # fmt: skip
    assert count_rows(Transaction) == 3
    assert api.delete(f"/api/v1/transactions/{split['id']}").status_code == 204
    assert count_rows(Transaction) == 0


def test_a_split_line_is_not_a_transaction_of_its_own(api, db):
    checking = api.account("Checking")
    split = api.transaction(
        kind="expense", account_id=checking["id"], date="2026-01-12", amount="3.00",
        splits=[{"amount": "1.00"}, {"amount": "2.00"}],
    )  # fmt: skip
    with db.session() as session:
        line_ids = [
            row.id
            for row in session.query(Transaction).filter(Transaction.parent_id == split["id"])
        ]
    for line_id in line_ids:
        assert_problem(api.get(f"/api/v1/transactions/{line_id}"), 404)
        assert_problem(api.delete(f"/api/v1/transactions/{line_id}"), 404)


def test_a_transaction_id_that_does_not_exist_is_404(api):
    assert_problem(api.get("/api/v1/transactions/999999"), 404)
    assert_problem(api.delete("/api/v1/transactions/999999"), 404)
