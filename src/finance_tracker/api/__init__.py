"""JSON API under /api/v1: a thin layer over `finance_tracker.services`, described by an
OpenAPI 3 spec at /api/v1/openapi.json and browsable at /api/docs."""

from __future__ import annotations

from flask import Flask

from finance_tracker import __version__
from finance_tracker.api.base import ProblemApi
from finance_tracker.api.schemas import Amount, Month, MonthConverter, month_parameter

SPEC_URL_PREFIX = "/api/v1"


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
        receipts,
        recurring,
        reports,
        rules,
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
                "problem details."
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api = ProblemApi(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "personal API token"}
    )
    api.register_field(Amount, "string", "decimal")
    api.register_field(Month, "string", None)
    app.url_map.converters["month"] = MonthConverter
    api.register_converter(MonthConverter, month_parameter)
    csrf = app.extensions.get("csrf")
    modules = (me, accounts, categories, tags, transactions, receipts, dashboard, budgets,
               recurring, rules, reports, imports, exports)  # fmt: skip
    for module in modules:
        api.register_blueprint(module.blp)
        if csrf is not None:  # token-authenticated: a browser's cookies prove nothing here
            csrf.exempt(module.blp)
    app.register_blueprint(docs.blueprint)
