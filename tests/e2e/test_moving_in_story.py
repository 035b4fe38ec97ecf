"""Five people move in from the tracker each used before, in a real browser: each uploads the
export with no account chosen, sees in the preview the accounts it will create and what it
will not carry, imports, and finds the history in its new accounts. A screenshot of the YNAB
preview goes to docs/screenshots/ for the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from finance_tracker import create_app
from finance_tracker.settings import load_settings
from tests.conftest import SECRET
from tests.e2e.conftest import SCREENSHOTS
from tests.movein import actual_zip, ynab_zip

pytestmark = pytest.mark.e2e

PAGE_TIMEOUT_MS = 20_000  # the import's job runs in the app's background thread
MOVEIN = Path(__file__).parents[1] / "movein"
SOURCES = [
    # who, the file, its name, what the preview calls it, accounts it creates, new rows
    ("fern", (MOVEIN / "firefly" / "export.csv").read_bytes, "firefly-export.csv",
     "Firefly III", ["Checking", "Savings", "US account"], 8),
    ("yara", ynab_zip, "Household.zip", "YNAB", ["Checking", "Savings"], 7),
    ("abel", actual_zip, "My-Finances.zip", "Actual Budget", ["Checking", "Savings"], 7),
    ("bea", (MOVEIN / "beancount" / "household.beancount").read_bytes, "household.beancount",
     "beancount", ["Bank:Checking", "Bank:Savings", "CreditCard:Visa", "Cash:Dollars"], 8),
    ("lea", (MOVEIN / "ledger" / "household.journal").read_bytes, "household.journal",
     "hledger / ledger", ["checking", "savings", "visa", "cash"], 8),
]  # fmt: skip


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The server of tests/e2e/conftest.py, open to several people signing up."""
    data_dir = tmp_path_factory.mktemp("live")
    settings = load_settings(
        database_url=f"sqlite:///{data_dir / 'live.db'}", data_dir=data_dir, secret_key=SECRET,
        auto_migrate=True, log_level="WARNING", registration="open",
    )  # fmt: skip
    app = create_app(settings)
    yield app
    app.extensions["finance_tracker"].database.dispose()


@pytest.mark.parametrize(("who", "content", "name", "source", "created", "new"), SOURCES,
                         ids=[s[3] for s in SOURCES])  # fmt: skip
def test_a_person_moves_in_from_another_tracker(page, who, content, name, source, created, new):  # type: ignore[no-untyped-def]
    page.goto("/register")
    page.get_by_label("Email").fill(f"{who}@example.com")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/new$"))

    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/imports/$"))
    expect(page.locator("[data-no-accounts]")).to_be_visible()  # none needed to move in
    page.get_by_label("Bank file").set_input_files(
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content()}]
    )
    page.get_by_role("button", name="Upload and continue").click()
    page.wait_for_url(re.compile(r"/imports/\d+/preview$"))
    assert f"moving in from {source}" in page.locator(".import-file").inner_text()
    choices = page.locator(".import-statements select").all()
    chosen = [c.locator("option:checked").inner_text() for c in choices]
    for account in created:
        assert any(f"A new account “{account}”" in c for c in chosen), (account, chosen)
    assert page.locator("[data-count=new]").inner_text() == str(new)
    if source == "YNAB":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "move-in.png"), full_page=True)

    page.get_by_role("button", name=re.compile(f"^Import {new} new transactions")).click()
    page.get_by_role("heading", name="Import finished").wait_for()
    assert f"Accounts created: {', '.join(created)}" in page.locator(".import-report").inner_text()
    page.get_by_role("button", name="See your transactions").click()
    page.wait_for_url(re.compile(r"/transactions/$"))
    assert page.locator("table.transactions tbody tr").count() >= new
    page.goto("/accounts/")
    for account in created:
        assert page.get_by_role("link", name=account, exact=True).first.is_visible()
    assert page.problems == []
