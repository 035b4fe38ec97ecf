"""A person with a euro account and a dollar card sees one net worth and one budget in euros,
each amount converted at the rate of its own day (or the closest earlier one), rounded once.

The expected figures are computed by hand in the comments, from the ECB file in tests/rates."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from finance_tracker.store.models import ExchangeRate

from .helpers import assert_problem

RATES = Path(__file__).parents[2] / "rates"


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


@pytest.fixture
def two_currencies(api) -> dict:
    """Ada: home EUR, a euro account and a dollar card, the ECB's rates uploaded."""
    uploaded = api.upload(
        "/api/v1/rates/ecb", (RATES / "eurofxref-hist.csv").read_bytes(), "eurofxref-hist.csv"
    )
    assert uploaded.status_code == 201, uploaded.get_json()
    checking = api.account("Girokonto", opening="1000.00")
    card = api.account("US card", currency="USD")
    groceries, restaurants = (
        api.category_id("Food › Groceries"),
        api.category_id("Food › Restaurants"),
    )
    api.transaction(kind="expense", account_id=checking["id"], date="2026-12-02",
                    amount="100.00", category_id=groceries, payee="Rewe")  # fmt: skip
    # 12-01 has no ECB rate (the file jumps from 11-30 to 12-02): 11-30's 1.0480 is used.
    api.transaction(kind="expense", account_id=card["id"], date="2026-12-01",
                    amount="52.40", category_id=groceries, payee="Whole Foods")  # fmt: skip
    api.transaction(kind="expense", account_id=card["id"], date="2026-12-03",
                    amount="10.00", category_id=restaurants, payee="Diner")  # fmt: skip
    api.transaction(kind="transfer", account_id=checking["id"], to_account_id=card["id"],
                    date="2026-12-02", amount="100.00", to_amount="105.00")  # fmt: skip
    return {"checking": checking, "card": card, "food": api.category_id("Food")}


def test_one_net_worth_in_the_home_currency_correct_to_the_cent(api, two_currencies):
    # Balances on 2026-12-04: 1000 - 100 - 100 = 800.00 EUR; 105 - 52.40 - 10 = 42.60 USD,
    # valued at that day's ECB rate 1.0543: 42.60 / 1.0543 = 40.4059565...
    expected = cents(Decimal("800.00") + Decimal("42.60") / Decimal("1.0543"))
    assert expected == Decimal("840.41")
    board = api.get("/api/v1/dashboard/summary?today=2026-12-04").get_json()
    home = board["home"]
    assert (home["currency"], home["net_worth"], home["net_worth_minor"]) == (
        "EUR",
        "840.41",
        84041,
    )
    assert home["missing_rates"] == []
    # The originals are one call away: each currency as held.
    assert {c["currency"]: c["net_worth"] for c in board["currencies"]} == {
        "EUR": "800.00",
        "USD": "42.60",
    }

    report = api.get("/api/v1/reports/net-worth?date_from=2026-11-01&date_to=2026-12-04")
    converted = report.get_json()["converted"]
    assert [(p["date"], p["net_worth"]) for p in converted["items"]] == [
        ("2026-11-30", "1000.00"),
        ("2026-12-04", "840.41"),
    ]
    (used,) = converted["rates_used"]
    assert (used["currency"], used["last_rate"]) == (
        "USD",
        {"base": "EUR", "quote": "USD", "date": "2026-12-04", "rate": "1.0543", "source": "ecb"},
    )


