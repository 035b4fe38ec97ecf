"""One person's money is invisible and untouchable to another, through every operation the API
documents. The walk reads the app's own OpenAPI spec, so a new endpoint cannot escape it."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from finance_tracker.store.models import (
    Account,
    ApiToken,
    Budget,
    Category,
    CsvMapping,
    ExchangeRate,
    ImportBatch,
    Receipt,
    RecurringTransaction,
    Rule,
    Tag,
    Transaction,
    User,
    transaction_tags,
)

from .conftest import tiny_png
from .spec import assert_matches_spec, operations, resolve

# Which table a path or query parameter's id points into.
ID_PARAMETERS = {
    "account_id": Account,
    "to_account_id": Account,
    "category_id": Category,
    "parent_id": Category,
    "set_category_id": Category,
    "tag_id": Tag,
    "transaction_id": Transaction,
    "budget_id": Budget,
    "recurring_id": RecurringTransaction,
    "rule_id": Rule,
    "import_id": ImportBatch,
    "receipt_id": Receipt,
    "rate_id": ExchangeRate,
}
# Path parameters that are not ids: one fixed value each (the month of Ada's budget).
PATH_VALUES = {"month": "2026-01"}
OWNED = (Account, Category, Tag, Transaction, Budget, RecurringTransaction, Rule, ImportBatch,
         Receipt, ExchangeRate)  # fmt: skip
ADA_STATEMENT = b"Date,Description,Amount\n2026-01-20,Ada's imported payee,-7.50\n"
SECRETS = [
    "ada@example.com",
    "Ada's hidden checking",
    "Ada's savings",
    "Secret stash",
    "Hidden subcategory",
    "ada-secret-tag",
    "Ada's secret payee",
    "ada secret memo",
    "Ada's secret template",
    "Ada's secret rule",
    "ada-secret-pattern",
    "ada-statement",
    "Ada's imported payee",
    "ada-receipt",
]


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def ada(api) -> dict[type, list[int]]:
    """Ada's ledger, with one of everything: every id of hers, per table."""
    checking = api.account("Ada's hidden checking", opening="1000.00")
    savings = api.account("Ada's savings", currency="USD")
    stash = api.create("/api/v1/categories", {"name": "Secret stash"})
    sub = api.create("/api/v1/categories", {"name": "Hidden subcategory", "parent_id": stash["id"]})
    api.create("/api/v1/tags", {"name": "ada-secret-tag"})
    api.transaction(
        kind="expense",
        account_id=checking["id"],
        date="2026-01-05",
        amount="12.30",
        payee="Ada's secret payee",
        memo="ada secret memo",
        category_id=sub["id"],
        tags=["ada-secret-tag"],
    )
    api.transaction(
        kind="transfer",
        account_id=checking["id"],
        to_account_id=savings["id"],
        date="2026-01-06",
        amount="50.00",
        to_amount="54.00",
        payee="Ada's secret payee",
    )
    api.transaction(
        kind="expense",
        account_id=checking["id"],
        date="2026-01-07",
        amount="3.00",
        payee="Ada's secret payee",
        splits=[
            {"amount": "1.00", "category_id": stash["id"]},
            {"amount": "2.00", "category_id": sub["id"]},
        ],
    )
    budget = api.put(
        f"/api/v1/budgets/2026-01/{sub['id']}", json={"amount": "100.00", "currency": "EUR"}
    )
    assert budget.status_code == 200, budget.get_json()
    api.create(
        "/api/v1/recurring",
        {
            "name": "Ada's secret template",
            "kind": "expense",
            "account_id": checking["id"],
            "amount": "9.99",
            "frequency": "monthly",
            "start_date": "2025-12-01",  # due dates have passed: a run for Bob must skip them
            "payee": "Ada's secret payee",
            "category_id": stash["id"],
        },
    )
    api.create(
        "/api/v1/rules",
        {
            "name": "Ada's secret rule",
            "pattern": "ada-secret-pattern",
            "set_category_id": sub["id"],
        },
    )
    api.create(
        "/api/v1/rates", {"base": "EUR", "quote": "USD", "date": "2026-01-02", "rate": "1.0801"}
    )
    batch = api.start_import(checking["id"], ADA_STATEMENT, "ada-statement.csv")
    settings = api.get(f"/api/v1/imports/{batch['id']}/csv-settings").get_json()["settings"]
    assert api.put(f"/api/v1/imports/{batch['id']}/csv-settings", json=settings).status_code == 200
    assert api.get(f"/api/v1/imports/{batch['id']}/preview").status_code == 200
    first = ids_of(api.db, api.user_id)[Transaction][0]
    receipt = api.upload(f"/api/v1/transactions/{first}/receipts", tiny_png(), "ada-receipt.png")
    assert receipt.status_code == 201, receipt.get_json()
    return ids_of(api.db, api.user_id)


def ids_of(db, user_id: int) -> dict[type, list[int]]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return {
            model: list(
                session.scalars(select(model.id).where(model.user_id == user_id).order_by(model.id))
            )
            for model in OWNED
        }


