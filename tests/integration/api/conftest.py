"""An API client per user: a person who registered in the web app and created a token there."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from finance_tracker.services import tokens, users
from finance_tracker.store.models import User

PASSWORD = "correct horse battery"


def tiny_png() -> bytes:
    """A real 1×1 PNG: what a phone's photo of a receipt is, only smaller."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@dataclass
class ApiClient:
    """A test client that sends the user's bearer token with every request."""

    client: Any
    db: Any
    token: str
    user_id: int
    email: str

    def request(self, method: str, url: str, *, json: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, json=json, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.request("GET", url, **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.request("POST", url, json=json, **kwargs)

    def put(self, url: str, json: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.request("PUT", url, json=json, **kwargs)

    def patch(self, url: str, json: Any = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.request("PATCH", url, json=json, **kwargs)

    def delete(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.request("DELETE", url, **kwargs)

    # Shortcuts for arranging a scene; each asserts that the API accepted it.

    def create(self, url: str, body: dict) -> dict:
        response = self.post(url, json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def account(self, name: str, currency: str = "EUR", opening: str = "0") -> dict:
        return self.create(
            "/api/v1/accounts",
            {"name": name, "type": "checking", "currency": currency, "opening_balance": opening},
        )

    def category_id(self, full_name: str) -> int:
        """The id of one of the default categories, by "Parent › Child" or top-level name."""
        tree = self.get("/api/v1/categories?per_page=200").get_json()["items"]
        for top in tree:
            for category in [top, *top["children"]]:
                if category["full_name"] == full_name:
                    return category["id"]
        raise AssertionError(f"no category {full_name!r}")

    def transaction(self, **body: Any) -> dict:
        return self.create("/api/v1/transactions", body)

    def upload(self, url: str, content: bytes, filename: str, **fields: Any):  # type: ignore[no-untyped-def]
        """POST a multipart upload: `content` as the part "file", plus plain fields."""
        data = {name: str(value) for name, value in fields.items()}
        data["file"] = (io.BytesIO(content), filename)
        return self.request("POST", url, data=data, content_type="multipart/form-data")

    def start_import(self, account_id: int, content: bytes, filename: str = "bank.csv") -> dict:
        response = self.upload("/api/v1/imports", content, filename, account_id=account_id)
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def make_api_client(app, db):
    def make(email: str) -> ApiClient:
        with db.session() as session:
            user = users.register(session, email, PASSWORD)
            _, plaintext = tokens.create(session, user.id, "tests")
            user_id = user.id
        return ApiClient(app.test_client(), db, plaintext, user_id, email)

    return make


@pytest.fixture
def api(make_api_client) -> ApiClient:
    return make_api_client("ada@example.com")


@pytest.fixture
def other_api(make_api_client) -> ApiClient:
    return make_api_client("bob@example.com")


@pytest.fixture
def count_rows(db):
    """How many rows a table holds, optionally for one user: 'nothing written' made checkable."""

    def count(model: type, user_id: int | None = None) -> int:
        query = select(func.count()).select_from(model)
        if user_id is not None and model is not User:
            query = query.where(model.user_id == user_id)
        with db.session() as session:
            return session.scalar(query) or 0

    return count
