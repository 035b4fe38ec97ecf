"""A person moves in from the tracker they use today, through the API: the export is uploaded
with no account (it brings its own), the preview shows the accounts it will create, the
categories it matches or creates and the budgets it sets, the commit writes it all, and the
same export again adds nothing. Each expectation below was worked out by hand from the file
in tests/movein/."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from tests.movein import actual_zip, ynab_zip

from .helpers import assert_problem

MOVEIN = Path(__file__).parents[2] / "movein"


def wait_until_finished(api, batch_id: int) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 60
    while not (status := api.get(f"/api/v1/imports/{batch_id}").get_json())["finished"]:
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    return status


def move_in(api, content: bytes, name: str) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Upload with no account, preview, commit: the preview and the finished import."""
    uploaded = api.upload("/api/v1/imports", content, name)
    assert uploaded.status_code == 201, uploaded.get_json()
    batch = uploaded.get_json()
    assert batch["account_id"] is None
    preview = api.get(f"/api/v1/imports/{batch['id']}/preview?limit=100").get_json()
    counted = preview["new"] + preview["duplicates"] + preview["invalid"] + preview["skipped"]
    assert counted == preview["total"]
    committed = api.post(f"/api/v1/imports/{batch['id']}/commit")
    assert committed.status_code == 202, committed.get_json()
    done = wait_until_finished(api, batch["id"])
    assert done["status"] == "done", done
    return preview, done


def accounts(api) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {a["name"]: a for a in api.get("/api/v1/accounts").get_json()["items"]}


def transactions(api, account: dict) -> list[dict]:  # type: ignore[no-untyped-def]
    url = f"/api/v1/transactions?account_id={account['id']}&per_page=200"
    return api.get(url).get_json()["items"]


def one(items: list[dict], payee: str, kind: str | None = None) -> dict:
    found = [t for t in items if t["payee"] == payee and (kind is None or t["kind"] == kind)]
    assert len(found) == 1, (payee, [(t["payee"], t["kind"]) for t in items])
    return found[0]


def balances(api) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {name: (a["balance"], a["currency"]) for name, a in accounts(api).items()}


