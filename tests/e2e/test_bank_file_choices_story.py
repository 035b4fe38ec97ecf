"""A person brings the files their bank and Quicken really write, in a real browser: a download
with a bank and a card statement (each mapped to its account), a brokerage's cash account with
amounts finer than a cent (rounded, by choice), an investment statement whose trades are not
imported (and the page says why), and a Quicken split that lands as a split on the list. A
screenshot of the preview's choices goes to docs/screenshots/ for the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.e2e

PAGE_TIMEOUT_MS = 15_000  # the import's job runs in the app's background thread
CORPUS = Path(__file__).parents[1] / "statements"


def sign_up(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/register")
    page.get_by_label("Email").fill("quinn@example.com")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/new$"))


def open_account(page, name: str, kind: str = "Checking") -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/new")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Type").select_option(label=kind)
    page.get_by_label("Currency").select_option("USD")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))


def upload(page, account: str, file: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/imports/")
    page.get_by_label("Into account").select_option(label=f"{account} (USD)")
    page.get_by_label("Bank file").set_input_files(str(CORPUS / file))
    page.get_by_role("button", name="Upload and continue").click()
    page.wait_for_url(re.compile(r"/imports/\d+/preview$"))


def count(page, name: str) -> str:  # type: ignore[no-untyped-def]
    return page.locator(f"[data-count={name}]").inner_text()


def import_and_open_the_account(page, button: str, account: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=button).click()
    page.get_by_role("heading", name="Import finished").wait_for()
    page.get_by_role("button", name=f"See the transactions in {account}").click()
    page.wait_for_url(re.compile(r"/transactions/\?account_id=\d+$"))


def test_bank_files_from_the_wild_with_the_choices_they_need(page):  # type: ignore[no-untyped-def]
    sign_up(page)
    for name, kind in [("Checking", "Checking"), ("Visa", "Credit card"),
                       ("Brokerage", "Investment"), ("Savings", "Savings")]:  # fmt: skip
        open_account(page, name, kind)

    # One download, two statements: the card's goes nowhere until the person says where.
    upload(page, "Checking", "ofx/bank_and_card.ofx")
    assert page.locator('[data-statement="1"] select').input_value() != ""
    assert page.locator('[data-statement="2"] select').input_value() == ""
    assert (count(page, "new"), count(page, "skipped")) == ("2", "3")
    page.locator('[data-statement="2"] select').select_option(label="Visa (USD)")
    page.get_by_role("button", name="Apply these choices").click()
    page.wait_for_url(re.compile(r"/imports/\d+/preview$"))
    assert (count(page, "new"), count(page, "skipped")) == ("5", "0")
    import_and_open_the_account(page, "Import 5 new transactions", "Checking")
    page.goto("/transactions/")
    assert page.get_by_text("BOOKSHOP ON MAIN").is_visible()  # in the card's account

    # A brokerage's cash account: amounts finer than a cent are offered a rounding.
    upload(page, "Brokerage", "ofx/brokerage_cash_rounding.ofx")
    assert count(page, "invalid") == "3"
    assert page.get_by_role("button", name="Import", exact=True).is_disabled()
    rounding = page.locator(".import-rounding")
    assert "Round 3 amounts with more decimals than their currency has" in rounding.inner_text()
    rounding.get_by_role("switch").check()
    page.get_by_role("button", name="Apply these choices").click()
    page.wait_for_url(re.compile(r"/imports/\d+/preview$"))
    assert count(page, "invalid") == "0"
    rounded = page.locator(".rounded-rows tbody tr").all_inner_texts()
    assert rounded[0].split() == ["44", "115.8331", "115.83"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "import-choices.png"), full_page=True)
    import_and_open_the_account(page, "Import 4 new transactions", "Brokerage")
    assert page.get_by_text("rounded from 115.8331").is_visible()

    # An investment statement: the cash lines come in, the trades and positions do not, and
    # the page says so, with the reason.
    upload(page, "Brokerage", "ofx/investment_statement.ofx")
    skipped = page.locator(".skipped-records").inner_text()
    assert (
        "10 records (BUYSTOCK ×2, BUYMF, REINVEST ×2, SELLSTOCK, SELLMF, TRANSFER, SPLIT, "
        "JRNLFUND): this tracker records cash, not holdings" in skipped
    )
    assert "4 records (position ×4): a holding, not a transaction" in skipped
    assert (count(page, "new"), count(page, "skipped")) == ("7", "14")
    import_and_open_the_account(page, "Import 7 new transactions", "Brokerage")

    # A Quicken split: the lines land as a split, a payslip's tax as minus, and the line that
    # went to savings as a transfer beside it.
    upload(page, "Checking", "qif/splits.qif")
    page.locator(".invalid-rows").get_by_role("switch").check()
    page.get_by_role("button", name="Apply these choices").click()
    page.wait_for_url(re.compile(r"/imports/\d+/preview$"))
    import_and_open_the_account(page, "Import 3 new transactions, skip 1 invalid", "Checking")
    superstore = page.locator("tr", has_text="Superstore")
    assert superstore.locator(".badge", has_text="Split").is_visible()
    lines = superstore.locator(".split-lines li").all_inner_texts()
    assert [line.split("\n")[0] for line in lines] == [
        "Food › Groceries · Food",
        "Household › Supplies · Cleaning",
    ]
    payslip = page.locator("tr", has_text="ACME Corp").filter(has=page.locator(".split-lines"))
    assert "-$300.00" in payslip.locator(".split-lines").inner_text()
    assert page.locator("tr", has_text="Save 200").get_by_text("→ Savings").is_visible()

    assert page.problems == []
