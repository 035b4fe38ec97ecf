"""Personal API tokens: `Authorization: Bearer <token>`, nothing else (no session cookies)."""

from __future__ import annotations

from flask import Response, current_app, g, request

from finance_tracker.api.problems import problem
from finance_tracker.api.session import SAFE_METHODS, begin_for_request, end_unused, unit_of_work
from finance_tracker.services import tokens

CARRY_ON_MAX_BODY = 64 * 1024


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
    found = _find(token)
    user_id, scope = (found.user_id, found.scope) if found else (None, None)
    if found is not None and tokens.needs_touch(found):  # about once a minute, in a short
        token_id = found.id  # unit of work of its own
        end_unused()
        with unit_of_work(readonly=False) as touching:
            tokens.touch(touching, token_id)
    if user_id is None:
        return _unauthorized(
            "This API token is unknown, expired or has been revoked.",
            'Bearer realm="finance-tracker", error="invalid_token"',
        )
    g.user_id = user_id  # the access log records who made the request
    g.token_scope = scope
    if scope == tokens.READ and request.method not in SAFE_METHODS:
        end_unused()
        return problem(
            403,
            "This API token may only read. Create a read-write token to make changes.",
            headers={
                "WWW-Authenticate": 'Bearer realm="finance-tracker", error="insufficient_scope", '
                'scope="read-write"'
            },
        )
    return None


def _find(token: str) -> tokens.ApiToken | None:
    """The live token, looked up in the unit of work the view then carries on — unless the
    body may take long to arrive (an upload), or this is a write on SQLite, whose write lock
    must not wait for a body: then in a short read of its own."""
    small = (request.content_length or 0) <= CARRY_ON_MAX_BODY and not request.headers.get(
        "Transfer-Encoding"
    )
    sqlite_write = (
        current_app.extensions["finance_tracker"].database.is_sqlite
        and request.method not in SAFE_METHODS
    )
    if small and not sqlite_write:
        found = tokens.find(begin_for_request(), token)
        if found is None:
            end_unused()
        return found
    with unit_of_work(readonly=True) as session:
        return tokens.find(session, token)


def current_user_id() -> int:
    return int(g.user_id)
