"""Finding transactions: every filter, sort order and page."""

from __future__ import annotations

import pytest

from .helpers import assert_problem


@pytest.fixture
def ledger(api):
    """A month of Ada's money: salary, groceries, a coffee, rent, a transfer and a dollar expense."""
    checking = api.account("Checking", opening="1000.00")
    savings = api.account("Savings")
    dollars = api.account("Dollars", currency="USD")
    groceries = api.category_id("Food › Groceries")
    coffee = api.category_id("Food › Coffee")
    rent = api.category_id("Housing › Rent")
    salary = api.category_id("Income › Salary")
    t = api.transaction
    return {
        "checking": checking["id"],
        "savings": savings["id"],
        "food": api.category_id("Food"),
        "salary": t(
            kind="income",
            account_id=checking["id"],
            date="2026-01-01",
            amount="2500.00",
            payee="Employer",
            category_id=salary,
        )["id"],
        "groceries": t(
            kind="expense",
            account_id=checking["id"],
            date="2026-01-03",
            amount="54.10",
            payee="Market",
            memo="weekly",
            category_id=groceries,
            tags=["food"],
        )["id"],
        "coffee": t(
            kind="expense",
            account_id=checking["id"],
            date="2026-01-04",
            amount="3.20",
            payee="Cafe Blue",
            category_id=coffee,
            tags=["food", "treat"],
        )["id"],
        "rent": t(
            kind="expense",
            account_id=checking["id"],
            date="2026-01-05",
            amount="900.00",
            payee="Landlord",
            category_id=rent,
        )["id"],
        "transfer": t(
            kind="transfer",
            account_id=checking["id"],
            to_account_id=savings["id"],
            date="2026-01-10",
            amount="200.00",
            payee="Saving",
        )["id"],
        "dollars": t(
            kind="expense",
            account_id=dollars["id"],
            date="2026-01-20",
            amount="12.00",
            payee="Market NYC",
        )["id"],
    }


def payees(api, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/transactions?{query}")
    assert response.status_code == 200, response.get_json()
    return [item["payee"] for item in response.get_json()["items"]]


def test_newest_first_by_default(api, ledger):
    # Across all accounts a transfer is one movement, so it is listed once.
    assert payees(api, "") == [
        "Market NYC",
        "Saving",
        "Landlord",
        "Cafe Blue",
        "Market",
        "Employer",
    ]


def test_text_matches_payee_or_memo_ignoring_case(api, ledger):
    assert payees(api, "text=market") == ["Market NYC", "Market"]
    assert payees(api, "text=WEEKLY") == ["Market"]


def test_date_range_is_inclusive(api, ledger):
    assert payees(api, "date_from=2026-01-03&date_to=2026-01-05") == [
        "Landlord",
        "Cafe Blue",
        "Market",
    ]


def test_by_account(api, ledger):
    assert payees(api, f"account_id={ledger['savings']}") == ["Saving"]


def test_by_category_includes_subcategories(api, ledger):
    assert payees(api, f"category_id={ledger['food']}") == ["Cafe Blue", "Market"]


def test_uncategorised_leaves_out_transfers_and_categorised_ones(api, ledger):
    assert payees(api, "uncategorised=true") == ["Market NYC"]
    assert payees(api, "uncategorised=false") == payees(api, "")
    assert_problem(
        api.get(f"/api/v1/transactions?uncategorised=true&category_id={ledger['food']}"),
        422,
        "category_id",
    )
    assert_problem(api.get("/api/v1/transactions?uncategorised=maybe"), 422, "uncategorised")


def test_by_tag(api, ledger):
    assert payees(api, "tag=treat") == ["Cafe Blue"]
    assert payees(api, "tag=FOOD") == ["Cafe Blue", "Market"]


def test_by_kind(api, ledger):
    assert payees(api, "kind=income") == ["Employer"]


def test_by_amount_size_in_each_account_s_currency(api, ledger):
    assert payees(api, "amount_min=50&amount_max=900") == ["Saving", "Landlord", "Market"]
    assert payees(api, "amount_max=12") == ["Market NYC", "Cafe Blue"]


def test_a_bound_beyond_any_amount_is_no_error(api, ledger):
    assert len(payees(api, "amount_max=1e999999")) == 6
    assert payees(api, "amount_min=1e999999") == []


def test_sort_by_amount_and_payee_both_ways(api, ledger):
    assert payees(api, "sort=payee&order=asc")[:3] == ["Cafe Blue", "Employer", "Landlord"]
    # Amounts sort as signed ledger entries: the largest payment comes first ascending.
    assert payees(api, "sort=amount&order=asc")[0] == "Landlord"
    assert payees(api, "sort=amount&order=desc")[0] == "Employer"


def test_pages_carry_their_meta(api, ledger):
    response = api.get("/api/v1/transactions?per_page=4&page=2&sort=date&order=asc").get_json()
    assert response["pagination"] == {"page": 2, "per_page": 4, "total": 6, "pages": 2}
    assert [item["payee"] for item in response["items"]] == ["Saving", "Market NYC"]


def test_filters_combine(api, ledger):
    query = f"account_id={ledger['checking']}&kind=expense&text=a&amount_min=10"
    assert payees(api, query) == ["Landlord", "Market"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2026-02-01&date_to=2026-01-01", "date_to"),
        ("date_from=yesterday", "date_from"),
        ("kind=gift", "kind"),
        ("sort=colour", "sort"),
        ("order=sideways", "order"),
        ("page=0", "page"),
        ("per_page=500", "per_page"),
        ("account_id=abc", "account_id"),
        ("account_id=99999999999999999999", "account_id"),
        ("amount_min=lots", "amount_min"),
        ("amount_min=-5", "amount_min"),
        ("amount_min=NaN", "amount_min"),
    ],
)
def test_bad_filters_are_named(api, ledger, query, field):
    assert_problem(api.get(f"/api/v1/transactions?{query}"), 422, field)


def test_another_user_s_account_or_category_is_an_unknown_filter(api, ledger, other_api):
    assert_problem(
        other_api.get(f"/api/v1/transactions?account_id={ledger['checking']}"), 422, "account_id"
    )
    assert_problem(
        other_api.get(f"/api/v1/transactions?category_id={ledger['food']}"), 422, "category_id"
    )
