"""RFC 9457 problem details: every API error has this one shape."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    detail: str,
    *,
    errors: Mapping[str, object] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, object] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = dict(errors)
    response = jsonify(body)
    response.status_code = status
    response.content_type = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(messages: object, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as flat `field -> message`: {"splits.0.amount": "..."}."""
    if isinstance(messages, dict):
        flat: dict[str, str] = {}
        for key, value in messages.items():
            name = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            flat.update(field_errors(value, name))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "body": " ".join(messages)}
    if isinstance(messages, list):
        flat = {}
        for item in messages:
            flat.update(field_errors(item, prefix))
        return flat
    return {prefix or "body": str(messages)}


def from_http_exception(error: HTTPException) -> Response:
    """Any HTTP error raised under /api/ (routing, webargs, werkzeug limits) as a problem."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = None
    if "messages" in data:
        # webargs nests the messages under the location ("json", "query"); callers name fields.
        errors = {}
        for messages in data["messages"].values():
            errors.update(field_errors(messages))
    if status >= 500:
        detail = "Something went wrong on our side; it has been logged."
    elif errors:
        detail = "Some fields are invalid: see errors."
    else:
        detail = data.get("message") or error.description or HTTPStatus(status).phrase
    headers = {
        name: value
        for name, value in error.get_headers()
        if name in {"Allow", "WWW-Authenticate", "Retry-After"}
    }
    return problem(status, detail, errors=errors, headers=headers)
