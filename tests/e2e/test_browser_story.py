"""A person uses the app in a real browser: registers, opens accounts, records money coming in,
going out and moving between accounts, and watches the dashboard follow, on a laptop and on a
phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, fits

pytestmark = pytest.mark.e2e


def open_account(page, name: str, kind: str, opening: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/new")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Type").select_option(kind)
    assert page.get_by_label("Currency").input_value() == "EUR"  # the user's main currency
    page.get_by_label("Opening balance").fill(opening)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))


def add_transaction(page, kind: str, amount: str, payee: str, **fields: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/transactions/new")
    page.get_by_label(kind.capitalize(), exact=True).check()
    page.get_by_label("Amount", exact=True).fill(amount)
    page.get_by_label("Payee").fill(payee)
    page.get_by_label("Account", exact=True).select_option(label=fields["account"])
    if "to_account" in fields:
        page.get_by_label("To account").select_option(label=fields["to_account"])
    if "category" in fields:
        page.get_by_label("Category", exact=True).select_option(label=fields["category"])
    page.get_by_role("button", name="Add transaction").click()
    page.wait_for_url(re.compile(r"/transactions/$"))
    assert page.get_by_text("Transaction added.").is_visible()


def test_a_new_user_records_a_month_and_sees_the_dashboard(page):  # type: ignore[no-untyped-def]
    page.goto("/register")
    page.get_by_label("Email").fill("grace@example.com")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/new$"))

    page.goto("/")
    assert page.get_by_role("button", name="+ Create your first account").is_visible()

    open_account(page, "Checking", "checking", "1000.00")
    open_account(page, "Savings", "savings", "0")

    add_transaction(
        page, "income", "2500", "ACME Corp", account="Checking (EUR)", category="Income › Salary"
    )
    add_transaction(
        page, "expense", "84.20", "Green Grocer", account="Checking (EUR)",
        category="Food › Groceries",
    )  # fmt: skip

    # The form shows what a transfer needs and hides what it cannot have.
    page.goto("/transactions/new")
    category = page.get_by_label("Category", exact=True)
    assert category.is_visible()
    assert not page.get_by_label("To account").is_visible()
    page.get_by_label("Transfer", exact=True).check()
    assert not category.is_visible()
    assert page.get_by_label("To account").is_visible()
    page.get_by_label("To account").select_option(label="Savings (EUR)")
    assert not page.get_by_label("Amount received").is_visible()  # same currency: not needed
    add_transaction(
        page, "transfer", "500", "Monthly saving", account="Checking (EUR)",
        to_account="Savings (EUR)",
    )  # fmt: skip

    page.goto("/")
    net_worth = page.locator("[data-figure=net-worth]")
    assert net_worth.inner_text() == "€3,415.80"  # 1000 + 2500 - 84.20; the transfer nets out
    assert page.locator("[data-figure=income]").inner_text() == "€2,500.00"
    assert page.locator("[data-figure=spending]").inner_text() == "€84.20"
    doughnut = page.locator("canvas[data-chart=categories]")
    bars = page.locator("canvas[data-chart=cash-flow]")
    expect(doughnut).to_have_attribute("data-drawn", "true")  # waits for charts.js to run
    expect(bars).to_have_attribute("data-drawn", "true")
    drawn = page.evaluate(
        """() => {
            const doughnut = Chart.getChart(document.querySelector('[data-chart=categories]'));
            const bars = Chart.getChart(document.querySelector('[data-chart=cash-flow]'));
            return {
                slices: doughnut.data.labels, sizes: doughnut.data.datasets[0].data,
                income: bars.data.datasets[0].data.at(-1), spending: bars.data.datasets[1].data.at(-1),
                months: bars.data.labels.length,
            };
        }"""
    )
    assert drawn == {
        "slices": ["Food"], "sizes": [84.2], "income": 2500, "spending": 84.2, "months": 12
    }  # fmt: skip
    recent = page.locator("table.transactions tbody tr")
    assert recent.count() == 3  # income, expense and the transfer, listed once
    assert page.get_by_text("→ Savings").is_visible()
    fits(page, "dashboard")

    page.get_by_role("button", name="Switch light or dark theme").click()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    page.wait_for_timeout(200)
    fits(page, "dashboard-dark")
    page.get_by_role("button", name="Switch light or dark theme").click()

    page.goto("/transactions/")
    assert page.locator("table.transactions tbody tr").count() == 3
    fits(page, "transactions")
    # Tick rows (select-all is app.js, a static script), one category for them all at once.
    page.get_by_label("Select every transaction on this page").check()
    page.get_by_label(re.compile(r"^Select ACME Corp")).uncheck()  # the transfer has no box
    chosen = page.get_by_role("combobox", name=re.compile("^Set the category"))
    chosen.select_option(label="Food › Restaurants")
    page.get_by_role("button", name="Set category").click()
    expect(page.get_by_role("status")).to_have_text("1 transaction moved to Food › Restaurants.")

    page.goto("/transactions/new")
    page.get_by_text("Split across categories").click()
    rows = page.locator("[data-split-row]")
    assert rows.count() == 2
    page.get_by_role("button", name="+ Add a line").click()
    assert rows.count() == 3
    assert rows.nth(2).locator("input").first.get_attribute("name") == "splits-2-amount"
    fits(page, "new-transaction")

    page.set_viewport_size(PHONE)
    page.goto("/")
    assert page.locator("[data-figure=net-worth]").is_visible()
    fits(page, "dashboard-phone")
    page.goto("/transactions/")
    fits(page, "transactions-phone")

    assert page.problems == []
