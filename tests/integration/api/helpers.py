"""Assertions the API tests share."""

from __future__ import annotations


def assert_problem(response, status: int, *fields: str) -> dict:  # type: ignore[no-untyped-def]
    """An RFC 9457 problem with this status, naming these fields in `errors`."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    for field in fields:
        assert field in body.get("errors", {}), body
    return body
