"""The choices a person makes in an import's preview, through the API: which account each
statement goes to, transfers, the file's categories against their rules, rounding, and skipping
the invalid rows. A choice that does not fit the file is refused and changes nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .helpers import assert_problem

CORPUS = Path(__file__).parents[2] / "statements"

# A Quicken register: groceries by the file's category, one payment to a card, one to an
# account the person does not have, and a payee the person has a rule for.
REGISTER = b"""!Type:Bank
D10/01/2026
T-84.20
PCorner Grocery
LFood:Groceries
^
D10/02/2026
T-200.00
PCard payment
L[Visa]
^
D10/03/2026
T-50.00
PTo my brother
L[Brother's account]
^
D10/04/2026
T-12.00
PCoffee Corner
LFood:Dining
^
"""


def wait_until_finished(api, batch_id: int) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30
    while not (status := api.get(f"/api/v1/imports/{batch_id}").get_json())["finished"]:
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    return status


def commit(api, batch_id: int) -> dict:  # type: ignore[no-untyped-def]
    response = api.post(f"/api/v1/imports/{batch_id}/commit")
    assert response.status_code == 202, response.get_json()
    return wait_until_finished(api, batch_id)


def preview_of(api, batch_id: int) -> dict:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/imports/{batch_id}/preview?limit=100")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def transactions_in(api, account_id: int) -> list[dict]:  # type: ignore[no-untyped-def]
    return api.get(f"/api/v1/transactions?account_id={account_id}&per_page=200").get_json()["items"]


@pytest.fixture
def checking(api) -> dict:
    return api.account("Checking", currency="USD")


def test_the_files_categories_and_transfers_are_matched_and_the_missing_ones_offered(api, checking):
    visa = api.account("Visa", currency="USD")
    batch = api.start_import(checking["id"], REGISTER, "register.qif")
    preview = preview_of(api, batch["id"])
    categories = {c["path"]: c for c in preview["categories"]}
    assert categories["Food:Groceries"]["category_id"] == api.category_id("Food › Groceries")
    assert categories["Food:Dining"]["category_id"] is None  # the defaults have no Dining
    assert categories["Food:Dining"]["create"] is True
    transfers = {t["name"]: t for t in preview["transfers"]}
    assert transfers["Visa"]["account_id"] == visa["id"]
    assert transfers["Brother's account"] == {
        "name": "Brother's account",
        "account_id": None,
        "note": "no account of yours has this name",
    }

    done = commit(api, batch["id"])
    assert done["report"]["categories_created"] == ["Food:Dining"]
    rows = {t["payee"]: t for t in transactions_in(api, checking["id"])}
    assert rows["Corner Grocery"]["category"] == "Food › Groceries"
    assert rows["Coffee Corner"]["category"] == "Food › Dining"
    assert rows["Card payment"]["kind"] == "transfer"
    assert rows["Card payment"]["to_account_id"] == visa["id"]
    assert rows["To my brother"]["kind"] == "expense"  # kept as an expense, as shown
    assert transactions_in(api, visa["id"])[0]["ledger_entry"]["amount"] == "200.00"


def test_a_transfer_without_an_account_of_that_name_can_be_pointed_at_one(api, checking):
    savings = api.account("Family savings", currency="USD")
    batch = api.start_import(checking["id"], REGISTER, "register.qif")
    chosen = api.put(
        f"/api/v1/imports/{batch['id']}/options",
        json={"transfers": [{"name": "Brother's account", "account_id": savings["id"]}]},
    ).get_json()
    assert {t["name"]: t["account_id"] for t in chosen["transfers"]}["Brother's account"] == (
        savings["id"]
    )
    commit(api, batch["id"])
    assert transactions_in(api, savings["id"])[0]["payee"] == "To my brother"


def test_the_files_category_wins_over_a_rule_unless_the_person_lets_rules_override(api, checking):
    coffee = api.category_id("Food › Restaurants")
    rule = {"name": "Coffee", "match_field": "payee", "match_type": "contains",
            "pattern": "Coffee", "set_category_id": coffee}  # fmt: skip
    assert api.post("/api/v1/rules", json=rule).status_code == 201
    batch = api.start_import(checking["id"], REGISTER, "register.qif")
    sample = {r["payee"]: r for r in preview_of(api, batch["id"])["sample"]}
    assert sample["Coffee Corner"]["rule_matched"] is True
    assert sample["Coffee Corner"]["category_path"] == "Food:Dining"
    assert sample["Coffee Corner"]["category_id"] is None  # Food:Dining, created at commit

    overridden = api.put(
        f"/api/v1/imports/{batch['id']}/options", json={"rules_override": True}
    ).get_json()
    sample = {r["payee"]: r for r in overridden["sample"]}
    assert sample["Coffee Corner"]["category_id"] == coffee
    commit(api, batch["id"])
    rows = {t["payee"]: t for t in transactions_in(api, checking["id"])}
    assert rows["Coffee Corner"]["category"] == "Food › Restaurants"


def test_without_creating_categories_the_rows_the_person_lacks_them_for_are_uncategorised(
    api, checking
):
    batch = api.start_import(checking["id"], REGISTER, "register.qif")
    api.put(f"/api/v1/imports/{batch['id']}/options", json={"create_categories": False})
    assert commit(api, batch["id"])["report"]["categories_created"] == []
    rows = {t["payee"]: t for t in transactions_in(api, checking["id"])}
    assert rows["Coffee Corner"]["category"] is None
    assert rows["Corner Grocery"]["category"] == "Food › Groceries"


def test_a_transfer_imported_from_one_side_is_not_added_again_from_the_other(api, checking):
    savings = api.account("Savings", currency="USD")
    checking_file = b"!Type:Bank\nD8/1/2026\nT-300.00\nPTo savings\nL[Savings]\n^\n"
    savings_file = b"!Type:Bank\nD8/1/2026\nT300.00\nPFrom checking\nL[Checking]\n^\n"
    commit(api, api.start_import(checking["id"], checking_file, "checking.qif")["id"])
    later = api.start_import(savings["id"], savings_file, "savings.qif")
    preview = preview_of(api, later["id"])
    assert (preview["new"], preview["duplicates"]) == (0, 1)
    commit(api, later["id"])
    assert len(transactions_in(api, savings["id"])) == 1


def test_a_download_with_a_bank_and_a_card_statement_maps_each_to_an_account(api, checking):
    card = api.account("Card", currency="USD")
    content = (CORPUS / "ofx/bank_and_card.ofx").read_bytes()
    batch = api.start_import(checking["id"], content, "download.ofx")
    preview = preview_of(api, batch["id"])
    assert [(s["label"], s["account_id"]) for s in preview["statements"]] == [
        ("Bank account …0111", checking["id"]),
        ("Credit card …1234", None),  # not the checking account: the person chooses
    ]
    assert preview["skipped_groups"][0]["reason"] == (
        "Credit card …1234 is not imported: choose an account for it"
    )
    chosen = api.put(
        f"/api/v1/imports/{batch['id']}/options",
        json={"statements": [{"statement": 1, "account_id": checking["id"]},
                             {"statement": 2, "account_id": card["id"]}]},
    ).get_json()  # fmt: skip
    assert (chosen["new"], chosen["skipped"]) == (5, 0)
    commit(api, batch["id"])
    assert len(transactions_in(api, card["id"])) == 3


def test_amounts_finer_than_a_cent_are_rounded_only_when_the_person_chooses(api):
    brokerage = api.account("Brokerage", currency="USD")
    content = (CORPUS / "ofx/brokerage_cash_rounding.ofx").read_bytes()
    batch = api.start_import(brokerage["id"], content, "cash.ofx")
    preview = preview_of(api, batch["id"])
    assert (preview["invalid"], preview["rounding"]["needed"]) == (3, 3)
    assert "choose to round such amounts" in preview["problems"][0]["message"]
    refused = api.post(f"/api/v1/imports/{batch['id']}/commit")
    assert refused.status_code == 409 and "skip_invalid" in refused.get_json()["detail"]

    rounded = api.put(
        f"/api/v1/imports/{batch['id']}/options", json={"round_amounts": True}
    ).get_json()
    assert rounded["invalid"] == 0
    assert rounded["rounding"]["rows"][0] == {
        "line": 44,
        "original": "115.8331",
        "amount": "115.83",
    }
    commit(api, batch["id"])
    interest = [t for t in transactions_in(api, brokerage["id"]) if t["payee"] == "SWEEP INTEREST"]
    assert interest[0]["amount"] == "115.83"
    assert "rounded from 115.8331" in interest[0]["memo"]


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"statements": [{"statement": 3, "account_id": None}]}, "accounts", "1 statement"),
        ({"statements": [{"statement": 1, "account_id": 999_999}]}, "accounts", "unknown"),
        ({"transfers": [{"name": "Visa", "account_id": 999_999}]}, "transfers", "unknown"),
        ({"round_amounts": "sometimes"}, "round_amounts", "boolean"),
    ],
)
def test_a_choice_that_does_not_fit_the_file_is_refused_and_changes_nothing(
    api, checking, options, field, message
):
    batch = api.start_import(checking["id"], REGISTER, "register.qif")
    before = preview_of(api, batch["id"])
    problem = assert_problem(
        api.put(f"/api/v1/imports/{batch['id']}/options", json=options), 422, field
    )
    assert message in problem["errors"][field].lower() or message in str(problem)
    assert preview_of(api, batch["id"])["options"] == before["options"]


def test_a_statement_in_another_currency_is_refused_for_that_reason(api):
    euros = api.account("Girokonto", currency="EUR")
    content = (CORPUS / "ofx/sgml_102_bank.ofx").read_bytes()
    problem = assert_problem(
        api.upload("/api/v1/imports", content, "usd.ofx", account_id=euros["id"]), 422, "file"
    )
    assert problem["errors"]["file"] == (
        "Bank account …7890 is in USD, but Girokonto is in EUR: import it into a USD account"
    )


def test_a_payslip_split_keeps_its_tax_line_as_spending_and_can_be_edited_as_it_is(api, checking):
    payslip = b"""!Type:Bank
D4/3/2026
T1200.00
PACME Corp
SSalary
$1500.00
STaxes
$-300.00
^
"""
    commit(api, api.start_import(checking["id"], payslip, "payslip.qif")["id"])
    [row] = transactions_in(api, checking["id"])
    assert (row["kind"], row["amount"]) == ("income", "1200.00")
    # a category of one level the person has once as a subcategory is that one
    assert [(s["category"], s["amount"]) for s in row["splits"]] == [
        ("Income › Salary", "1500.00"),
        ("Bills › Taxes", "-300.00"),
    ]
    saved = api.patch(f"/api/v1/transactions/{row['id']}", json={"memo": "April"})
    assert saved.status_code == 200, saved.get_json()
    assert [s["amount"] for s in saved.get_json()["splits"]] == ["1500.00", "-300.00"]
    report = api.get(
        "/api/v1/reports/spending-by-category?date_from=2026-04-01&date_to=2026-04-30"
    ).get_json()
    assert [(i["category"], i["spent"]) for i in report["items"]] == [("Bills", "300.00")]
