"""The dashboard: a welcome for newcomers, then figures and charts per currency."""

from __future__ import annotations

import json
import re

from tests.integration.web.story import TODAY


def chart_data(html: str, currency: str) -> dict:
    block = re.search(
        rf'<script type="application/json" id="chart-data-{currency}">(.*?)</script>', html, re.S
    )
    return json.loads(block.group(1))


def test_a_newcomer_is_invited_to_create_an_account(ada):
    page = ada.page("/")
    assert "Create your first account" in page and 'href="/accounts/new"' in page
    assert "<canvas" not in page and "chart.umd.min.js" not in page


def test_each_currency_has_its_own_figures_and_chart_data(ada):
    euros = ada.open_account("Euro account", opening="100")
    dollars = ada.open_account("Dollar account", currency="USD", opening="50")
    ada.add_ok(account_id=euros, amount="30", payee="Bakery", category_id=ada.category("Food"))
    ada.add_ok(kind="income", account_id=dollars, amount="1000", payee="Client")
    ada.add_ok(
        kind="transfer", account_id=dollars, to_account_id=euros, amount="100", to_amount="92"
    )

    page = ada.page("/")
    eur, usd = page.split('data-currency="EUR"')[1], page.split('data-currency="USD"')[1]
    assert "In EUR" in page and "In USD" in page
    assert re.search(r'data-figure="net-worth"><span class="amount ">€162.00<', eur)
    assert re.search(r'data-figure="spending">€30.00<', eur)
    assert re.search(r'data-figure="net-worth"><span class="amount ">\$950.00<', usd)
    assert re.search(r'data-figure="income">\$1,000.00<', usd)

    euro_chart = chart_data(page, "EUR")
    assert euro_chart["categories"] == {"labels": ["Food"], "values": ["30.00"]}
    assert len(euro_chart["flow"]["labels"]) == 12
    assert euro_chart["flow"]["labels"][-1] == TODAY.strftime("%b %Y")
    assert euro_chart["flow"]["spending"][-1] == "30.00"
    assert chart_data(page, "USD")["flow"]["income"][-1] == "1000.00"
    assert chart_data(page, "USD")["digits"] == 2


def test_recent_transactions_show_the_last_ten(ada):
    checking = ada.open_account("Checking")
    for n in range(12):
        ada.add_ok(account_id=checking, amount="1", payee=f"Shop {n:02d}")
    page = ada.page("/")
    recent = page.split("Recent transactions")[1]
    assert recent.count("<tr data-transaction-id") == 10
    assert "Shop 11" in recent and "Shop 01" not in recent


def test_the_charts_are_drawn_by_a_static_script_not_an_inline_one(ada):
    checking = ada.open_account("Checking")
    ada.add_ok(account_id=checking, amount="5", payee="Kiosk")
    page = ada.page("/")
    for attributes in re.findall(r"<script([^>]*)>", page):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert 'src="/static/charts.js"' in page and 'src="/static/vendor/chart.umd.min.js"' in page
    assert "onclick=" not in page and "javascript:" not in page
