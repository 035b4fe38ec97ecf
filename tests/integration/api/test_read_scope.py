"""A read-only token reads and never writes: every write operation in the spec documents the 403
it answers, and answers exactly that, with nothing written. The walk reads the app's own spec, so
a new write operation cannot escape it."""

from __future__ import annotations

import io

import pytest

from finance_tracker.services import tokens

from .conftest import ApiClient, tiny_png
from .helpers import assert_problem
from .spec import WRITE_METHODS, assert_matches_spec, fill_path, operations


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def reader(api, db) -> ApiClient:
    """Ada's read-only token, beside the read-write one she arranged her ledger with."""
    with db.session() as session:
        _, plaintext = tokens.create(session, api.user_id, "dashboard", scope=tokens.READ)
    return ApiClient(api.client, db, plaintext, api.user_id, api.email)


@pytest.fixture
def ledger(api) -> dict[str, int]:
    """Ids of Ada's own things, for the paths: a write to them would succeed with her other
    token, so only the scope stands in the way."""
    account = api.account("Checking", opening="100.00")
    groceries = api.category_id("Food › Groceries")
    api.create("/api/v1/tags", {"name": "weekly"})
    transaction = api.transaction(
        kind="expense", account_id=account["id"], date="2026-01-05", amount="12.30",
        payee="Market", category_id=groceries, tags=["weekly"],
    )  # fmt: skip
    tag = api.get("/api/v1/tags").get_json()["items"][0]
    return {
        "account_id": account["id"],
        "category_id": groceries,
        "tag_id": tag["id"],
        "transaction_id": transaction["id"],
        "month": "2026-01",
    }


def writes(spec: dict) -> list[tuple[str, str, dict]]:
    found = [(p, m, o) for p, m, o in operations(spec) if m in WRITE_METHODS]
    assert len(found) > 20
    return found


def body_for(operation: dict) -> dict:
    """A body of the operation's own media type, so the refusal cannot be about the body."""
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        upload = {"file": (io.BytesIO(tiny_png()), "receipt.png")}
        return {"data": upload, "content_type": "multipart/form-data"}
    if "application/json" in content:
        return {"json": {"name": "written with a read-only token"}}
    return {}


def test_every_write_operation_documents_the_403_of_a_read_only_token(spec):
    for path, method, operation in writes(spec):
        responses = operation["responses"]
        assert {"401", "403"} <= responses.keys(), f"{method.upper()} {path}"
        assert responses["403"] == {"$ref": "#/components/responses/FORBIDDEN"}
    forbidden = spec["components"]["responses"]["FORBIDDEN"]["content"]
    assert forbidden["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    reads = [o for _, m, o in operations(spec) if m not in WRITE_METHODS]
    assert reads and all("403" not in o["responses"] for o in reads)


def test_a_read_only_token_gets_the_documented_403_on_every_write(spec, reader, ledger):
    before = reader.get("/api/v1/backup")  # it does read: everything of Ada's
    assert before.status_code == 200
    for path, method, operation in writes(spec):
        url = fill_path(path, ledger)
        response = reader.request(method.upper(), url, **body_for(operation))
        where = f"{method.upper()} {url}"
        body = assert_problem(response, 403)
        assert body["detail"].startswith("This API token may only read."), where
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"], where
        assert_matches_spec(spec, operation, response)
    assert reader.get("/api/v1/backup").get_json() == before.get_json()


def test_every_write_without_a_token_gets_the_documented_401(spec, client, ledger):
    for path, method, operation in writes(spec):
        response = client.open(fill_path(path, ledger), method=method.upper())
        assert_problem(response, 401)
        assert_matches_spec(spec, operation, response)