def budgets(api, month: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    answer = api.get(f"/api/v1/budgets/{month}").get_json()
    return {b["category"]: b["budgeted"] for b in answer["items"] if Decimal(b["budgeted"])}


def again_adds_nothing(api, content: bytes, name: str, new: int) -> None:  # type: ignore[no-untyped-def]
    preview, done = move_in(api, content, name)
    assert (preview["new"], preview["duplicates"]) == (0, new)
    assert done["report"]["accounts_created"] == []


def test_moving_in_from_firefly_iii(api):
    content = (MOVEIN / "firefly" / "export.csv").read_bytes()
    preview, done = move_in(api, content, "firefly-export.csv")
    assert preview["source"] == "Firefly III"
    assert (preview["total"], preview["new"], preview["skipped"]) == (10, 8, 2)
    assert [(s["label"], s["records"], s["new_account"]["currency"]) for s in preview["statements"]] == [
        ("Account Checking", 8, "EUR"), ("Account Savings", 1, "EUR"), ("Account US account", 1, "USD"),
    ]  # fmt: skip
    assert {c["path"]: c["create"] for c in preview["categories"]} == {
        "Groceries": False, "Salary": False, "Household": False, "Eating out": True,
    }  # fmt: skip
    assert "budgets (Food) are kept as tags" in preview["notes"][0]
    assert done["report"]["accounts_created"] == ["Checking", "Savings", "US account"]

    assert balances(api) == {
        "Checking": ("2942.41", "EUR"), "Savings": ("5300.00", "EUR"),
        "US account": ("95.50", "USD"),
    }  # fmt: skip
    mine = accounts(api)
    assert (mine["Checking"]["opening_balance"], mine["Savings"]["type"]) == ("1000.00", "savings")
    checking = transactions(api, mine["Checking"])
    lidl = one(checking, "Lidl")
    assert (lidl["category"], lidl["cleared"]) == ("Food › Groceries", "reconciled")
    assert lidl["tags"] == ["budget: food", "food", "weekly"]
    assert one(checking, "ACME Corp")["memo"] == "January salary · Includes the yearly bonus"
    dollars = one(checking, "Holiday dollars")
    assert (dollars["to_account_id"], dollars["to_amount"]) == (mine["US account"]["id"], "108.00")
    shop = one(checking, "Supermarket")
    assert [(s["category"], s["amount"]) for s in shop["splits"]] == [
        ("Food › Groceries", "30.00"), ("Shopping › Household", "20.00"),
    ]  # fmt: skip
    assert one(transactions(api, mine["US account"]), "Blue Bottle")["category"] == "Eating out"

    again_adds_nothing(api, content, "firefly-export.csv", 8)


def test_moving_in_from_ynab_with_its_budget(api):
    content = ynab_zip()
    preview, done = move_in(api, content, "Household.zip")
    assert preview["source"] == "YNAB"
    # the second side of each transfer is the same transfer: already there
    assert (preview["total"], preview["new"], preview["duplicates"], preview["skipped"]) == (
        11, 7, 2, 2,
    )  # fmt: skip
    assert preview["budgets"] == 5
    assert done["report"]["budgets_set"] == 5
    assert balances(api) == {"Checking": ("2278.90", "EUR"), "Savings": ("3305.00", "EUR")}
    checking = transactions(api, accounts(api)["Checking"])
    cafe = one(checking, "Corner Café")
    assert (cafe["category"], cafe["tags"], cafe["cleared"]) == (
        "Everyday Expenses › Eating Out", ["flag red"], "uncleared",
    )  # fmt: skip
    assert one(checking, "ACME Corp")["category"] == "Income"
    shop = one(checking, "Superstore", "expense")
    assert [(s["category"], s["amount"], s["memo"]) for s in shop["splits"]] == [
        ("Everyday Expenses › Groceries", "30.00", "food"),
        ("Everyday Expenses › Household", "20.00", "cleaning"),
    ]
    assert one(checking, "Superstore", "transfer")["amount"] == "5.00"
    power = one(checking, "City Power")
    assert power["category"] == "Monthly Bills › Electric (old name: Power)"
    assert budgets(api, "2026-02") == {
        "Everyday Expenses › Groceries": "420.00", "Monthly Bills › Rent": "950.00",
        "Monthly Bills › Electric (old name: Power)": "60.00",
    }  # fmt: skip

    again_adds_nothing(api, content, "Household.zip", 9)


def test_moving_in_from_actual_budget(api):
    content = actual_zip()
    preview, done = move_in(api, content, "My-Finances.zip")
    assert preview["source"] == "Actual Budget"
    assert (preview["total"], preview["new"], preview["duplicates"], preview["skipped"]) == (
        11, 7, 2, 2,
    )  # fmt: skip
    assert preview["notes"] == [
        "Actual Budget file “My Finances”.",
        "Categories deleted in Actual and still used by transactions keep their last name "
        "here: Phone.",
    ]
    assert balances(api) == {"Checking": ("3587.71", "EUR"), "Savings": ("4310.00", "EUR")}
    checking = transactions(api, accounts(api)["Checking"])
    # a payee merged into another, a category deleted with its transactions moved to another
    assert (one(checking, "Aldi")["category"], one(checking, "Aldi")["cleared"]) == (
        "Usual Expenses › Food", "cleared",
    )  # fmt: skip
    assert one(checking, "Pizza Place")["category"] == "Usual Expenses › Food"
    assert one(checking, "Phone Co")["category"] == "Bills › Phone"
    assert one(checking, "ACME Corp")["cleared"] == "reconciled"
    mart = one(checking, "Mega Mart", "expense")
    assert [(s["category"], s["amount"]) for s in mart["splits"]] == [
        ("Usual Expenses › Food", "40.00"), ("Usual Expenses › General", "15.00"),
    ]  # fmt: skip
    assert "entered by mistake" not in str(checking)  # deleted in Actual
    assert budgets(api, "2026-01") == {
        "Usual Expenses › Food": "400.00", "Usual Expenses › General": "50.00",
    }  # fmt: skip

    again_adds_nothing(api, content, "My-Finances.zip", 9)


@pytest.mark.parametrize(
    ("name", "source", "names"),
    [
        ("beancount/household.beancount", "beancount",
         ("Bank:Checking", "Bank:Savings", "CreditCard:Visa", "Cash:Dollars")),
        ("ledger/household.journal", "hledger / ledger", ("checking", "savings", "visa", "cash")),
    ],
)  # fmt: skip
def test_moving_in_from_a_plain_text_ledger(api, name, source, names):
    content = (MOVEIN / name).read_bytes()
    preview, done = move_in(api, content, Path(name).name)
    assert preview["source"] == source
    checking, savings, card, cash = names
    assert {s["label"].removeprefix("Account "): s["new_account"] is not None
            for s in preview["statements"]} == {**dict.fromkeys(names, True),
                                                **({"Broker:Shares": False} if source ==
                                                   "beancount" else {})}  # fmt: skip
    assert balances(api) == {
        checking: ("3568.90", "EUR"), savings: ("4310.00", "EUR"), card: ("0.00", "EUR"),
        cash: ("95.50", "USD"),
    }  # fmt: skip
    mine = accounts(api)
    assert (mine[checking]["opening_balance"], mine[card]["type"]) == ("1500.00", "credit_card")
    items = transactions(api, mine[checking])
    assert one(items, "Lidl")["category"] == "Food › Groceries"
    assert one(items, "Lidl")["tags"] == ["food"]
    assert one(items, "ACME Corp")["category"] == "Income › Salary"
    mart = one(items, "Mega Mart", "expense")
    assert [(s["category"], s["amount"]) for s in mart["splits"]] == [
        ("Food › Groceries", "40.00"), ("Shopping › Household", "15.00"),
    ]  # fmt: skip
    exchange = one(items, "Bureau de change")
    assert (exchange["amount"], exchange["to_amount"], exchange["to_currency"]) == (
        "100.00", "108.00", "USD",
    )  # fmt: skip
    # The exchange is a rate from then on: the dollars count in the euro net worth.
    (learnt,) = api.get("/api/v1/rates").get_json()["learnt"]
    assert (learnt["base"], learnt["quote"], learnt["rate"]) == ("EUR", "USD", "1.08")
    assert api.get("/api/v1/dashboard/summary").get_json()["home"]["missing_rates"] == []
    assert one(transactions(api, mine[card]), "Pizza Place")["cleared"] == "uncleared"
    if source == "beancount":
        held = [g for g in preview["skipped_groups"] if "holding" in g["kinds"]]
        assert held[0]["reason"] == "2 ETF: this tracker records cash, not holdings"
    else:
        assert (
            "Periodic and automated transactions (~, =) are not carried over (line 53)."
            in (preview["notes"])
        )

    again_adds_nothing(api, content, Path(name).name, preview["new"])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("journal.ledger", (MOVEIN / "ledger" / "does_not_balance.journal").read_bytes(),
         "line 1: the transaction does not balance: 0.09 EUR left over"),
        ("ledger.beancount", (MOVEIN / "beancount" / "does_not_balance.beancount").read_bytes(),
         "beancount finds errors in the ledger: line 3: Transaction does not balance"),
        ("export.csv", (MOVEIN / "firefly" / "unknown_currency.csv").read_bytes(),
         "Account Odd account: unknown currency 'XQZ'"),
        ("Household.zip", ynab_zip()[:300], "the zip archive is damaged or cut short"),
        ("My-Finances.zip", actual_zip()[:-200], "the zip archive is damaged or cut short"),
        ("photo.zip", b"PK\x05\x06" + b"\x00" * 18, "neither a YNAB nor an Actual Budget export"),
    ],
)  # fmt: skip
def test_an_export_that_cannot_be_read_is_refused_naming_what_and_where(
    api, count_rows, name, content, message
):
    from finance_tracker.store.models import Account, Transaction

    problem = assert_problem(api.upload("/api/v1/imports", content, name), 422, "file")
    assert message in problem["errors"]["file"], problem
    assert count_rows(Account, api.user_id) == 0
    assert count_rows(Transaction, api.user_id) == 0


