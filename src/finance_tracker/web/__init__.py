"""Web pages: one blueprint per feature, thin over `finance_tracker.services`."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from finance_tracker.web import auth, errors, helpers, security

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see this page."
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
        passwords,
        recurring,
        reports,
        rules,
        settings,
        signup,
        transactions,
    )

    csrf.init_app(app)
    security.install(app)
    login_manager.init_app(app)
    helpers.install(app)
    errors.install(app)
    for module in (auth, signup, passwords, dashboard, accounts, categories, transactions):
        app.register_blueprint(module.blueprint)
    for module in (imports, settings, budgets, recurring, rules, reports):
        app.register_blueprint(module.blueprint)
