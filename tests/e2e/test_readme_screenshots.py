"""The screenshots in docs/screenshots/ (the README shows them), of the realistic person's data
(tests/e2e/realistic.py): what a person sees on opening each page on a laptop or a phone, with
the long names and large sums the layout must take. Each page must fit before it is shot."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, SCREENSHOTS

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1280, "height": 1000}
# name, page, viewport, theme, whole page (or what shows on opening it: the dashboard and the
# transactions of a year are long)
SHOTS = [
    ("dashboard", "/", LAPTOP, "light", False),
    ("dashboard-dark", "/", LAPTOP, "dark", False),
    ("dashboard-phone", "/", PHONE, "light", False),
    ("transactions", "/transactions/", LAPTOP, "light", False),
    ("transactions-phone", "/transactions/", PHONE, "light", False),
    ("new-transaction", "/transactions/new", LAPTOP, "light", True),
    ("budgets", "/budgets/", LAPTOP, "light", True),
    ("budgets-phone", "/budgets/", PHONE, "light", False),
    ("reports", "/reports/spending-by-category", LAPTOP, "light", True),
    ("reports-phone", "/reports/spending-by-category", PHONE, "light", False),
    ("import-mapping", "/imports/{mapping}/mapping", LAPTOP, "light", True),
    ("import-mapping-phone", "/imports/{mapping}/mapping", PHONE, "light", False),
    ("import-preview", "/imports/{preview}/preview", LAPTOP, "light", True),
]
# The same person in German (issue 17): German words, 1.234,56 €, 31.12.2026, the week from Monday.
GERMAN_SHOTS = [
    ("de-dashboard", "/", LAPTOP, "light", False),
    ("de-transactions", "/transactions/", LAPTOP, "light", False),
    ("de-account", "/accounts/{account}", LAPTOP, "light", False),
    ("de-new-transaction", "/transactions/new", LAPTOP, "light", True),
    ("de-transactions-phone", "/transactions/", PHONE, "light", False),
]
# Shots a story takes in the middle of what it does (a choice made in an import's preview).
STORY_SHOTS = {
    "import-choices": "tests/e2e/test_bank_file_choices_story.py",
    "move-in": "tests/e2e/test_moving_in_story.py",
}


def test_the_readme_screenshots(chromium, live_server, world, signed_in, world_de, signed_in_de):  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shoot(chromium, live_server, SHOTS, signed_in, world.batches, "en-US")
    main_checking = {"account": world_de.ids["main"]}
    shoot(chromium, live_server, GERMAN_SHOTS, signed_in_de, main_checking, "de-DE")
    assert {path.stem for path in SCREENSHOTS.glob("*.png")} == {
        shot[0] for shot in SHOTS + GERMAN_SHOTS
    } | set(STORY_SHOTS)


def shoot(chromium, live_server, shots, signed_in, ids, locale) -> None:  # type: ignore[no-untyped-def]
    for name, url, viewport, theme, whole in shots:
        context = chromium.new_context(
            base_url=live_server, viewport=viewport, color_scheme=theme,
            reduced_motion="reduce", storage_state=signed_in, locale=locale,
        )  # fmt: skip
        page = context.new_page()
        page.goto(url.format(**ids))
        for canvas in page.locator("canvas[data-chart]").all():
            expect(canvas).to_have_attribute("data-drawn", "true")
        if "mapping" in url:
            expect(page.locator(".sample-rows")).to_be_visible()  # the live preview, loaded
        if name == "new-transaction":
            page.get_by_text("Split across categories").click()
        if name == "de-new-transaction":  # a payee offered from history, the calendar open
            page.locator("#payee").press_sequentially("Hyper")
            expect(page.locator("#payee-suggestions option")).not_to_have_count(0)
            page.get_by_role("button", name="Datum wählen").click()
            expect(page.locator(".date-picker")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: the page is {width}px wide"
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=whole)
        context.close()
