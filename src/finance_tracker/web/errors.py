"""Friendly error pages; a database outage is a 503, never a 500."""

from __future__ import annotations

import logging

from flask import Flask, abort, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import Conflict as PageConflict
from werkzeug.exceptions import HTTPException, SecurityError, ServiceUnavailable

from finance_tracker.domain.text import N_
from finance_tracker.web.i18n import localize

log = logging.getLogger(__name__)
DATABASE_DOWN = N_("The database is unavailable; try again in a moment.")
CHANGED_MEANWHILE = N_(
    "Something this change refers to was changed at the same moment; nothing was saved. "
    "Reload and try again."
)
NUL_IN_FORM = N_("The form contained a NUL character, which cannot be stored.")
# Werkzeug's own words for an error, as the reader's language says them; a page that gives its
# own description (a refused upload, a conflict) shows that one instead.
TITLES = {
    400: _l("Bad request"),
    403: _l("Forbidden"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Cannot be processed"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Unavailable for a moment"),
}
DESCRIPTIONS = {
    400: _l("The browser sent something this page cannot read."),
    403: _l("You may not open this page."),
    404: _l("There is nothing at this address: the link may be old, or mistyped."),
    405: _l("This page cannot be used that way."),
    409: _l("This clashes with what is stored now; nothing was changed."),
    413: _l("What was sent is larger than this server takes."),
    429: _l("Too many attempts in a short time: wait a little and try again."),
    500: _l("The server could not finish this request; nothing was changed. Try again later."),
    503: _l("The service is unavailable for a moment; try again shortly."),
}


def describe(error: HTTPException) -> tuple[str, str]:
    """The title and the sentence of an error page, in the reader's language."""
    code = error.code or 500
    title = str(TITLES.get(code, error.name))
    default = type(error).description
    if error.description and error.description != default:
        return title, localize(error.description)
    return title, str(DESCRIPTIONS.get(code, localize(error.description or "")))


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in {"/healthz", "/readyz", "/metrics"}


def install(app: Flask) -> None:
    app.jinja_env.globals["describe_error"] = describe

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
            abort(400, NUL_IN_FORM)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if _wants_json() or isinstance(error, SecurityError):
            # An untrusted Host has no URLs to build a page with: werkzeug's plain page.
            return error
        try:
            return render_template("errors/error.html", error=error), error.code
        except OperationalError as down:  # the page's navigation looks up the signed-in user
            return _database_down(down)

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
