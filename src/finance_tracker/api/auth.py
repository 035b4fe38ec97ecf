"""Personal API tokens: `Authorization: Bearer <token>`, nothing else (no session cookies)."""

from __future__ import annotations

from flask import Response, g, request

from finance_tracker.api.problems import problem
from finance_tracker.api.session import SAFE_METHODS, unit_of_work
from finance_tracker.services import tokens


def _unauthorized(detail: str, challenge: str) -> Response:
    return problem(401, detail, headers={"WWW-Authenticate": challenge})


def require_token() -> Response | None:
    """A before_request hook: the token's owner becomes `g.user_id`, or the request ends in 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _unauthorized(
            "Send a personal API token: Authorization: Bearer <token>. "
            "Create one under Settings in the web app.",
            'Bearer realm="finance-tracker"',
        )
    with unit_of_work(readonly=True) as session:
        found = tokens.find(session, token)
        user_id, scope = (found.user_id, found.scope) if found else (None, None)
        stale = found is not None and tokens.needs_touch(found)
    if found is not None and stale:
        with unit_of_work() as session:
            tokens.touch(session, found.id)
    if user_id is None:
        return _unauthorized(
            "This API token is unknown, expired or has been revoked.",
            'Bearer realm="finance-tracker", error="invalid_token"',
        )
    g.user_id = user_id  # the access log records who made the request
    g.token_scope = scope
    if scope == tokens.READ and request.method not in SAFE_METHODS:
        return problem(
            403,
            "This API token may only read. Create a read-write token to make changes.",
            headers={
                "WWW-Authenticate": 'Bearer realm="finance-tracker", error="insufficient_scope", '
                'scope="read-write"'
            },
        )
    return None


def current_user_id() -> int:
    return int(g.user_id)