def test_one_budget_counts_the_dollar_card_converted_at_each_day_s_rate(api, two_currencies):
    # Food this month: 100.00 EUR + 52.40 USD at 11-30's 1.0480 + 10.00 USD at 12-03's 1.0512
    # = 100 + 50.00 + 9.5129375... = 159.5129375... -> 159.51, rounded once.
    spent = cents(
        Decimal("100.00")
        + Decimal("52.40") / Decimal("1.0480")
        + Decimal("10.00") / Decimal("1.0512")
    )
    assert spent == Decimal("159.51")
    response = api.put(
        f"/api/v1/budgets/2026-12/{two_currencies['food']}",
        json={"amount": "200.00", "currency": "EUR"},
    )
    assert response.status_code == 200, response.get_json()
    (line,) = api.get("/api/v1/budgets/2026-12").get_json()["items"]
    assert (line["spent"], line["remaining"], line["over_budget"]) == ("159.51", "40.49", False)
    assert line["spent_originals"] == [
        {"currency": "EUR", "spent": "100.00", "spent_minor": 10000},
        {"currency": "USD", "spent": "62.40", "spent_minor": 6240},
    ]
    assert line["missing_rates"] == []

    report = api.get(
        "/api/v1/reports/spending-by-category?date_from=2026-12-01&date_to=2026-12-31"
    ).get_json()
    (food,) = report["converted"]["items"]
    assert (food["category"], food["spent"], report["converted"]["total"]) == (
        "Food",
        "159.51",
        "159.51",
    )
    (used,) = report["converted"]["rates_used"]
    # Two amounts converted, one of them (12-01) at an earlier day's rate: said, not hidden.
    assert (used["conversions"], used["earlier_days"]) == (2, 1)
    assert used["first_rate"]["date"] == "2026-11-30"

    flows = api.get("/api/v1/reports/income-expense?date_from=2026-12-01&date_to=2026-12-31")
    (december,) = flows.get_json()["converted"]["items"]
    assert (december["expense"], december["income"]) == ("159.51", "0.00")


def test_a_missing_rate_is_named_never_a_zero(api):
    api.account("Girokonto")
    card = api.account("US card", currency="USD", opening="20.00")
    api.transaction(kind="expense", account_id=card["id"], date="2026-12-01", amount="5.00")
    report = api.get("/api/v1/reports/spending-by-category?date_from=2026-12-01&date_to=2026-12-31")
    assert report.status_code == 200
    converted = report.get_json()["converted"]
    (row,) = converted["items"]
    assert (row["spent"], row["spent_minor"], converted["total"]) == (None, None, None)
    assert converted["missing_rates"] == [
        {"currency": "USD", "to": "EUR", "first_date": "2026-12-01", "days": 1}
    ]
    home = api.get("/api/v1/dashboard/summary?today=2026-12-04").get_json()["home"]
    assert home["net_worth"] is None
    assert home["missing_rates"][0]["currency"] == "USD"


def test_a_cross_currency_transfer_teaches_its_rate_and_follows_its_edits(api):
    checking = api.account("Girokonto", opening="500.00")
    card = api.account("US card", currency="USD")
    transfer = api.transaction(kind="transfer", account_id=checking["id"], to_account_id=card["id"],
                               date="2026-11-01", amount="100.00", to_amount="108.76")  # fmt: skip
    api.transaction(kind="expense", account_id=card["id"], date="2026-11-05", amount="54.38")
    path = "/api/v1/reports/spending-by-category?date_from=2026-11-01&date_to=2026-11-30"
    converted = api.get(path).get_json()["converted"]
    assert converted["total"] == "50.00"  # 54.38 / 1.0876, exactly
    assert converted["rates_used"][0]["last_rate"]["source"] == "transfer"
    learnt = api.get("/api/v1/rates").get_json()["learnt"]
    assert learnt == [
        {
            "base": "EUR",
            "quote": "USD",
            "date": "2026-11-01",
            "rate": "1.0876",
            "source": "transfer",
        }
    ]

    edited = api.put(f"/api/v1/transactions/{transfer['id']}", json={
        "kind": "transfer", "account_id": checking["id"], "to_account_id": card["id"],
        "date": "2026-11-01", "amount": "100.00", "to_amount": "110.00",
    })  # fmt: skip
    assert edited.status_code == 200, edited.get_json()
    assert api.get(path).get_json()["converted"]["total"] == "49.44"  # 54.38 / 1.1 = 49.436…
    assert api.delete(f"/api/v1/transactions/{transfer['id']}").status_code == 204
    assert api.get(path).get_json()["converted"]["total"] is None


