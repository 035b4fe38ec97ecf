"""Every kind of bad input ends in a problem that names what is wrong, and nothing is written."""

from __future__ import annotations

import io

import pytest

from finance_tracker.store.models import Account, Tag, Transaction

from .helpers import assert_problem


@pytest.fixture
def checking(api) -> dict:
    return api.account("Checking", opening="100.00")


def expense(account: dict, **changes: object) -> dict:
    body = {"kind": "expense", "account_id": account["id"], "date": "2026-01-05", "amount": "1.00"}
    return {**body, **changes}


# Money: exact, in the currency's decimals, never a float.


@pytest.mark.parametrize(
    ("amount", "stored"),
    [("12.30", "12.30"), ("7", "7.00"), (5, "5.00"), ("0.1", "0.10")],
)
def test_amounts_arrive_exactly(api, checking, amount, stored):
    assert api.transaction(**expense(checking, amount=amount))["amount"] == stored


def test_a_json_number_is_read_exactly_not_as_a_float(api, checking):
    """0.1 in JSON is Decimal("0.1"): no binary float ever touches the amount."""
    raw = (
        b'{"kind": "expense", "account_id": %d, "date": "2026-01-05", "amount": 0.1}'
        % checking["id"]
    )
    response = api.post("/api/v1/transactions", data=raw, content_type="application/json")
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["amount"], response.get_json()["amount_minor"]) == ("0.10", 10)
    scientific = raw.replace(b"0.1}", b"1e2}")
    assert (
        api.post(
            "/api/v1/transactions", data=scientific, content_type="application/json"
        ).get_json()["amount"]
        == "100.00"
    )


def test_point_one_plus_point_two_is_exactly_point_three(api):
    wallet = api.account("Wallet")
    for raw in (b"0.1", b"0.2"):
        body = b'{"kind": "income", "account_id": %d, "date": "2026-01-05", "amount": %s}' % (
            wallet["id"],
            raw,
        )
        assert (
            api.post("/api/v1/transactions", data=body, content_type="application/json").status_code
            == 201
        )
    account = api.get(f"/api/v1/accounts/{wallet['id']}").get_json()
    assert (account["balance"], account["balance_minor"]) == ("0.30", 30)


@pytest.mark.parametrize(
    "raw_amount",
    [b"12.345", b'"12.345"', b"0.30000000000000004", b'"0.30000000000000004"'],
    ids=["number-3-decimals", "string-3-decimals", "float-noise-number", "float-noise-string"],
)
def test_more_decimals_than_the_currency_has_are_refused_not_rounded(
    api, checking, count_rows, raw_amount
):
    raw = b'{"kind": "expense", "account_id": %d, "date": "2026-01-05", "amount": %s}' % (
        checking["id"],
        raw_amount,
    )
    response = api.post("/api/v1/transactions", data=raw, content_type="application/json")
    body = assert_problem(response, 422, "amount")
    assert "2 decimal places" in body["errors"]["amount"]
    assert count_rows(Transaction) == 0


@pytest.mark.parametrize(
    "amount",
    ["abc", "", "-5.00", "0", "0.00", "1e999999", "9" * 39, "12,30", True, None, [1], {"value": 1}],
)
def test_amounts_that_are_not_money_are_refused(api, checking, count_rows, amount):
    assert_problem(
        api.post("/api/v1/transactions", json=expense(checking, amount=amount)), 422, "amount"
    )
    assert count_rows(Transaction) == 0


def test_an_unknown_currency_is_refused(api, count_rows):
    response = api.post(
        "/api/v1/accounts", json={"name": "Gold", "type": "cash", "currency": "XXY"}
    )
    assert_problem(response, 422, "currency")
    assert count_rows(Account) == 0


# Dates.


@pytest.mark.parametrize("date", ["1800-01-01", "2300-01-01"])
def test_dates_outside_the_ledger_s_range_are_refused(api, checking, count_rows, date):
    body = assert_problem(
        api.post("/api/v1/transactions", json=expense(checking, date=date)), 422, "date"
    )
    assert "1900-01-01" in body["errors"]["date"]
    assert count_rows(Transaction) == 0


