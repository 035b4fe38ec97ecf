"""RFC 9457 problem details: every API error has this one shape."""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, jsonify

PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    detail: str,
    *,
    errors: dict[str, object] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, object] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.content_type = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
