"""The dashboard summary: the figures a person sees on the home page, as exact amounts."""

from __future__ import annotations

import pytest

from .helpers import assert_problem


def test_the_summary_adds_up_per_currency(api):
    checking = api.account("Checking", opening="1000.00")
    savings = api.account("Savings")
    dollars = api.account("Dollars", currency="USD")
    t = api.transaction
    t(
        kind="income",
        account_id=checking["id"],
        date="2026-03-01",
        amount="2500.00",
        category_id=api.category_id("Income › Salary"),
    )
    t(
        kind="expense",
        account_id=checking["id"],
        date="2026-03-03",
        amount="54.10",
        category_id=api.category_id("Food › Groceries"),
    )
    t(
        kind="expense",
        account_id=checking["id"],
        date="2026-03-04",
        amount="3.20",
        category_id=api.category_id("Food › Coffee"),
    )
    t(
        kind="expense",
        account_id=checking["id"],
        date="2026-03-05",
        amount="900.00",
        category_id=api.category_id("Housing › Rent"),
    )
    t(kind="expense", account_id=checking["id"], date="2026-02-10", amount="100.00")
    t(
        kind="transfer",
        account_id=checking["id"],
        to_account_id=savings["id"],
        date="2026-03-06",
        amount="200.00",
    )
    t(kind="expense", account_id=dollars["id"], date="2026-03-07", amount="12.00")

    response = api.get("/api/v1/dashboard/summary?today=2026-03-15")
    assert response.status_code == 200
    summary = response.get_json()

    assert summary["today"] == "2026-03-15"
    assert {a["name"]: a["balance"] for a in summary["accounts"]} == {
        "Checking": "2242.70",
        "Savings": "200.00",
        "Dollars": "-12.00",
    }
    eur, usd = summary["currencies"]
    assert (eur["currency"], eur["net_worth"], eur["net_worth_minor"]) == ("EUR", "2442.70", 244270)
    assert (eur["income_this_month"], eur["spending_this_month"]) == ("2500.00", "957.30")
    assert eur["spending_by_category"] == [
        {"category": "Housing", "amount": "900.00", "amount_minor": 90000},
        {"category": "Food", "amount": "57.30", "amount_minor": 5730},
    ]
    assert len(eur["cash_flow"]) == 12
    assert eur["cash_flow"][0]["month"] == "2025-04"
    assert eur["cash_flow"][-2] == {
        "month": "2026-02", "income": "0.00", "income_minor": 0, "spending": "100.00", "spending_minor": 10000,
    }  # fmt: skip
    assert eur["cash_flow"][-1]["income"] == "2500.00"
    assert eur["cash_flow"][-1]["spending"] == "957.30"
    assert (usd["currency"], usd["net_worth"], usd["spending_this_month"]) == (
        "USD",
        "-12.00",
        "12.00",
    )

    assert len(summary["recent"]) == 7  # the transfer is one movement
    assert summary["recent"][0]["date"] == "2026-03-07"


def test_a_new_user_s_dashboard_is_empty_but_whole(api):
    summary = api.get("/api/v1/dashboard/summary").get_json()
    assert (summary["accounts"], summary["currencies"], summary["recent"]) == ([], [], [])


def test_a_bad_day_is_named(api):
    assert_problem(api.get("/api/v1/dashboard/summary?today=someday"), 422, "today")


@pytest.mark.parametrize("today", ["9999-12-31", "0001-01-01"])
def test_a_day_outside_the_ledger_is_a_422_not_a_500(api, today):
    assert_problem(api.get(f"/api/v1/dashboard/summary?today={today}"), 422, "today")