@pytest.mark.parametrize("date", ["2026-02-30", "05/01/2026", "yesterday", 20260105, None])
def test_dates_that_are_not_iso_dates_are_refused(api, checking, date):
    assert_problem(api.post("/api/v1/transactions", json=expense(checking, date=date)), 422, "date")


# Missing fields, wrong types, unknown fields.


def test_missing_fields_are_each_named(api, count_rows):
    body = assert_problem(
        api.post("/api/v1/transactions", json={}), 422, "kind", "account_id", "date", "amount"
    )
    assert body["detail"]
    assert_problem(api.post("/api/v1/accounts", json={"name": "x"}), 422, "type", "currency")
    assert count_rows(Transaction) == count_rows(Account) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"account_id": "1"}, "account_id"),
        ({"account_id": 1.5}, "account_id"),
        ({"account_id": True}, "account_id"),
        ({"account_id": 10**30}, "account_id"),
        ({"account_id": 0}, "account_id"),
        ({"kind": 5}, "kind"),
        ({"kind": "gift"}, "kind"),
        ({"payee": ["a"]}, "payee"),
        ({"tags": "food,fun"}, "tags"),
        ({"tags": [1]}, "tags.0"),
        ({"splits": {"amount": "1"}}, "splits"),
        ({"splits": [{"category_id": None}, {"amount": "1"}]}, "splits.0.amount"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_wrong_types_and_unknown_fields_are_named(api, checking, count_rows, changes, field):
    response = api.post("/api/v1/transactions", json=expense(checking, **changes))
    assert_problem(response, 422, field)
    assert count_rows(Transaction) == 0


def test_a_body_that_is_not_an_object_is_refused(api, count_rows):
    assert_problem(api.post("/api/v1/tags", json=["groceries"]), 422, "body")
    assert_problem(api.post("/api/v1/tags", json="groceries"), 422, "body")


def test_over_long_text_is_refused(api, checking, count_rows):
    assert_problem(
        api.post("/api/v1/transactions", json=expense(checking, payee="x" * 201)), 422, "payee"
    )
    assert_problem(
        api.post("/api/v1/accounts", json={"name": "x" * 81, "type": "cash", "currency": "EUR"}),
        422,
        "name",
    )
    assert count_rows(Transaction) == 0


def test_text_a_database_cannot_store_is_refused(api, checking, count_rows):
    """PostgreSQL refuses NUL characters; no database can store a lone surrogate."""
    assert_problem(
        api.post("/api/v1/transactions", json=expense(checking, payee="a\x00b")), 422, "payee"
    )
    assert_problem(api.post("/api/v1/tags", json={"name": "a\x00b"}), 422, "name")
    raw = b'{"name": "\\ud800"}'
    assert_problem(api.post("/api/v1/tags", data=raw, content_type="application/json"), 422, "name")
    assert_problem(api.get("/api/v1/transactions?text=a%00b"), 422, "text")
    assert count_rows(Transaction) == 0
    assert count_rows(Tag, api.user_id) == 3


# Someone else's things.


def test_another_user_s_account_in_the_body_is_an_unknown_account(api, other_api, count_rows):
    theirs = other_api.account("Bob's checking")
    mine = api.account("Mine")
    before = count_rows(Transaction)
    for field in ("account_id", "to_account_id"):
        body = expense(mine, kind="transfer", to_account_id=mine["id"]) | {field: theirs["id"]}
        problem = assert_problem(api.post("/api/v1/transactions", json=body), 422, field)
        assert "Bob" not in str(problem)
    assert count_rows(Transaction) == before == 0
    assert other_api.get(f"/api/v1/accounts/{theirs['id']}").get_json()["balance"] == "0.00"


def test_another_user_s_category_in_the_body_is_an_unknown_category(api, other_api, count_rows):
    mine = api.account("Mine")
    theirs = other_api.category_id("Food › Groceries")
    assert_problem(
        api.post("/api/v1/transactions", json=expense(mine, category_id=theirs)), 422, "category_id"
    )
    split = expense(
        mine, amount="2.00", splits=[{"amount": "1.00", "category_id": theirs}, {"amount": "1.00"}]
    )
    assert_problem(api.post("/api/v1/transactions", json=split), 422, "splits.0")
    assert_problem(
        api.post("/api/v1/categories", json={"name": "Mine", "parent_id": theirs}), 422, "parent_id"
    )
    assert count_rows(Transaction) == 0


def test_another_user_s_transaction_in_the_url_is_not_found(api, other_api):
    theirs = other_api.account("Bob's checking", opening="10.00")
    secret = other_api.transaction(**expense(theirs, payee="Bob's secret"))
    mine = api.account("Mine")
    url = f"/api/v1/transactions/{secret['id']}"
    for response in (
        api.get(url),
        api.put(url, json=expense(mine)),
        api.patch(url, json={"payee": "hijacked"}),
        api.delete(url),
    ):
        problem = assert_problem(response, 404)
        assert "secret" not in str(problem)
    assert other_api.get(url).get_json() == secret


@pytest.mark.parametrize("transaction_id", ["0", "-1", "99999999999999999999", "abc"])
def test_ids_that_cannot_exist_are_not_found(api, transaction_id):
    assert_problem(api.get(f"/api/v1/transactions/{transaction_id}"), 404)


# Bodies that are not JSON.


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"name": }',
        b"",
        b"   ",
        b'{"name": NaN}',
        b'{"name": Infinity}',
        b"\xff\xfe{",
        b"[" * 100_000 + b"]" * 100_000,
        b"1" * 5000,
    ],
    ids=[
        "truncated",
        "syntax",
        "empty",
        "blank",
        "nan",
        "infinity",
        "bad-utf8",
        "deeply-nested",
        "huge-integer",
    ],
)
def test_malformed_json_is_a_400(api, count_rows, raw):
    response = api.post("/api/v1/tags", data=raw, content_type="application/json")
    assert_problem(response, 400)
    assert count_rows(Tag, api.user_id) == 3  # only the default tags


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("name=groceries", "application/x-www-form-urlencoded"),
        ('{"name": "groceries"}', "text/plain"),
        ('{"name": "groceries"}', None),
    ],
    ids=["form", "text", "none"],
)
def test_a_body_that_is_not_declared_json_is_a_415(api, count_rows, data, content_type):
    response = api.post("/api/v1/tags", data=data, content_type=content_type)
    assert_problem(response, 415)
    assert count_rows(Tag, api.user_id) == 3


