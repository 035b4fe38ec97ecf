"""A person imports their bank's CSV in a real browser: checks the columns with the live preview,
reads the counts, imports, and watches the progress reach done, on a laptop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, fits

pytestmark = pytest.mark.e2e

PAGE_TIMEOUT_MS = 15_000  # the import's job runs in the app's background thread


# A German bank's export: account details above the table, semicolons, day-first dates and
# decimal commas. All of it is recognised; the person only checks.
STATEMENT = """Kontonummer;DE12 3456 7890 1234 5678 90
Zeitraum;01.10.2026 - 31.10.2026

Buchungstag;Empfänger;Verwendungszweck;Betrag
01.10.2026;Hausverwaltung Schmidt;Miete Oktober;-1.150,00
03.10.2026;Bäckerei Müller;Kartenzahlung;-4,50
07.10.2026;Stadtwerke;Strom Abschlag;-62,00
12.10.2026;Supermarkt Nord;Kartenzahlung;-84,20
18.10.2026;Kino am Markt;Tickets;-23,00
25.10.2026;ACME GmbH;Gehalt Oktober;3.850,00
""".encode("cp1252")


def amounts(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(".sample-rows td.amount").all_inner_texts()


def test_a_bank_csv_is_checked_previewed_and_imported(page):  # type: ignore[no-untyped-def]
    page.goto("/register")
    page.get_by_label("Email").fill("lin@example.com")
    page.get_by_label("Password", exact=True).fill("a long enough password")
    page.get_by_label("Repeat password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/new$"))
    page.get_by_label("Name").fill("Girokonto")
    page.get_by_label("Opening balance").fill("500")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))

    page.get_by_role("link", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/imports/$"))
    assert page.get_by_label("Into account").input_value()  # the only account, chosen
    page.get_by_label("Bank file").set_input_files(
        files=[{"name": "Umsaetze_Oktober.csv", "mimeType": "text/csv", "buffer": STATEMENT}]
    )
    page.get_by_role("button", name="Upload and continue").click()
    page.wait_for_url(re.compile(r"/imports/\d+/mapping$"))

    # The guesses: columns by their names, the format from the rows.
    assert page.get_by_label("Separator").input_value() == "semicolon"
    assert page.get_by_label("Date format").input_value() == "%d.%m.%Y"
    assert page.get_by_label("Rows to skip at the top").input_value() == "3"
    assert page.get_by_label("Decimal comma (1.234,56)").is_checked()
    assert page.locator("#date option:checked").inner_text() == "1: Buchungstag"
    assert page.locator("#payee option:checked").inner_text() == "2: Empfänger"
    assert page.locator("#memo option:checked").inner_text() == "3: Verwendungszweck"
    assert page.locator("#amount option:checked").inner_text() == "4: Betrag"
    assert amounts(page)[0] == "-€1,150.00"
    assert page.locator(".sample-rows").get_by_text("Bäckerei Müller").is_visible()  # cp1252
    assert not page.get_by_role("button", name="Update preview").is_visible()  # JS does it live

    # The preview follows every change, without saving or reloading.
    page.get_by_label("Flip the signs").check()
    # expect() polls from Python: the strict CSP forbids the eval that wait_for_function needs
    expect(page.locator(".sample-rows td.amount").first).to_have_text("+€1,150.00")
    page.get_by_label("Flip the signs").uncheck()
    expect(page.locator(".sample-rows td.amount").first).to_have_text("-€1,150.00")
    page.get_by_label("Debit and credit columns").check()
    assert page.get_by_label("Debit (money out)").is_visible()
    assert not page.get_by_label("Amount", exact=True).is_visible()
    page.wait_for_selector("[data-live-preview] .form-errors")
    assert "choose an amount column" in page.locator("[data-live-preview]").inner_text()
    page.get_by_label("One amount column").check()
    page.wait_for_selector(".sample-rows")
    assert len(amounts(page)) == 6
    fits(page, "import-mapping")
    page.set_viewport_size(PHONE)
    fits(page, "import-mapping-phone")
    assert page.locator(".sample-rows").evaluate(
        "table => table.scrollWidth <= table.parentElement.clientWidth"
    )
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile(r"/imports/\d+/preview$"))
    assert page.locator("[data-count=new]").inner_text() == "6"
    assert page.locator("[data-count=duplicates]").inner_text() == "0"
    assert page.locator("[data-count=invalid]").inner_text() == "0"
    assert page.locator(".preview-rows tbody tr").count() == 6
    fits(page, "import-preview")
    page.set_viewport_size(PHONE)
    fits(page, "import-preview at 390px")
    wide = "table => table.scrollWidth <= table.parentElement.clientWidth"
    assert page.locator(".preview-rows").evaluate(wide)  # the amounts are not scrolled away
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name="Import 6 new transactions").click()
    page.wait_for_url(re.compile(r"/imports/\d+$"))
    page.get_by_role("heading", name="Import finished").wait_for()  # the page polls, then shows
    assert page.get_by_text("6 new transactions added").is_visible()
    assert page.locator("progress").evaluate("p => p.value === p.max")
    page.get_by_role("button", name="See the transactions in Girokonto").click()
    page.wait_for_url(re.compile(r"/transactions/\?account_id=\d+$"))
    assert page.locator("table.transactions tbody tr").count() == 6
    assert page.get_by_text("Hausverwaltung Schmidt").is_visible()

    # The same file again: nothing new, and the commit says so.
    page.goto("/imports/")
    page.get_by_label("Bank file").set_input_files(
        files=[{"name": "Umsaetze_Oktober.csv", "mimeType": "text/csv", "buffer": STATEMENT}]
    )
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile(r"/imports/\d+/preview$"))
    assert page.locator("[data-count=new]").inner_text() == "0"
    assert page.locator("[data-count=duplicates]").inner_text() == "6"

    assert page.problems == []
