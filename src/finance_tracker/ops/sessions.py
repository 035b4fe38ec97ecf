"""Login sessions in Redis, failing soft: what users see while Redis is down.

Without this, Flask-Session raises RedisError while opening the session of every request, so a
Redis outage turned every page, and even bearer-token API calls, into a 500. By design:

- web pages answer 503 "Sign-in is unavailable for a moment" (Retry-After: 5): the session that
  says who is signed in cannot be read, so nothing is served as anyone, and no form is accepted;
- the JSON API keeps working for bearer tokens (they live in PostgreSQL); a cookie-session API
  call is answered 401 like any signed-out call;
- /healthz, /metrics keep answering; /readyz reports Redis unreachable (503);
- once Redis is back, sessions it kept go on; if it lost them (no persistence), users are asked
  to sign in again. Nothing is written to a fallback store: that would sign users out anyway when
  Redis comes back.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from flask import Flask, Request, Response, g, render_template, request
from flask.sessions import SecureCookieSession, SessionInterface
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import ServiceUnavailable

from finance_tracker.domain.text import N_

log = logging.getLogger(__name__)
SESSIONS_DOWN = N_("Sign-in is unavailable for a moment; try again shortly.")
_OPEN_PATHS = ("/api/", "/healthz", "/readyz", "/metrics", "/static/")


class _Unavailable(SecureCookieSession):
    """An empty session that is never saved."""


class FailSoftSessions(SessionInterface):
    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:  # e.g. Flask-Session's regenerate()
        return getattr(self.inner, name)

    def open_session(self, app: Flask, request: Request) -> Any:
        try:
            return self.inner.open_session(app, request)
        except redis.RedisError as error:
            log.warning("session store unavailable", extra={"error": type(error).__name__})
            g.sessions_unavailable = True
            return _Unavailable()

    def make_null_session(self, app: Flask) -> Any:
        return self.inner.make_null_session(app)

    def is_null_session(self, obj: object) -> bool:
        return isinstance(obj, _Unavailable) or self.inner.is_null_session(obj)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if isinstance(session, _Unavailable):
            return
        try:
            self.inner.save_session(app, session, response)
        except redis.RedisError as error:
            # Redis went away during this request, or a first visit (no cookie, so nothing was
            # read) could not store its session: the page would carry a CSRF token or a sign-in
            # that no later request can find. Answer the same 503 page instead.
            log.warning("session not saved", extra={"error": type(error).__name__})
            if not request.path.startswith(_OPEN_PATHS):
                _make_unavailable(response)


def _make_unavailable(response: Response) -> None:
    g._login_user = AnonymousUserMixin()
    page = render_template("errors/error.html", error=ServiceUnavailable(SESSIONS_DOWN))
    response.set_data(page)
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers.pop("Location", None)
    response.headers.pop("Set-Cookie", None)


def fail_soft(app: Flask) -> None:
    app.session_interface = FailSoftSessions(app.session_interface)

    @app.before_request
    def _refuse_pages_without_sessions() -> None:
        if g.get("sessions_unavailable") and not request.path.startswith(_OPEN_PATHS):
            raise ServiceUnavailable(SESSIONS_DOWN, retry_after=5)

    @app.errorhandler(redis.RedisError)
    def _redis_down(error: redis.RedisError):  # type: ignore[no-untyped-def]
        """Redis went away in the middle of a request (signing in, a rate limit, a job)."""
        log.warning("redis unavailable", extra={"error": type(error).__name__})
        if request.path.startswith("/api/"):
            from finance_tracker.api.problems import problem

            return problem(503, "A backing service is unavailable; try again in a moment.",
                           headers={"Retry-After": "5"})  # fmt: skip
        g._login_user = AnonymousUserMixin()
        page = render_template("errors/error.html", error=ServiceUnavailable(SESSIONS_DOWN))
        return page, 503, {"Retry-After": "5"}