def test_an_unknown_currency_in_a_journal_is_an_invalid_row_naming_its_line(api):
    content = (MOVEIN / "ledger" / "unknown_currency.journal").read_bytes()
    uploaded = api.upload("/api/v1/imports", content, "odd.journal").get_json()
    preview = api.get(f"/api/v1/imports/{uploaded['id']}/preview").get_json()
    assert preview["problems"] == [{
        "line": 2, "message": "'EUX' is not a currency (an ISO 4217 code like EUR, or $, €, £)",
    }]  # fmt: skip
    refused = api.post(f"/api/v1/imports/{uploaded['id']}/commit")
    assert refused.status_code == 409


def test_thousands_of_rows_from_ynab_move_in_at_once(api):
    header = (MOVEIN / "ynab" / "Household as of 2026-03-01 - Register.csv").read_text()
    lines = [header.splitlines()[0]]
    for n in range(3000):
        day = f"{n % 12 + 1:02d}/{n % 28 + 1:02d}/2025"
        lines.append(f'"Checking","","{day}","Shop {n % 40}","Everyday Expenses: Groceries",'
                     f'"Everyday Expenses","Groceries","","€{n % 97 + 1}.{n % 100:02d}","€0.00",'
                     '"Cleared"')  # fmt: skip
    content = ("\n".join(lines) + "\n").encode()
    preview, done = move_in(api, content, "big - Register.csv")
    assert (preview["total"], preview["new"], done["new_rows"]) == (3000, 3000, 3000)
    assert len(transactions(api, accounts(api)["Checking"])) == 200  # a page of them
    again_adds_nothing(api, content, "big - Register.csv", 3000)
