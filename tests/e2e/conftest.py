"""A real app on a free port with a temporary SQLite database, and Debian's chromium to drive it.

Playwright cannot download its own browsers here, so it launches the system chromium. Without
one the browser tests skip with the reason, except under CI=true where they fail instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from finance_tracker import create_app
from finance_tracker.settings import load_settings
from tests.conftest import SECRET, unavailable
from tests.e2e import realistic

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def fits(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """The page does not scroll sideways (test_every_page_fits.py looks closer, at every page)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
    )
    assert width <= page.viewport_size["width"], f"{name}: the page is {width}px wide: {wide}"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app behind `live_server`, for a test that writes its data through the services."""
    data_dir = tmp_path_factory.mktemp("live")
    settings = load_settings(
        database_url=f"sqlite:///{data_dir / 'live.db'}",
        data_dir=data_dir,
        secret_key=SECRET,
        auto_migrate=True,
        log_level="WARNING",
    )
    app = create_app(settings)
    yield app
    app.extensions["finance_tracker"].database.dispose()


@pytest.fixture(scope="module")
def live_server(live_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        unavailable(f"no chromium at {CHROMIUM}: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server, request):  # type: ignore[no-untyped-def]
    """A desktop-sized light page whose console errors end up in `page.problems`; a test module
    may set PAGE_TIMEOUT_MS for slower stories."""
    context = chromium.new_context(
        base_url=live_server, viewport=DESKTOP, reduced_motion="reduce", color_scheme="light"
    )
    page = context.new_page()
    page.set_default_timeout(getattr(request.module, "PAGE_TIMEOUT_MS", 10_000))
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.problems = problems
    yield page
    context.close()


@pytest.fixture(scope="module")
def world(live_app: Flask) -> realistic.World:
    """The realistic person of tests/e2e/realistic.py, in this module's app."""
    return realistic.seed(live_app)


@pytest.fixture(scope="module")
def world_de(live_app: Flask) -> realistic.World:
    """The realistic person again, in German (de_DE), beside the English one."""
    return realistic.seed(live_app, locale="de_DE")


def log_in(chromium, live_server: str, email: str, locale: str = "en-US") -> dict:  # type: ignore[no-untyped-def]
    """The cookies of a person logged in once, for `new_context(storage_state=...)`."""
    context = chromium.new_context(base_url=live_server, viewport=DESKTOP, locale=locale)
    page = context.new_page()
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(realistic.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server}/")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="module")
def signed_in(chromium, live_server, world):  # type: ignore[no-untyped-def]
    """The cookies of the realistic person, logged in once: `new_context(storage_state=...)`."""
    return log_in(chromium, live_server, realistic.EMAIL)


@pytest.fixture(scope="module")
def signed_in_de(chromium, live_server, world_de):  # type: ignore[no-untyped-def]
    return log_in(chromium, live_server, realistic.EMAIL_DE, "de-DE")
