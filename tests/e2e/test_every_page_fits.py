"""Every page fits its width. A person with long names and large sums (tests/e2e/realistic.py)
opens every page of the app on a phone, a tablet, a laptop and two desktops, in the light and
the dark theme; nothing may stick out of its card or the page, no text may be cut off, and a
table scrolls sideways only when it cannot be narrower, inside its own box, showing that it
does (tests/e2e/fits.js says exactly what is checked).

The pages come from the app's URL map, so a new page is visited without anyone adding it here:
a GET route that is neither visited nor listed below as no page, with the reason, fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e import realistic

pytestmark = pytest.mark.e2e

WIDTHS = (390, 768, 1024, 1280, 1920)
THEMES = ("light", "dark")
FITS = Path(__file__).with_name("fits.js").read_text()

NOT_PAGES = {
    "static": "the app's CSS, scripts and images",
    "ops.healthz": "for the orchestrator, plain text",
    "ops.readyz": "for the orchestrator, plain text",
    "ops.metrics_endpoint": "for Prometheus, plain text",
    "imports.sample": "the part of the mapping page its live preview replaces; seen there",
    "imports.status": "JSON the import's page polls",
    "settings.backup": "a JSON download",
    "transactions.export_csv": "a CSV download",
    "transactions.receipt": "the receipt's own file, as uploaded",
    "transactions.payee_suggestions": "JSON the transaction form asks for while a payee is typed",
    "transactions.category_suggestion": "JSON the transaction form asks for once a payee is chosen",
    "auth.second_factor": "only between the password and the code of someone with 2FA on",
    "signup.finish": "only from the signed link of an email",
    "passwords.reset": "only from the signed link of an email",
}
# Seen before logging in; logged in, they send the person on.
VISITOR_PAGES = ("auth.login", "signup.register", "passwords.forgot")
# Tables wide by nature: they may scroll sideways inside their own box, never the page, where
# they cannot be narrower, and then must show it. Any other table fits its card.
WIDE_TABLES = {
    "raw-rows": "a bank file's own columns, as many as it has, each on one line",
    "report-table": "a report's amounts side by side, to compare them (on a phone)",
}
# Pages that draw themselves after loading, and what shows that they have.
DRAWN = {"api_docs_page.api_docs": "#swagger-ui .information-container"}
# Swagger UI's page has no dark theme to look at.
LIGHT_ONLY = ("api_docs_page.api_docs",)


def page_routes(app):  # type: ignore[no-untyped-def]
    """Every GET route but the JSON API, by endpoint."""
    return {
        rule.endpoint: rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.rule.startswith("/api/v1/")
    }


def pages(app, world: realistic.World) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Endpoint (or a name for a second look at one) to the URL of a real object's page."""
    batch_of = {f"imports.{stage}": world.batches[stage] for stage in ("mapping", "preview")}
    batch_of["imports.detail"] = world.batches["done"]
    adapter = app.url_map.bind("localhost")
    urls = {}
    for endpoint, rule in page_routes(app).items():
        if endpoint in NOT_PAGES:
            continue
        values = {name: world.ids[name] for name in rule.arguments if name != "batch_id"}
        if "batch_id" in rule.arguments:
            values["batch_id"] = batch_of[endpoint]
        urls[endpoint] = adapter.build(endpoint, values)
    # A split and a drilled-down report look different from the pages above.
    urls["a split transaction"] = f"/transactions/{world.split_id}/edit"
    urls["a category's subcategories"] = (
        f"/reports/spending-by-category?parent_id={world.parent_id}"
    )
    return urls


def test_every_page_route_is_visited_or_said_to_be_no_page(live_app, world):
    routes = page_routes(live_app)
    assert set(NOT_PAGES) <= set(routes), "a route listed as no page is gone"
    assert all(reason.strip() for reason in NOT_PAGES.values())
    unseen = set(routes) - set(NOT_PAGES) - set(pages(live_app, world))
    assert not unseen, f"GET routes neither visited nor said to be no page: {sorted(unseen)}"


def look(page, theme: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The page's problems in a theme, switched as its toggle does (charts.js redraws)."""
    page.evaluate("theme => document.documentElement.setAttribute('data-theme', theme)", theme)
    return [f"({theme}) {problem}" for problem in page.evaluate(FITS, list(WIDE_TABLES))]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits(chromium, live_server, live_app, world, signed_in, width):  # type: ignore[no-untyped-def]
    walk(chromium, live_server, pages(live_app, world), signed_in, width, THEMES, "en-US")


# Not 1920: Pico's container there is wider than at 1280 (1450 px against 1200), so a German
# page that fits at 1280 fits at 1920; the walk costs 12 s of CI a width.
@pytest.mark.parametrize("width", WIDTHS[:-1])
def test_every_page_fits_in_german(chromium, live_server, live_app, world_de, signed_in_de, width):  # type: ignore[no-untyped-def]
    """German words are long (Wiederherstellungscode, Kontoauszüge): the same walk in de_DE, in
    the light theme (the dark one lays out alike, and the walk stays fast)."""
    urls = pages(live_app, world_de)
    walk(chromium, live_server, urls, signed_in_de, width, THEMES[:1], "de-DE")


def walk(chromium, live_server, urls, signed_in, width, themes, locale) -> None:  # type: ignore[no-untyped-def]
    """Every page, first as a visitor then signed in, in each theme: none may spill."""
    problems: list[str] = []
    errors: list[str] = []  # of the page's console: a CSP refusal shows there
    for state in (None, signed_in):
        context = chromium.new_context(
            base_url=live_server, viewport={"width": width, "height": 900},
            reduced_motion="reduce", storage_state=state, locale=locale,
        )  # fmt: skip
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        for endpoint, url in urls.items():
            if (endpoint in VISITOR_PAGES) != (state is None):
                continue
            response = page.goto(url)
            if endpoint in DRAWN:
                page.wait_for_selector(DRAWN[endpoint])
            found = [] if response.ok else [f"answered {response.status}"]
            for theme in themes if endpoint not in LIGHT_ONLY else THEMES[:1]:
                found += look(page, theme)
            problems += [f"{url}: {problem}" for problem in found + errors]
            errors.clear()
        context.close()
    assert not problems, f"at {width}px:\n" + "\n".join(problems[:60])