def test_a_rate_entered_by_hand_wins_over_the_ecb_s_on_its_day(api, two_currencies):
    body = {"base": "USD", "quote": "EUR", "date": "2026-12-03", "rate": "0.5"}
    entered = api.create("/api/v1/rates", body)
    assert (entered["rate"], entered["source"]) == ("0.5", "manual")
    again = api.create("/api/v1/rates", {**body, "rate": "0.95"})  # the same day again: replaced
    assert again["id"] == entered["id"]
    converted = api.get(
        "/api/v1/reports/spending-by-category?date_from=2026-12-03&date_to=2026-12-03"
    ).get_json()["converted"]
    assert converted["total"] == "9.50"  # 10.00 USD × 0.95, not the ECB's 1/1.0512
    assert api.delete(f"/api/v1/rates/{entered['id']}").status_code == 204
    assert_problem(api.delete(f"/api/v1/rates/{entered['id']}"), 404)


def test_the_home_currency_is_changeable_and_everything_follows(api, two_currencies):
    changed = api.patch("/api/v1/me", json={"home_currency": "usd"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["home_currency"] == "USD"
    home = api.get("/api/v1/dashboard/summary?today=2026-12-04").get_json()["home"]
    # 800.00 EUR × 1.0543 + 42.60 USD = 843.44 + 42.60 = 886.04
    assert (home["currency"], home["net_worth"]) == ("USD", "886.04")
    assert_problem(api.patch("/api/v1/me", json={"home_currency": "EURO"}), 422, "home_currency")
    assert api.get("/api/v1/me").get_json()["home_currency"] == "USD"


def test_a_cross_rate_goes_through_the_euro(api):
    api.upload("/api/v1/rates/ecb", (RATES / "eurofxref.csv").read_bytes(), "eurofxref.csv")
    assert api.patch("/api/v1/me", json={"home_currency": "GBP"}).status_code == 200
    card = api.account("US card", currency="USD")
    api.transaction(kind="expense", account_id=card["id"], date="2026-12-04", amount="100.00")
    converted = api.get(
        "/api/v1/reports/spending-by-category?date_from=2026-12-01&date_to=2026-12-31"
    ).get_json()["converted"]
    # 100 USD / 1.0543 (USD per EUR) × 0.83145 (GBP per EUR) = 78.8626...
    assert (
        converted["total"]
        == str(cents(Decimal("100") / Decimal("1.0543") * Decimal("0.83145")))
        == "78.86"
    )


def zipped(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "rates", "days"),
    [
        ("eurofxref.csv", (RATES / "eurofxref.csv").read_bytes(), 30, 1),
        ("eurofxref-hist.csv", (RATES / "eurofxref-hist.csv").read_bytes(), 158, 5),
        ("eurofxref-hist.zip", zipped("eurofxref-hist.csv",
                                      (RATES / "eurofxref-hist.csv").read_bytes()), 158, 5),
    ],
)  # fmt: skip
def test_the_ecb_s_files_upload_and_again_add_nothing(api, count_rows, name, content, rates, days):
    first = api.upload("/api/v1/rates/ecb", content, name)
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["rates"], first.get_json()["days"]) == (rates, days)
    assert count_rows(ExchangeRate, api.user_id) == rates
    assert api.upload("/api/v1/rates/ecb", content, name).status_code == 201
    assert count_rows(ExchangeRate, api.user_id) == rates