def snapshot(db, user_id: int) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row of this user's, every column: to prove that nothing of theirs changed."""
    with db.session() as session:
        state = {}
        for model in (User, ApiToken, CsvMapping, *OWNED):
            owner = model.id if model is User else model.user_id
            columns = [c for c in model.__table__.columns if c.name != "last_used_at"]
            key = model.__table__.primary_key.columns
            state[model.__tablename__] = [
                tuple(row)
                for row in session.execute(select(*columns).where(owner == user_id).order_by(*key))
            ]
        mine = select(Transaction.id).where(Transaction.user_id == user_id)
        state["transaction_tags"] = sorted(
            session.execute(
                select(transaction_tags).where(transaction_tags.c.transaction_id.in_(mine))
            ).all()
        )
        return state


def sample(name: str, schema: dict, ids: dict[type, list[int]]) -> object:
    """A plausible value for a body field; ids come from `ids` (someone's ids per table)."""
    if name in ID_PARAMETERS:
        return ids[ID_PARAMETERS[name]][0]
    if "enum" in schema:
        return schema["enum"][0]
    if "example" in schema:
        return schema["example"]
    kind = schema.get("type")
    if schema.get("format") == "date":
        return "2026-01-05"
    if schema.get("format") == "decimal":
        return "1.00"
    if schema.get("format") == "binary":
        return (io.BytesIO(tiny_png()), "bob.png")
    return {"string": f"Bob's {name}", "boolean": False, "array": [], "integer": 1}[kind]


def body_for(operation: dict, spec: dict, ids: dict[type, list[int]]) -> dict:
    """The request's body as keyword arguments of the test client: JSON, a multipart upload
    (a fresh file every call: a stream is read once), or none."""
    if "requestBody" not in operation:
        return {}
    (media_type, content), *_ = operation["requestBody"]["content"].items()
    schema = resolve(spec, content["schema"])
    body = {name: sample(name, field, ids) for name, field in schema["properties"].items()}
    if media_type == "multipart/form-data":
        return {"data": body, "content_type": media_type}
    return {"json": body}


def names_ids(body: dict) -> bool:
    return any(name in ID_PARAMETERS for name in body.get("json") or body.get("data") or {})


def fill_fixed(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    return path


def assert_nothing_of_ada(response, where: str) -> None:  # type: ignore[no-untyped-def]
    text = response.get_data(as_text=True)
    for secret in SECRETS:
        assert secret not in text, f"{where} shows Ada's {secret!r}"


@pytest.fixture
def walk(api, other_api, ada, spec, db):
    """Call one operation as Bob with Ada's ids; check the answer and that Ada's data held."""
    bob = other_api
    bob.account("Bob's own account")
    bob_ids = ids_of(db, bob.user_id)

    def call(path: str, method: str, operation: dict) -> list:  # type: ignore[type-arg]
        responses = []
        names = [n for n in re.findall(r"\{(\w+)\}", path) if n not in PATH_VALUES]
        path = fill_fixed(path)
        if names:
            unknown = [n for n in names if n not in ID_PARAMETERS]
            assert not unknown, f"teach this test which table {unknown} point into"
            for index in range(max(len(ada[ID_PARAMETERS[n]]) for n in names)):
                url = path
                for n in names:
                    ada_ids = ada[ID_PARAMETERS[n]]
                    url = url.replace("{" + n + "}", str(ada_ids[index % len(ada_ids)]))
                # Bob's own ids in the body: only the foreign id in the URL can cause the 404.
                body = body_for(operation, spec, bob_ids)
                response = bob.request(method.upper(), url, **body)
                assert response.status_code == 404, (
                    f"{method.upper()} {url} as Bob: {response.status_code}"
                )
                responses.append((url, response))
        else:
            body = body_for(operation, spec, ada)
            response = bob.request(method.upper(), path, **body)
            if names_ids(body):
                assert response.status_code == 422, (
                    f"{method.upper()} {path} with Ada's ids: {response.get_json()}"
                )
            responses.append((path, response))
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] in ID_PARAMETERS:
                    ada_id = ada[ID_PARAMETERS[parameter["name"]]][0]
                    url = f"{path}?{parameter['name']}={ada_id}"
                    response = bob.request(method.upper(), url)
                    assert response.status_code == 422, f"GET {url} as Bob: {response.status_code}"
                    responses.append((url, response))
        for url, response in responses:
            assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
            assert_nothing_of_ada(response, f"{method.upper()} {url}")
            assert_matches_spec(spec, operation, response)
        return responses

    return call


def test_bob_can_neither_see_nor_touch_anything_of_ada_s(api, ada, spec, db, walk):
    before = snapshot(db, api.user_id)
    walked = [
        (path, method)
        for path, method, operation in operations(spec)
        if walk(path, method, operation)
    ]
    assert len(walked) == len(list(operations(spec))) > 20
    assert snapshot(db, api.user_id) == before


def test_ada_s_own_answers_match_the_spec(api, ada, spec):
    """The same walk as Ada over her own data: every read answers in its documented shape."""
    for path, method, operation in operations(spec):
        if method != "get":
            continue
        names = [n for n in re.findall(r"\{(\w+)\}", path) if n not in PATH_VALUES]
        path = fill_fixed(path)
        for ada_id in ada[ID_PARAMETERS[names[0]]] if names else [None]:
            url = path.replace("{" + names[0] + "}", str(ada_id)) if names else path
            response = api.get(url)
            if names and ID_PARAMETERS[names[0]] is Transaction and response.status_code == 404:
                continue  # a split line is part of its transaction, not one of its own
            assert response.status_code == 200, (url, response.get_json())
            assert_matches_spec(spec, operation, response)
