"""Reports on known data: the figures a person would check by hand, as JSON and as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from .helpers import assert_problem


@pytest.fixture
def ledger(api) -> dict:
    """Two months of one person's money, in euros and a little in dollars."""
    checking = api.account("Checking", opening="1000.00")
    savings = api.account("Savings")
    dollars = api.account("Dollars", currency="USD")
    odd = api.create("/api/v1/categories", {"name": "=cmd|' /C calc'!A0"})
    food = api.category_id("Food")

    def t(**body: object) -> None:
        api.transaction(account_id=checking["id"], **body)

    t(kind="income", date="2026-01-05", amount="3000", payee="ACME",
      category_id=api.category_id("Income › Salary"))  # fmt: skip
    t(kind="expense", date="2026-01-10", amount="120", payee="Supermarket",
      category_id=api.category_id("Food › Groceries"))  # fmt: skip
    t(kind="expense", date="2026-01-12", amount="30", payee='=HYPERLINK("http://x")',
      category_id=api.category_id("Food › Restaurants"))  # fmt: skip
    t(kind="expense", date="2026-02-03", amount="900", payee="Landlord",
      category_id=api.category_id("Housing › Rent"))  # fmt: skip
    t(kind="expense", date="2026-02-10", amount="80", payee="Supermarket",
      category_id=api.category_id("Food › Groceries"))  # fmt: skip
    t(kind="expense", date="2026-02-15", amount="10", payee="Kiosk")
    t(kind="expense", date="2026-02-16", amount="5", payee="Odd", category_id=odd["id"])
    t(kind="transfer", date="2026-02-20", amount="200", to_account_id=savings["id"])
    api.transaction(
        kind="expense", account_id=dollars["id"], date="2026-02-07", amount="12", payee="Diner"
    )
    return {"food": food, "odd": odd["id"]}


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_spending_by_category_with_its_drill_down(api, ledger):
    response = api.get(
        "/api/v1/reports/spending-by-category?date_from=2026-02-01&date_to=2026-02-28"
    )
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/json"
    report = response.get_json()
    assert (report["date_from"], report["date_to"], report["parent_id"]) == (
        "2026-02-01",
        "2026-02-28",
        None,
    )
    assert [
        (i["currency"], i["category"], i["spent"], i["has_children"]) for i in report["items"]
    ] == [
        ("EUR", "Housing", "900.00", True),
        ("EUR", "Food", "80.00", True),
        ("EUR", "Uncategorised", "10.00", False),
        ("EUR", "=cmd|' /C calc'!A0", "5.00", False),
        ("USD", "Uncategorised", "12.00", False),
    ]
    assert report["items"][0]["spent_minor"] == 90000
    assert report["items"][2]["category_id"] is None
    assert [(t["currency"], t["spent"]) for t in report["totals"]] == [
        ("EUR", "995.00"),
        ("USD", "12.00"),
    ]
    drill = api.get(
        "/api/v1/reports/spending-by-category"
        f"?date_from=2026-01-01&date_to=2026-02-28&parent_id={ledger['food']}"
    ).get_json()
    assert drill["parent_id"] == ledger["food"]
    assert [(i["category"], i["spent"]) for i in drill["items"]] == [
        ("Groceries", "200.00"),
        ("Restaurants", "30.00"),
    ]


def test_income_and_expenses_per_month_every_month_included(api, ledger):
    report = api.get(
        "/api/v1/reports/income-expense?date_from=2026-01-01&date_to=2026-03-31"
    ).get_json()
    assert [
        (i["currency"], i["month"], i["income"], i["expense"], i["net"]) for i in report["items"]
    ] == [
        ("EUR", "2026-01", "3000.00", "150.00", "2850.00"),
        ("EUR", "2026-02", "0.00", "995.00", "-995.00"),
        ("EUR", "2026-03", "0.00", "0.00", "0.00"),
        ("USD", "2026-01", "0.00", "0.00", "0.00"),
        ("USD", "2026-02", "0.00", "12.00", "-12.00"),
        ("USD", "2026-03", "0.00", "0.00", "0.00"),
    ]
    assert report["items"][1]["net_minor"] == -99500


def test_net_worth_at_each_month_end_ignores_transfers(api, ledger):
    report = api.get("/api/v1/reports/net-worth?date_from=2026-01-01&date_to=2026-02-20").get_json()
    assert [(i["date"], i["currency"], i["net_worth"]) for i in report["items"]] == [
        ("2026-01-31", "EUR", "3850.00"),
        ("2026-01-31", "USD", "0.00"),
        ("2026-02-20", "EUR", "2855.00"),  # the range ends mid-month
        ("2026-02-20", "USD", "-12.00"),
    ]


def test_top_payees_biggest_first(api, ledger):
    report = api.get(
        "/api/v1/reports/top-payees?date_from=2026-01-01&date_to=2026-02-28&limit=2"
    ).get_json()
    assert [(i["payee"], i["spent"], i["payments"]) for i in report["items"]] == [
        ("Landlord", "900.00", 1),
        ("Supermarket", "200.00", 2),
    ]


def test_month_over_month(api, ledger):
    report = api.get("/api/v1/reports/month-over-month?month=2026-02").get_json()
    assert (report["month"], report["previous_month"]) == ("2026-02", "2026-01")
    assert [
        (i["currency"], i["category"], i["previous"], i["current"], i["change"])
        for i in report["items"]
    ] == [
        ("EUR", "Housing", "0.00", "900.00", "900.00"),
        ("EUR", "Food", "150.00", "80.00", "-70.00"),
        ("EUR", "Uncategorised", "0.00", "10.00", "10.00"),
        ("EUR", "=cmd|' /C calc'!A0", "0.00", "5.00", "5.00"),
        ("USD", "Uncategorised", "0.00", "12.00", "12.00"),
    ]


