"""A person downloads transactions as CSV and a full backup, and restores the backup into a fresh
account: what comes back out is the very same backup."""

from __future__ import annotations

import csv
import io
import json

import pytest

from finance_tracker.services import exports
from finance_tracker.store.models import Account, Budget, Rule, Transaction

from .helpers import assert_problem


@pytest.fixture
def history(api) -> dict:
    """One of everything a backup carries."""
    checking = api.account("Checking", opening="100.00")
    dollars = api.account("Dollars", currency="USD")
    pets = api.create("/api/v1/categories", {"name": "Pets"})
    vet = api.create("/api/v1/categories", {"name": "Vet", "parent_id": pets["id"]})
    groceries = api.category_id("Food › Groceries")
    api.transaction(
        kind="income", account_id=checking["id"], date="2026-11-01", amount="3850",
        payee="ACME", tags=["work"],
    )  # fmt: skip
    api.transaction(
        kind="expense", account_id=checking["id"], date="2026-11-03", amount="80",
        payee="=HYPERLINK(evil)", memo="@cmd", category_id=vet["id"],
    )  # fmt: skip
    api.transaction(
        kind="expense", account_id=checking["id"], date="2026-11-04", amount="30", payee="Shop",
        splits=[{"amount": "20", "category_id": groceries, "memo": "food"},
                {"amount": "10", "memo": "other"}],
    )  # fmt: skip
    api.transaction(
        kind="transfer", account_id=checking["id"], to_account_id=dollars["id"],
        date="2026-11-05", amount="100", to_amount="108.50",
    )  # fmt: skip
    api.put(f"/api/v1/budgets/2026-11/{vet['id']}", json={"amount": "50", "currency": "EUR"})
    api.create(
        "/api/v1/recurring",
        {"name": "Rent", "kind": "expense", "account_id": checking["id"], "amount": "900",
         "frequency": "monthly", "start_date": "2026-12-01"},
    )  # fmt: skip
    api.create("/api/v1/rules", {"name": "Vet", "pattern": "vet", "set_category_id": vet["id"]})
    return {"checking": checking["id"], "dollars": dollars["id"], "vet": vet["id"]}


def csv_rows(response) -> list[dict]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="transactions.csv"'
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_transactions_as_csv_with_filters_and_harmless_formulas(api, history):
    rows = csv_rows(api.get("/api/v1/exports/transactions.csv"))
    assert [(r["date"], r["kind"], r["amount"], r["currency"]) for r in rows] == [
        ("2026-11-05", "transfer", "-100.00", "EUR"),
        ("2026-11-04", "expense", "-20.00", "EUR"),  # a split: one line per category
        ("2026-11-04", "expense", "-10.00", "EUR"),
        ("2026-11-03", "expense", "-80.00", "EUR"),
        ("2026-11-01", "income", "3850.00", "EUR"),
    ]
    assert (rows[0]["transfer_account"], rows[0]["transfer_amount"]) == ("Dollars", "108.50")
    assert rows[1]["category"] == "Food › Groceries" and rows[1]["split_of"]
    vet = rows[3]
    assert (vet["payee"], vet["memo"], vet["category"]) == (
        "'=HYPERLINK(evil)",
        "'@cmd",
        "Pets › Vet",
    )
    assert rows[4]["tags"] == "work"

    only_vet = csv_rows(
        api.get(f"/api/v1/exports/transactions.csv?category_id={history['vet']}&kind=expense")
    )
    assert [r["amount"] for r in only_vet] == ["-80.00"]
    in_range = csv_rows(
        api.get("/api/v1/exports/transactions.csv?date_from=2026-11-02&date_to=2026-11-03")
    )
    assert [r["date"] for r in in_range] == ["2026-11-03"]
    nothing = api.get("/api/v1/exports/transactions.csv?text=nothing-like-this")
    assert nothing.get_data(as_text=True).splitlines() == [",".join(exports.CSV_HEADER)]


def test_a_long_export_streams_every_page(api):
    wallet = api.account("Wallet")
    for day in range(1, 29):
        for n in range(9):
            api.transaction(
                kind="expense", account_id=wallet["id"], date=f"2026-02-{day:02d}",
                amount=f"{n + 1}.00", payee=f"Shop {day}-{n}",
            )  # fmt: skip
    response = api.get("/api/v1/exports/transactions.csv")
    assert response.is_streamed
    assert len(csv_rows(response)) == 28 * 9  # more than one page of 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2026-12-01&date_to=2026-01-01", "date_to"),
        ("account_id=999999", "account_id"),
        ("category_id=999999", "category_id"),
        ("amount_min=-5", "amount_min"),
        ("kind=gift", "kind"),
        ("date_from=soon", "date_from"),
    ],
)
def test_bad_export_filters_are_422s_before_anything_streams(api, history, query, field):
    assert_problem(api.get(f"/api/v1/exports/transactions.csv?{query}"), 422, field)


