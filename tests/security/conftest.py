"""Helpers for the security tests: an app with its own settings, and a signed-in browser."""

from __future__ import annotations

import pytest

from tests.conftest import Browser, _empty_all_tables

PASSWORD = "correct horse battery"


@pytest.fixture
def make_app(database_url, settings_for):  # type: ignore[no-untyped-def]
    """An app with some settings changed (rate limits, timeouts, Redis)."""
    made = []

    def make(**overrides: object):  # type: ignore[no-untyped-def]
        _empty_all_tables(database_url)
        application = __import__("finance_tracker").create_app(
            settings_for(database_url, **overrides)
        )
        application.config["TESTING"] = True
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["finance_tracker"].database.dispose()


def log_in(client, email: str, password: str = PASSWORD, next_url: str | None = None):  # type: ignore[no-untyped-def]
    browser = Browser(client)
    url = "/login" + (f"?next={next_url}" if next_url is not None else "")
    return browser.submit(url, {"email": email, "password": password})