def test_json_with_a_charset_or_a_json_suffix_is_fine(api):
    assert (
        api.post(
            "/api/v1/tags", data='{"name": "a"}', content_type="application/json; charset=utf-8"
        ).status_code
        == 201
    )
    assert (
        api.post(
            "/api/v1/tags", data='{"name": "b"}', content_type="application/merge-patch+json"
        ).status_code
        == 201
    )


def test_an_oversized_body_is_a_413(api, app, count_rows):
    limit = app.extensions["finance_tracker"].settings.api_max_body_bytes
    padding = "x" * limit
    response = api.post("/api/v1/tags", json={"name": "big", "padding": padding})
    assert_problem(response, 413)
    assert count_rows(Tag, api.user_id) == 3


def test_an_oversized_body_without_a_length_is_a_413_too(api, app, count_rows):
    """A chunked upload has no Content-Length: the stream is cut off at the limit."""
    limit = app.extensions["finance_tracker"].settings.api_max_body_bytes
    body = b'{"name": "big", "padding": "' + b"x" * limit + b'"}'
    response = api.post(
        "/api/v1/tags",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        environ_overrides={
            "CONTENT_LENGTH": "",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input_terminated": True,
        },
    )
    assert_problem(response, 413)
    assert count_rows(Tag, api.user_id) == 3


@pytest.mark.parametrize("streamed", [False, True], ids=["with-length", "chunked"])
def test_a_body_of_exactly_the_limit_is_read(api, app, streamed):
    limit = app.extensions["finance_tracker"].settings.api_max_body_bytes
    head, tail = b'{"name": "big", "padding": "', b'"}'
    body = head + b"x" * (limit - len(head) - len(tail)) + tail
    assert len(body) == limit
    chunked = {
        "CONTENT_LENGTH": "",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input_terminated": True,
    }
    response = api.post(
        "/api/v1/tags",
        input_stream=io.BytesIO(body),
        content_type="application/json",
        environ_overrides=chunked if streamed else {"CONTENT_LENGTH": str(limit)},
    )
    assert_problem(response, 422, "padding")  # read and parsed: only the unknown field is wrong
