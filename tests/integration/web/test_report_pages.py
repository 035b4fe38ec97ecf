"""Ada looks back at January and February 2025 through the five reports: figures she can check
by hand, charts drawn by a static script, drill-down, links to the transactions, CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from tests.integration.web.story import form_errors, payees_in_order, seed

from finance_tracker.services.transactions import TransactionInput

JAN = "date_from=2025-01-01&date_to=2025-01-31"
JAN_FEB = "date_from=2025-01-01&date_to=2025-02-28"


@pytest.fixture
def history(ada, db):  # type: ignore[no-untyped-def]
    """Opening 1000; January: pay 3000, spent 190; February: pay 3000, spent 110."""
    checking = ada.open_account("Checking", opening="1000")
    cat = ada.category

    def entry(day: str, kind: str, amount: str, payee: str, category: str | None = None):  # type: ignore[no-untyped-def]
        return TransactionInput(kind, checking, dt.date.fromisoformat(day), amount, payee=payee,
                                category_id=cat(category) if category else None)  # fmt: skip

    seed(db, ada.user_id,
         entry("2025-01-05", "income", "3000", "ACME", "Income › Salary"),
         entry("2025-01-10", "expense", "100", "Grocer", "Food › Groceries"),
         entry("2025-01-20", "expense", "50", "=cmd", "Food › Restaurants"),
         entry("2025-01-25", "expense", "40", "Shell", "Transport › Fuel"),
         entry("2025-02-03", "expense", "80", "Grocer", "Food › Groceries"),
         entry("2025-02-14", "expense", "30", "Kiosk"),
         entry("2025-02-20", "income", "3000", "ACME", "Income › Salary"))  # fmt: skip
    return ada


def chart(page: str, currency: str = "EUR") -> dict:
    block = re.search(
        rf'<script type="application/json" id="report-data-{currency}">(.*?)</script>', page, re.S
    )
    assert block, "no chart data"
    return json.loads(block.group(1))


def row(page: str, attribute: str, value: str) -> str:
    match = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', page, re.S)
    assert match, f"no row {attribute}={value}"
    return match.group(1)


def figures(row_html: str) -> dict[str, str]:
    cells = re.findall(r'data-figure="([\w-]+)">(.*?)</td>', row_html, re.S)
    return {name: " ".join(re.sub(r"<[^>]+>", "", text).split()) for name, text in cells}


def download(person, url: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    response = person.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_index_lists_the_five_reports(ada):
    page = ada.page("/reports/")
    for path in ("/reports/spending-by-category", "/reports/income-vs-expense",
                 "/reports/net-worth", "/reports/top-payees", "/reports/month-over-month"):  # fmt: skip
        assert f'href="{path}"' in page
        assert ada.get(path).status_code == 200, path


def test_spending_by_category_drills_down_and_links_to_the_transactions(history):
    page = history.page(f"/reports/spending-by-category?{JAN}")
    assert figures(row(page, "data-category", "Food")) == {"spent": "€150.00"}
    assert figures(row(page, "data-category", "Transport")) == {"spent": "€40.00"}
    assert "79%" in row(page, "data-category", "Food")  # 150 of 190
    assert 'data-total="EUR">€190.00<' in page
    data = chart(page)
    assert data["type"] == "doughnut" and data["labels"] == ["Food", "Transport"]
    assert data["series"][0]["values"] == ["150.00", "40.00"]

    food = history.category("Food")
    drill = f"/reports/spending-by-category?date_from=2025-01-01&amp;date_to=2025-01-31&amp;parent_id={food}"
    assert f'<a href="{drill}"' in page and data["links"][0] == drill.replace("&amp;", "&")

    inner = history.page(drill.replace("&amp;", "&"))
    assert "← All categories" in inner and "<strong>Food</strong>" in inner
    assert figures(row(inner, "data-category", "Groceries")) == {"spent": "€100.00"}
    assert figures(row(inner, "data-category", "Restaurants")) == {"spent": "€50.00"}
    groceries = history.category("Food › Groceries")
    link = (f"/transactions/?category_id={groceries}&amp;kind=expense"
            "&amp;date_from=2025-01-01&amp;date_to=2025-01-31")  # fmt: skip
    assert link in row(inner, "data-category", "Groceries")
    listing = history.page(link.replace("&amp;", "&"))
    assert "Grocer" in listing and "=cmd" not in listing and "1 transaction" in listing

    february = history.page("/reports/spending-by-category?date_from=2025-02-01&date_to=2025-02-28")
    uncategorised = row(february, "data-category", "Uncategorised")
    assert figures(uncategorised) == {"spent": "€30.00"}
    # What is left to sort out is one click away, and the filter stays chosen on the list.
    link = ("/transactions/?category_id=none&amp;kind=expense"
            "&amp;date_from=2025-02-01&amp;date_to=2025-02-28")  # fmt: skip
    assert link in uncategorised
    listing = history.page(link.replace("&amp;", "&"))
    assert payees_in_order(listing) == ["Kiosk"] and "1 transaction" in listing
    assert '<option selected value="none">Uncategorised</option>' in listing


def test_income_vs_expense_and_net_worth_by_month(history):
    page = history.page(f"/reports/income-vs-expense?{JAN_FEB}")
    assert figures(row(page, "data-month", "2025-01")) == {
        "income": "€3,000.00", "expense": "€190.00", "net": "+€2,810.00"}  # fmt: skip
    assert figures(row(page, "data-month", "2025-02")) == {
        "income": "€3,000.00", "expense": "€110.00", "net": "+€2,890.00"}  # fmt: skip
    assert 'data-total="net"><span class="amount positive">+€5,700.00<' in page
    data = chart(page)
    assert data["labels"] == ["Jan 2025", "Feb 2025"]
    assert [s["label"] for s in data["series"]] == ["Income", "Expense", "Net"]
    assert data["series"][2] == {"label": "Net", "values": ["2810.00", "2890.00"],
                                 "colour": "primary", "line": True}  # fmt: skip

    worth = history.page(f"/reports/net-worth?{JAN_FEB}")
    assert figures(row(worth, "data-day", "2025-01-31"))["net-worth"] == "€3,810.00"
    assert figures(row(worth, "data-day", "2025-02-28"))["net-worth"] == "€6,700.00"
    assert chart(worth)["series"][0]["values"] == ["3810.00", "6700.00"]
    assert chart(worth)["type"] == "line"


def test_top_payees_and_month_over_month(history):
    page = history.page(f"/reports/top-payees?{JAN_FEB}")
    payees = re.findall(r'<tr data-payee="([^"]*)">', page)
    assert payees == ["Grocer", "=cmd", "Shell", "Kiosk"]
    assert figures(row(page, "data-payee", "Grocer")) == {"payments": "2", "spent": "€180.00"}
    assert chart(page)["horizontal"] is True
    assert history.get(f"/reports/top-payees?{JAN_FEB}&limit=25").status_code == 200

    page = history.page("/reports/month-over-month?month=2025-02")
    assert "<strong>February 2025</strong> beside January 2025" in page
    assert figures(row(page, "data-category", "Food")) == {
        "previous": "€150.00", "current": "€80.00", "change": "-€70.00"}  # fmt: skip
    assert 'class="amount positive">-€70.00' in row(page, "data-category", "Food")
    assert figures(row(page, "data-category", "Uncategorised"))["change"] == "+€30.00"
    assert 'class="amount negative">+€30.00' in row(page, "data-category", "Uncategorised")
    assert figures(row(page, "data-category", "Transport"))["current"] == "€0.00"
    assert [s["label"] for s in chart(page)["series"]] == ["Jan 2025", "Feb 2025"]


def test_every_report_downloads_as_csv_with_formulas_made_harmless(history):
    rows = download(history, f"/reports/spending-by-category?{JAN}&format=csv")
    assert rows == [["currency", "category", "spent"], ["EUR", "Food", "150.00"],
                    ["EUR", "Transport", "40.00"]]  # fmt: skip
    rows = download(history, f"/reports/top-payees?{JAN_FEB}&format=csv")
    assert rows[0] == ["currency", "payee", "payments", "spent"]
    assert ["EUR", "'=cmd", "1", "50.00"] in rows
    assert ["EUR", "=cmd", "1", "50.00"] not in rows
    assert download(history, f"/reports/income-vs-expense?{JAN_FEB}&format=csv") == [
        ["currency", "month", "income", "expense", "net"],
        ["EUR", "2025-01", "3000.00", "190.00", "2810.00"],
        ["EUR", "2025-02", "3000.00", "110.00", "2890.00"],
    ]
    assert download(history, f"/reports/net-worth?{JAN_FEB}&format=csv") == [
        ["currency", "date", "net_worth"], ["EUR", "2025-01-31", "3810.00"],
        ["EUR", "2025-02-28", "6700.00"],
    ]  # fmt: skip
    rows = download(history, "/reports/month-over-month?month=2025-02&format=csv")
    assert rows[0] == ["currency", "category", "2025-01", "2025-02", "change"]
    assert ["EUR", "Food", "150.00", "80.00", "-70.00"] in rows
    response = history.get(f"/reports/top-payees?{JAN_FEB}&format=csv")
    assert 'filename="top-payees-2025-01-01-2025-02-28.csv"' in response.headers[
        "Content-Disposition"]  # fmt: skip
    assert response.headers["Cache-Control"] == "no-store"

    page = history.page(f"/reports/top-payees?{JAN_FEB}")
    assert f'href="/reports/top-payees?{JAN_FEB.replace("&", "&amp;")}&amp;format=csv"' in page


def test_without_dates_a_report_shows_its_usual_range(history):
    today = dt.date.today()
    page = history.page("/reports/spending-by-category")
    first = today.replace(day=1)
    assert f'value="{first.month}/1/{first.year}"' in page  # this month, as en_US writes it
    page = history.page("/reports/income-vs-expense")
    assert len(chart_or_empty(page)) in (0, 12)
    csv_link = re.search(r'href="([^"]*format=csv[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "date_from=" in csv_link and "date_to=" in csv_link  # the CSV is the range shown
    assert history.get(csv_link).status_code == 200


def chart_or_empty(page: str) -> list[str]:
    return chart(page)["labels"] if "report-data-EUR" in page else []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2025-03-01&date_to=2025-01-01", "the end date is before the start date"),
        ("date_from=2025-03-01", "enter a date"),
        ("date_from=2025-02-30&date_to=2025-03-31", "enter a date like 12/31/2026"),
        ("date_from=1901-01-01&date_to=2199-01-01", "reports span at most 50 years"),
        (
            "date_from=1800-01-01&date_to=1800-02-01",
            "date must be between Jan 1, 1900 and Dec 31, 2199",
        ),
    ],
)
def test_a_bad_date_range_is_refused_with_the_reason(history, query, message):
    for report in ("spending-by-category", "income-vs-expense", "net-worth", "top-payees"):
        for extra in ("", "&format=csv"):
            response = history.get(f"/reports/{report}?{query}{extra}")
            assert response.status_code == 422, (report, query)
            assert response.mimetype == "text/html"
            assert message in form_errors(response.get_data(as_text=True)), (report, query)


def test_a_bad_month_or_limit_is_refused(history):
    response = history.get("/reports/month-over-month?month=2025-13")
    assert response.status_code == 422
    assert "enter a month like 2026-03" in form_errors(response.get_data(as_text=True))
    assert history.get(f"/reports/top-payees?{JAN}&limit=7").status_code == 422
    assert history.get(f"/reports/spending-by-category?{JAN}&parent_id=x").status_code == 404
    transport_child = history.category("Transport › Fuel")  # not a parent: nothing to open
    assert (
        history.get(f"/reports/spending-by-category?parent_id={transport_child}").status_code == 404
    )


def test_bob_cannot_drill_into_adas_categories(history, bob):
    food = history.category("Food")
    assert bob.get(f"/reports/spending-by-category?{JAN}&parent_id={food}").status_code == 404
    page = bob.page(f"/reports/top-payees?{JAN_FEB}")
    assert "Grocer" not in page and "No spending in this range" in page


def test_the_charts_are_drawn_by_a_static_script_not_an_inline_one(history):
    for path in ("spending-by-category", "income-vs-expense", "net-worth", "top-payees"):
        page = history.page(f"/reports/{path}?{JAN_FEB}")
        for attributes in re.findall(r"<script([^>]*)>", page):
            assert "src=" in attributes or 'type="application/json"' in attributes, attributes
        assert 'src="/static/charts.js"' in page and 'data-chart="report"' in page
        assert "onclick=" not in page and "javascript:" not in page and "style=" not in page
