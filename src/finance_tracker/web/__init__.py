"""Web pages: one blueprint per feature, thin over `finance_tracker.services`."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from finance_tracker.domain.text import N_
from finance_tracker.web import auth, errors, helpers, security

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = N_("Please log in to see this page.")
login_manager.localize_callback = gettext  # flashed in the reader's language
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
login_manager.user_loader(helpers.load_user)


def register(app: Flask) -> None:
    from finance_tracker.web import (
        accounts,
        budgets,
        categories,
        dashboard,
        imports,
        language,
        passwords,
        rates,
        recurring,
        reports,
        rules,
        settings,
        signup,
        suggestions,  # noqa: F401 - adds routes to the transactions blueprint before it registers
        transactions,
    )

    csrf.init_app(app)
    security.install(app)
    login_manager.init_app(app)
    helpers.install(app)
    errors.install(app)
    for module in (auth, signup, passwords, dashboard, accounts, categories, transactions):
        app.register_blueprint(module.blueprint)
    for module in (imports, settings, rates, budgets, recurring, rules, reports, language):
        app.register_blueprint(module.blueprint)
