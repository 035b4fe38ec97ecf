"""Two signed-in people, Ada and Bob, each with their own browser."""

from __future__ import annotations

import pytest
from tests.integration.web.story import Person


@pytest.fixture
def ada(browser, db) -> Person:  # type: ignore[no-untyped-def]
    browser.register("ada@example.com")
    return Person(browser, db, "ada@example.com")


@pytest.fixture
def bob(other_browser, db) -> Person:  # type: ignore[no-untyped-def]
    other_browser.register("bob@example.com")
    return Person(other_browser, db, "bob@example.com")
