"""JSON API under /api/v1: a thin layer over `finance_tracker.services`, described by an
OpenAPI 3 spec at /api/v1/openapi.json and browsable at /api/docs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from apispec import APISpec
from flask import Flask

from finance_tracker import __version__
from finance_tracker.api.base import ProblemApi
from finance_tracker.api.schemas import Amount, Month, MonthConverter, month_parameter

SPEC_URL_PREFIX = "/api/v1"


class Api(ProblemApi):
    """Routes at once, paths in the spec when the spec is first read.

    flask-smorest documents every operation of a blueprint as it registers it (deep copies of
    each view's doc, schemas resolved to components): ~0.1 s of start-up that no request but
    /api/v1/openapi.json needs. Here a blueprint's routes, error handlers and tag are registered
    as usual; its paths are added, in the same order, the first time anything reads `spec`.
    The spec served is the same, byte for byte (tests/unit/test_startup.py).
    """

    def __init__(self, app: Flask) -> None:
        self._documenting: list[Callable[[], None]] = []
        self._registering = False
        self._lock = threading.RLock()
        self._flushing = False
        super().__init__(app)

    @property  # type: ignore[override]
    def spec(self) -> APISpec:
        if self._documenting and not self._registering:
            self._document_pending()
        return self._spec

    @spec.setter
    def spec(self, value: APISpec) -> None:
        self._spec = value

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        def later(api: Any, app: Flask, spec: APISpec, **kwargs: Any) -> None:
            document = type(blp).register_views_in_doc
            self._documenting.append(partial(document, blp, api, app, spec, **kwargs))

        blp.register_views_in_doc = later  # this call only: the instance attribute goes below
        self._registering = True
        try:
            super().register_blueprint(blp, parameters=parameters, **options)
        finally:
            self._registering = False
            del blp.register_views_in_doc

    def _document_pending(self) -> None:
        with self._lock:  # another thread waits here until the spec is whole
            if self._flushing:  # read again while documenting: the spec as it is so far
                return
            self._flushing = True
            try:
                while self._documenting:
                    self._documenting.pop(0)()
            finally:
                self._flushing = False


def register(app: Flask) -> None:
    """Install the API. Runs after `web.register`: see `ProblemApi._register_error_handlers`."""
    from finance_tracker.api import (
        accounts,
        budgets,
        categories,
        dashboard,
        docs,
        exports,
        imports,
        me,
        rates,
        receipts,
        recurring,
        reports,
        rules,
        suggestions,
        tags,
        transactions,
    )

    app.config.update(
        API_TITLE="Finance Tracker API",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=SPEC_URL_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        # No OPENAPI_SWAGGER_UI_PATH: flask-smorest's own UI loads from a CDN; /api/docs
        # serves the vendored copy instead.
        API_SPEC_OPTIONS={
            "info": {
                "description": "Authenticate with a personal API token (Settings in the web "
                "app): `Authorization: Bearer <token>`. Money is a decimal string plus its "
                "currency, with the same amount in minor units beside it; errors are RFC 9457 "
                "problem details, in English.\n\n"
                "**Machine formats, whatever the locale.** A person's locale (`GET /api/v1/me`) "
                "changes how the web pages write and read amounts and dates, never the API: "
                'amounts are decimal strings with a point and no grouping (`"42.50"`, '
                '`"-1234.56"`; a JSON number is read exactly too), dates are ISO 8601 '
                '(`"2026-12-31"`), months `"2026-12"`, timestamps ISO 8601 in UTC. '
                '`"42,50"` or `"1.234,56"` is refused with a 422, whoever sends it.'
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api = Api(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "personal API token"}
    )
    api.register_field(Amount, "string", "decimal")  # "42.50": never the person's 42,50
    api.register_field(Month, "string", None)
    app.url_map.converters["month"] = MonthConverter
    api.register_converter(MonthConverter, month_parameter)
    csrf = app.extensions.get("csrf")
    modules = (me, accounts, categories, tags, transactions, receipts, dashboard, budgets,
               recurring, rules, reports, rates, imports, exports, suggestions)  # fmt: skip
    for module in modules:
        api.register_blueprint(module.blp)
        if csrf is not None:  # token-authenticated: a browser's cookies prove nothing here
            csrf.exempt(module.blp)
    app.register_blueprint(docs.blueprint)
