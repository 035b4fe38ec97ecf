"""Many transactions get one category at once: all of the ones asked for, or none of them."""

from __future__ import annotations

import pytest

from finance_tracker.services import tokens

from .conftest import ApiClient
from .helpers import assert_problem

URL = "/api/v1/transactions/categorise"


@pytest.fixture
def imported(api) -> dict:
    """Three uncategorised expenses fresh from a bank file, a transfer and a split."""
    checking = api.account("Checking", opening="500.00")["id"]
    savings = api.account("Savings")["id"]

    def expense(payee: str, amount: str, **more):  # type: ignore[no-untyped-def]
        body = {"kind": "expense", "account_id": checking, "date": "2026-01-05"}
        return api.transaction(**body, amount=amount, payee=payee, **more)["id"]

    return {
        "rows": [expense("Market", "30.00"), expense("Bakery", "4.20"), expense("Kiosk", "2.00")],
        "transfer": api.transaction(
            kind="transfer",
            account_id=checking,
            to_account_id=savings,
            date="2026-01-06",
            amount="50.00",
        )["id"],  # fmt: skip
        "split": expense(
            "Hypermarket",
            "10.00",
            splits=[
                {"amount": "6.00", "category_id": None},
                {"amount": "4.00", "category_id": None},
            ],
        ),  # fmt: skip
    }


def spending(api) -> dict[str, str]:
    query = "date_from=2026-01-01&date_to=2026-01-31"
    body = api.get(f"/api/v1/reports/spending-by-category?{query}").get_json()
    return {row["category"]: row["spent"] for row in body["items"]}


def uncategorised(api) -> list[str]:
    items = api.get("/api/v1/transactions?uncategorised=true").get_json()["items"]
    return sorted(t["payee"] for t in items)


def test_three_rows_get_one_category_and_the_report_follows(api, imported):
    groceries = api.category_id("Food › Groceries")
    response = api.post(URL, json={"ids": imported["rows"][:2], "category_id": groceries})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "updated": 2, "category_id": groceries, "category": "Food › Groceries",
    }  # fmt: skip
    assert uncategorised(api) == ["Hypermarket", "Kiosk"]
    assert spending(api) == {"Food": "34.20", "Uncategorised": "12.00"}

    cleared = api.post(URL, json={"ids": [imported["rows"][0]], "category_id": None})
    assert cleared.get_json() == {"updated": 1, "category_id": None, "category": None}
    assert spending(api) == {"Food": "4.20", "Uncategorised": "42.00"}


def test_bad_requests_are_refused_whole_with_a_problem(api, other_api, imported):
    groceries = api.category_id("Food › Groceries")
    theirs = other_api.transaction(
        kind="expense", account_id=other_api.account("Wallet")["id"], date="2026-01-05",
        amount="1.00", payee="Bob's",
    )["id"]  # fmt: skip
    market = imported["rows"][0]

    def refused(body: dict, *fields: str, client: ApiClient = api) -> dict:
        return assert_problem(client.post(URL, json=body), 422, *fields).get("errors", {})

    assert refused({"ids": [market, theirs], "category_id": groceries}, "ids") == {
        "ids": f"no such transaction: {theirs}"
    }
    # Bob, with Ada's rows, or with Ada's category for his own row.
    refused(
        {"ids": [market], "category_id": other_api.category_id("Food")}, "ids", client=other_api
    )
    refused({"ids": [theirs], "category_id": groceries}, "category_id", client=other_api)
    message = refused(
        {"ids": [market, imported["transfer"], imported["split"]], "category_id": groceries}
    )["ids"]
    assert "1 transfer (a transfer has no category)" in message and "1 split transaction" in message
    refused({"ids": [], "category_id": groceries}, "ids")
    refused({"ids": list(range(1, 502)), "category_id": groceries}, "ids")
    refused({"ids": ["1"], "category_id": groceries}, "ids.0")
    refused({"ids": [market]}, "category_id")
    assert uncategorised(api) == ["Bakery", "Hypermarket", "Kiosk", "Market"]
    assert uncategorised(other_api) == ["Bob's"]


def test_a_read_only_token_may_not_categorise(api, db, imported):
    with db.session() as session:
        _, plaintext = tokens.create(session, api.user_id, "dashboard", scope=tokens.READ)
    reader = ApiClient(api.client, db, plaintext, api.user_id, api.email)
    body = {"ids": imported["rows"], "category_id": api.category_id("Food")}
    assert_problem(reader.post(URL, json=body), 403)
    assert len(uncategorised(api)) == 4


def test_the_spec_documents_it(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"][URL]["post"]
    assert {"200", "401", "403", "422"} <= operation["responses"].keys()
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/CategoriseInput")
