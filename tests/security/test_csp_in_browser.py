"""A real browser loads the pages under the strict CSP and reports no violation: the charts,
the theme toggle, the API docs (Swagger UI) and the forms' scripts all run from files."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import chromium, live_app, live_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e
PAGES = ["/", "/transactions/", "/transactions/new", "/accounts/", "/budgets/", "/reports/",
         "/reports/spending-by-category", "/categories/", "/settings/", "/imports/",
         "/recurring/", "/rules/", "/api/docs"]  # fmt: skip


def test_no_page_breaks_the_content_security_policy(live_server, chromium):  # noqa: F811
    context = chromium.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.goto(f"{live_server}/register")
    page.fill("#email", "csp@example.com")
    page.fill("#password", "correct horse battery")
    page.fill("#confirm", "correct horse battery")
    page.click("button[type=submit]")
    page.goto(f"{live_server}/accounts/new")
    page.get_by_label("Name").fill("Checking")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))
    page.goto(f"{live_server}/transactions/new")
    page.get_by_label("Expense", exact=True).check()
    page.get_by_label("Amount", exact=True).fill("12.50")
    page.get_by_label("Payee").fill("Bakery")
    page.get_by_role("button", name="Add transaction").click()
    page.wait_for_url(re.compile(r"/transactions/$"))
    for path in PAGES:
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/")
    page.click("[data-theme-toggle]")
    assert page.locator("canvas").count() >= 1  # the dashboard's chart was drawn by charts.js
    context.close()
    assert violations == []