HIST = (RATES / "eurofxref-hist.csv").read_bytes()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"Date,Description,Amount\n2026-12-01,Rewe,-12.00\n", "first line names no currency"),
        (zipped("eurofxref-hist.csv", HIST)[:300], "zip file is damaged"),
        (HIST.replace(b"2026-12-03,1.0512", b"2026-12-03,0"), "line 3, USD: a rate must be more"),
        (HIST.replace(b"2026-12-03,1.0512", b"2026-12-03,-1.05"), "line 3, USD"),
        (HIST.replace(b"2026-12-03,1.0512", b"2026-12-03,abc"), "line 3, USD: 'abc' is not"),
        (HIST.replace(b"2026-12-03,", b"2026-13-03,"), "line 3: '2026-13-03' is not a date"),
        (b"", "first line"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not text"),
    ],
)
def test_a_bad_rates_file_is_refused_saying_where_and_nothing_is_written(
    api, count_rows, content, says
):
    problem = assert_problem(api.upload("/api/v1/rates/ecb", content, "rates.csv"), 422, "file")
    assert says in problem["errors"]["file"], problem
    assert count_rows(ExchangeRate, api.user_id) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"base": "XYZ", "quote": "USD", "date": "2026-12-01", "rate": "1.1"}, "base"),
        ({"base": "EUR", "quote": "EUR", "date": "2026-12-01", "rate": "1.1"}, "quote"),
        ({"base": "EUR", "quote": "USD", "date": "2026-12-01", "rate": "0"}, "rate"),
        ({"base": "EUR", "quote": "USD", "date": "2026-12-01", "rate": "-1.1"}, "rate"),
        ({"base": "EUR", "quote": "USD", "date": "2026-12-01", "rate": "1,1"}, "rate"),
        ({"base": "EUR", "quote": "USD", "date": "2026-02-30", "rate": "1.1"}, "date"),
    ],
)
def test_a_bad_rate_is_refused_naming_the_field(api, count_rows, body, field):
    assert_problem(api.post("/api/v1/rates", json=body), 422, field)
    assert count_rows(ExchangeRate, api.user_id) == 0


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_a_report_s_csv_carries_the_converted_figures_when_asked(api, two_currencies):
    december = "date_from=2026-12-01&date_to=2026-12-04"
    flows = api.get(f"/api/v1/reports/income-expense?{december}&format=csv&view=converted")
    assert "income-expense-2026-12-01-2026-12-04-in-EUR.csv" in flows.headers["Content-Disposition"]
    assert _csv(flows) == [
        ["currency", "month", "income", "expense", "net"],
        ["EUR", "2026-12", "0.00", "159.51", "-159.51"],  # as the JSON's converted items
    ]
    worth = _csv(api.get(f"/api/v1/reports/net-worth?{december}&format=csv&view=converted"))
    assert worth[-1] == ["EUR", "2026-12-04", "840.41"]
    spent = _csv(
        api.get(f"/api/v1/reports/spending-by-category?{december}&format=csv&view=converted")
    )
    assert spent[0] == ["currency", "category", "spent"]
    assert {row[0] for row in spent[1:]} == {"EUR"}
    # Without the view: each currency as held, as before.
    as_held = _csv(api.get(f"/api/v1/reports/income-expense?{december}&format=csv"))
    assert sorted(row[0] for row in as_held[1:]) == ["EUR", "USD"]
    refused = api.get(f"/api/v1/reports/net-worth?{december}&format=csv&view=euros")
    assert_problem(refused, 422, "view")


def test_a_converted_csv_leaves_a_figure_without_a_rate_empty(api):
    api.account("Girokonto")
    card = api.account("US card", currency="USD", opening="20.00")
    api.transaction(kind="expense", account_id=card["id"], date="2026-12-01", amount="5.00")
    flows = api.get(
        "/api/v1/reports/income-expense?date_from=2026-12-01&date_to=2026-12-31"
        "&format=csv&view=converted"
    )
    assert _csv(flows)[1] == ["EUR", "2026-12", "0.00", "", ""]  # not a zero


def test_a_person_asks_for_the_ecb_s_rates_to_be_fetched(api):
    assert api.get("/api/v1/me").get_json()["fetch_ecb_rates"] is False
    changed = api.patch("/api/v1/me", json={"fetch_ecb_rates": True})
    assert changed.status_code == 200 and changed.get_json()["fetch_ecb_rates"] is True
    refused = api.patch("/api/v1/me", json={"fetch_ecb_rates": "sometimes"})
    assert_problem(refused, 422, "fetch_ecb_rates")
    assert api.get("/api/v1/me").get_json()["fetch_ecb_rates"] is True
