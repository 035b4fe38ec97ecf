"""Friendly error pages; a database outage is a 503, never a 500."""

from __future__ import annotations

import logging

from flask import Flask, abort, g, render_template, request
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import Conflict as PageConflict
from werkzeug.exceptions import HTTPException, SecurityError, ServiceUnavailable

log = logging.getLogger(__name__)
DATABASE_DOWN = "The database is unavailable; try again in a moment."
CHANGED_MEANWHILE = (
    "Something this change refers to was changed at the same moment; nothing was saved. "
    "Reload and try again."
)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in {"/healthz", "/readyz", "/metrics"}


def install(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_characters() -> None:
        # PostgreSQL cannot store NUL in text and SQLite would keep it silently: refuse it at
        # the door, for every form and query string (the API answers its own 422).
        if request.path.startswith("/api/"):
            return
        values = [*request.args.values()]
        if request.method == "POST":
            values += request.form.values()
        if any("\x00" in value for value in values):
            abort(400, "The form contained a NUL character, which cannot be stored.")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if _wants_json() or isinstance(error, SecurityError):
            # An untrusted Host has no URLs to build a page with: werkzeug's plain page.
            return error
        return render_template("errors/error.html", error=error), error.code

    @app.errorhandler(IntegrityError)
    def _changed_meanwhile(error: IntegrityError):  # type: ignore[no-untyped-def]
        """A safety net: what two requests wrote at once, that no service turned into its own
        answer (a row referred to was deleted meanwhile, say). The request changed nothing."""
        log.warning("write refused by a constraint", extra={"error": type(error.orig).__name__})
        if _wants_json():
            from finance_tracker.api.problems import problem

            return problem(409, CHANGED_MEANWHILE)
        page = render_template("errors/error.html", error=PageConflict(CHANGED_MEANWHILE))
        return page, 409

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError):  # type: ignore[no-untyped-def]
        log.warning("database unavailable", extra={"error": type(error.orig).__name__})
        if _wants_json():
            from finance_tracker.api.problems import problem

            return problem(503, DATABASE_DOWN, headers={"Retry-After": "5"})
        # Rendering must not look up the signed-in user again: that needs the database.
        g._login_user = AnonymousUserMixin()
        page = render_template("errors/error.html", error=ServiceUnavailable(DATABASE_DOWN))
        return page, 503, {"Retry-After": "5"}