def test_backup_then_restore_into_a_fresh_user_gives_the_same_backup(
    api, make_api_client, history, count_rows
):
    response = api.get("/api/v1/backup")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    backup = response.get_json()
    assert backup["format"] == "finance-tracker-backup"
    assert len(backup["accounts"]) == 2 and len(backup["budgets"]) == 1
    assert len(backup["recurring"]) == 1 and len(backup["rules"]) == 1

    fresh = make_api_client("carol@example.com")
    restored = fresh.post("/api/v1/backup/restore", json=backup)
    assert restored.status_code == 200, restored.get_json()
    assert restored.get_json() == {"transactions": count_rows(Transaction, api.user_id)}
    assert fresh.get("/api/v1/backup").get_json() == backup
    balances = {a["name"]: a["balance"] for a in fresh.get("/api/v1/accounts").get_json()["items"]}
    assert balances == {"Checking": "3740.00", "Dollars": "108.50"}
    report = fresh.get(
        "/api/v1/reports/spending-by-category?date_from=2026-11-01&date_to=2026-11-30"
    ).get_json()
    assert {i["category"]: i["spent"] for i in report["items"]}["Pets"] == "80.00"

    again = fresh.post("/api/v1/backup/restore", json=backup)
    assert "fresh user" in assert_problem(again, 409)["detail"]
    assert count_rows(Account, fresh.user_id) == 2


def test_a_backup_larger_than_the_json_limit_restores(app, make_api_client, count_rows):
    limit = app.extensions["finance_tracker"].settings.api_max_body_bytes
    memo = "m" * 1000
    backup = {
        "format": "finance-tracker-backup", "version": 1, "default_currency": "EUR",
        "accounts": [{"name": "Big", "type": "checking", "currency": "EUR",
                      "opening_balance_minor": 0, "archived": False, "created_at": None}],
        "categories": [], "tags": [],
        "transactions": [
            {"account": 0, "date": "2026-01-01", "amount_minor": -100, "kind": "expense",
             "payee": f"p{n}", "memo": memo, "category": None, "parent": None,
             "is_split": False, "transfer_group": None, "import_key": None, "tags": [],
             "created_at": None, "updated_at": None}
            for n in range(1100)
        ],
        "budgets": [], "recurring": [], "rules": [], "csv_mappings": [],
    }  # fmt: skip
    assert len(json.dumps(backup)) > limit
    fresh = make_api_client("dora@example.com")
    response = fresh.post("/api/v1/backup/restore", json=backup)
    assert response.status_code == 200, response.get_json()
    assert count_rows(Transaction, fresh.user_id) == 1100


def damaged(backup: dict, **changes: object) -> dict:
    return {**backup, **changes}


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        (lambda b: damaged(b, format="something-else"), 422, "format"),
        (lambda b: damaged(b, version=99), 422, "version"),
        (lambda b: {k: v for k, v in b.items() if k != "rules"}, 422, "rules"),
        (lambda b: damaged(b, accounts="all of them"), 422, "accounts"),
        (lambda b: damaged(b, accounts=[1, 2]), 422, "accounts.0"),
        (lambda b: damaged(b, extra=True), 422, "extra"),
        (lambda b: damaged(b, transactions=[{"account": 7}]), 422, "file"),
        (lambda b: damaged(b, transactions=[{**b["transactions"][0], "amount_minor": "x"}]),
         422, "file"),
        (lambda b: damaged(b, transactions=[{**b["transactions"][0], "date": "someday"}]),
         422, "file"),
        (lambda b: damaged(b, accounts=[{**b["accounts"][0], "name": None}, *b["accounts"][1:]]),
         422, "file"),  # the database refuses it
        (lambda b: damaged(b, accounts=[b["accounts"][0], b["accounts"][0]]), 422, "file"),
        (lambda b: damaged(b, transactions=[{**b["transactions"][0], "amount_minor": 10**30}]),
         422, "file"),
    ],
)  # fmt: skip
def test_a_damaged_backup_is_a_422_and_restores_nothing(
    api, make_api_client, history, count_rows, change, status, field
):
    backup = api.get("/api/v1/backup").get_json()
    fresh = make_api_client("erin@example.com")
    before = count_rows(Account), count_rows(Transaction), count_rows(Budget), count_rows(Rule)
    response = fresh.post("/api/v1/backup/restore", json=change(backup))
    assert_problem(response, status, field)
    after = count_rows(Account), count_rows(Transaction), count_rows(Budget), count_rows(Rule)
    assert after == before
    assert len(fresh.get("/api/v1/categories").get_json()["items"]) > 0  # defaults still there


def test_restore_needs_a_json_body(api):
    assert_problem(
        api.post("/api/v1/backup/restore", data="not json", content_type="text/plain"), 415
    )
    assert_problem(
        api.post("/api/v1/backup/restore", data="{", content_type="application/json"), 400
    )
