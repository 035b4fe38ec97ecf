"""A person sets a monthly budget in a real browser, overspends it, sees the red row, then opens the
spending report and drills into a category by clicking its slice, on a laptop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, fits

pytestmark = pytest.mark.e2e


def set_budget(page, category: str, amount: str, rollover: bool = False) -> None:  # type: ignore[no-untyped-def]
    page.goto("/budgets/")
    page.get_by_label("Category").select_option(label=category)
    page.get_by_label("Amount per month").fill(amount)
    assert page.get_by_label("Currency").input_value() == "EUR"  # the user's main currency
    if rollover:
        page.get_by_role("switch", name=re.compile("Roll over")).check()
    page.get_by_role("button", name="Set budget").click()
    page.wait_for_url(re.compile(r"/budgets/\?month=\d{4}-\d{2}$"))


def spend(page, amount: str, payee: str, category: str | None = None) -> None:  # type: ignore[no-untyped-def]
    page.goto("/transactions/new")
    page.get_by_label("Amount", exact=True).fill(amount)
    page.get_by_label("Payee").fill(payee)
    if category:
        page.get_by_label("Category", exact=True).select_option(label=category)
    page.get_by_role("button", name="Add transaction").click()
    page.wait_for_url(re.compile(r"/transactions/$"))


def test_a_budget_is_overspent_and_the_spending_report_drills_down(page):  # type: ignore[no-untyped-def]
    page.goto("/register")
    page.get_by_label("Email").fill("lin@example.com")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/new$"))
    page.get_by_label("Name").fill("Checking")
    page.get_by_label("Opening balance").fill("2000")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))

    set_budget(page, "Food", "200")
    set_budget(page, "Transport", "100", rollover=True)
    set_budget(page, "Leisure", "60")
    spend(page, "150", "Green Grocer", "Food › Groceries")
    spend(page, "80", "Bistro", "Food › Restaurants")
    spend(page, "40", "Fuel station", "Transport › Fuel")
    spend(page, "52.50", "Cinema", "Leisure › Entertainment")
    spend(page, "25", "Kiosk")

    page.get_by_role("link", name="Budgets").click()
    food = page.locator('tr[data-budget="Food"]')
    assert "over-budget" in (food.get_attribute("class") or "")
    over = food.locator(".over-text")
    assert over.inner_text() == "over by €30.00"
    assert over.evaluate("e => getComputedStyle(e).color") == "rgb(198, 40, 40)"
    assert food.locator("progress.budget-bar.over").count() == 1
    transport = page.locator('tr[data-budget="Transport"]')
    assert "€60.00" in transport.locator("[data-figure=remaining]").inner_text()
    assert page.locator('tr[data-budget="Leisure"] progress.nearly').count() == 1  # 88% gone
    assert "over by €30.00" not in page.locator('tr[data-total="EUR"]').inner_text()  # 2.50 left
    fits(page, "budgets")

    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Spending by category").click()
    canvas = page.locator("canvas[data-chart=report]")
    expect(canvas).to_have_attribute("data-drawn", "true")  # waits for charts.js to run
    drawn = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.querySelector('[data-chart=report]'));
            return {labels: chart.data.labels, sizes: chart.data.datasets[0].data};
        }"""
    )
    assert drawn == {
        "labels": ["Food", "Leisure", "Transport", "Uncategorised"], "sizes": [230, 52.5, 40, 25]
    }  # fmt: skip
    assert page.locator('tr[data-category="Food"] [data-figure=spent]').inner_text() == "€230.00"
    fits(page, "reports")

    # Clicking the Food slice opens Food's subcategories.
    slice_at = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.querySelector('[data-chart=report]'));
            return chart.getDatasetMeta(0).data[0].tooltipPosition();
        }"""
    )
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + slice_at["x"], box["y"] + slice_at["y"])
    page.wait_for_url(re.compile(r"parent_id=\d+"))
    assert page.locator('tr[data-category="Groceries"] [data-figure=spent]').inner_text() == (
        "€150.00"
    )
    assert page.locator('tr[data-category="Restaurants"]').is_visible()
    page.locator('tr[data-category="Groceries"] td.actions a').click()
    page.wait_for_url(re.compile(r"/transactions/\?category_id=\d+"))
    assert page.locator("table.transactions tbody tr").count() == 1

    page.goto("/reports/income-vs-expense")
    expect(page.locator("canvas[data-chart=report]")).to_have_attribute("data-drawn", "true")

    page.set_viewport_size(PHONE)
    page.goto("/budgets/")
    assert page.locator('tr[data-budget="Food"] .over-text').is_visible()
    fits(page, "budgets-phone")
    page.goto("/reports/spending-by-category")
    fits(page, "reports-phone")

    assert page.problems == []