def test_csv_by_accept_header_or_format_with_formulas_made_harmless(api, ledger):
    by_header = api.get(
        "/api/v1/reports/spending-by-category?date_from=2026-02-01&date_to=2026-02-28",
        headers={"Accept": "text/csv"},
    )
    rows = rows_of(by_header)
    assert "Accept" in by_header.vary
    assert rows == [
        ["currency", "category", "spent"],
        ["EUR", "Housing", "900.00"],
        ["EUR", "Food", "80.00"],
        ["EUR", "Uncategorised", "10.00"],
        ["EUR", "'=cmd|' /C calc'!A0", "5.00"],
        ["USD", "Uncategorised", "12.00"],
    ]
    payees = rows_of(
        api.get("/api/v1/reports/top-payees?date_from=2026-01-01&date_to=2026-01-31&format=csv")
    )
    assert payees[0] == ["currency", "payee", "spent", "payments"]
    assert ["EUR", '\'=HYPERLINK("http://x")', "30.00", "1"] in payees
    flows = rows_of(
        api.get("/api/v1/reports/income-expense?date_from=2026-02-01&date_to=2026-02-28&format=csv")
    )
    assert flows == [
        ["currency", "month", "income", "expense", "net"],
        ["EUR", "2026-02", "0.00", "995.00", "-995.00"],  # a negative number stays a number
        ["USD", "2026-02", "0.00", "12.00", "-12.00"],
    ]
    worth = rows_of(
        api.get("/api/v1/reports/net-worth?date_from=2026-01-01&date_to=2026-01-31&format=csv")
    )
    assert worth == [["currency", "date", "net_worth"], ["EUR", "2026-01-31", "3850.00"],
                     ["USD", "2026-01-31", "0.00"]]  # fmt: skip
    change = rows_of(api.get("/api/v1/reports/month-over-month?month=2026-02&format=csv"))
    assert change[0] == ["currency", "category", "previous", "current", "change"]
    # ?format wins over the Accept header; */* and JSON-first lists get JSON.
    forced = api.get("/api/v1/reports/net-worth?format=json", headers={"Accept": "text/csv"})
    assert forced.mimetype == "application/json"
    for accept in ("*/*", "application/json, text/csv", "text/html"):
        answer = api.get("/api/v1/reports/net-worth", headers={"Accept": accept})
        assert answer.mimetype == "application/json", accept


def test_ranges_default_to_this_month_or_the_last_twelve(api, ledger):
    today = dt.date.today()
    spending = api.get("/api/v1/reports/spending-by-category").get_json()
    assert (spending["date_from"], spending["date_to"]) == (
        today.replace(day=1).isoformat(),
        today.isoformat(),
    )
    flows = api.get("/api/v1/reports/income-expense").get_json()
    assert flows["date_to"] == today.isoformat()
    assert [i["month"] for i in flows["items"] if i["currency"] == "EUR"][-1] == f"{today:%Y-%m}"
    assert len([i for i in flows["items"] if i["currency"] == "EUR"]) == 12
    since = api.get("/api/v1/reports/top-payees?date_from=2026-01-01").get_json()
    assert since["date_to"] == today.isoformat()
    assert api.get("/api/v1/reports/month-over-month").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2026-02-01&date_to=2026-01-01", "date_to"),
        ("date_from=2026-02-30", "date_from"),
        ("date_from=yesterday", "date_from"),
        ("date_from=1800-01-01&date_to=1800-02-01", "date_from"),
        ("date_from=1950-01-01&date_to=2026-01-01", "date_to"),  # more than 50 years
        ("date_from=2026-01-01&date_to=2300-01-01", "date_to"),
        ("format=xml", "format"),
        ("parent_id=abc", "parent_id"),
        ("parent_id=999999", "parent_id"),
    ],
)
def test_bad_report_queries_are_422s_naming_the_field(api, ledger, query, field):
    assert_problem(api.get(f"/api/v1/reports/spending-by-category?{query}"), 422, field)


def test_a_subcategory_or_another_user_s_category_is_no_drill_down(api, other_api, ledger):
    groceries = api.category_id("Food › Groceries")
    assert_problem(
        api.get(f"/api/v1/reports/spending-by-category?parent_id={groceries}"), 422, "parent_id"
    )
    theirs = other_api.category_id("Food")
    problem = assert_problem(
        api.get(f"/api/v1/reports/spending-by-category?parent_id={theirs}"), 422, "parent_id"
    )
    assert "Food" not in str(problem)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/reports/top-payees?limit=0", "limit"),
        ("/api/v1/reports/top-payees?limit=101", "limit"),
        ("/api/v1/reports/month-over-month?month=2026-13", "month"),
        ("/api/v1/reports/month-over-month?month=2026-1", "month"),
        ("/api/v1/reports/month-over-month?month=1900-01", "month"),
        ("/api/v1/reports/net-worth?date_to=0001-01-01", "date_to"),
        ("/api/v1/reports/income-expense?date_to=2026-13-01", "date_to"),
    ],
)
def test_other_bad_report_parameters(api, url, field):
    assert_problem(api.get(url), 422, field)


def test_reports_show_only_the_token_owner_s_money(api, other_api, ledger):
    other_api.account("Bob's checking", opening="5.00")
    report = other_api.get(
        "/api/v1/reports/spending-by-category?date_from=2026-01-01&date_to=2026-12-31"
    ).get_json()
    assert report["items"] == []
    worth = other_api.get(
        "/api/v1/reports/net-worth?date_from=2026-01-01&date_to=2026-01-31"
    ).get_json()
    assert [(i["currency"], i["net_worth"]) for i in worth["items"]] == [("EUR", "5.00")]
