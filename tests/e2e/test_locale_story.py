"""Two people, one whose browser speaks English (en-US) and one whose browser speaks German
(de-DE), enter the same month in the browser, list it and download it: each types and reads
amounts and dates their own way, in their own language, and the machine-format CSV of both is
the same file. Bad input (the other locale's number, a date that does not exist in theirs) is a
field error naming the format expected, and nothing is saved.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect

from finance_tracker import create_app
from finance_tracker.settings import load_settings
from tests.conftest import SECRET

pytestmark = pytest.mark.e2e
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The live app of this module, open to sign-up: both people register in the browser."""
    data_dir = tmp_path_factory.mktemp("locales")
    app = create_app(load_settings(
        database_url=f"sqlite:///{data_dir / 'live.db'}", data_dir=data_dir, secret_key=SECRET,
        auto_migrate=True, log_level="WARNING", registration="open",
    ))  # fmt: skip
    yield app
    app.extensions["finance_tracker"].database.dispose()


@dataclass(frozen=True)
class Person:
    """How one person writes and reads, in the words of their pages."""

    browser: str  # what the browser sends as Accept-Language
    locale: str  # what sign-up proposes for it
    email: str
    opening: str  # 1000.50, typed their way
    big_amount: str  # 1234.56, with the grouping separator
    wrong_amount: str  # 1234.56 in the other locale's format: refused
    amount_error: str
    day: str  # 7 March 2026, typed their way
    missing_day: str  # a date that does not exist in their order
    date_error: str
    listed_day: str
    listed_big: str
    listed_small: str
    balance_after_both: str
    balance_after_first: str
    first_weekday: str  # the calendar's first column
    groceries: str  # the default category, named in their language
    words: dict[str, str]
    csv_header: str
    csv_rows: list[str]


ENGLISH = Person(
    browser="en-US", locale="en_US", email="ann@example.com", opening="1,000.50",
    big_amount="1,234.56", wrong_amount="1.234,56",
    amount_error="enter an amount like 1,234.56 (or 1234.56)",
    day="3/7/2026", missing_day="31/12/2026", date_error="enter a date like 12/31/2026",
    listed_day="Mar 7, 2026", listed_big="-€1,234.56", listed_small="-€42.50",
    balance_after_both="-€276.56", balance_after_first="-€234.06", first_weekday="Sun",
    groceries="Food › Groceries",
    words={"create": "Create account", "new_account": "Create account", "add": "Add transaction",
           "another": "Add and start another", "calendar": "Choose a date",
           "history": "Category as last time, on Mar 7, 2026.", "count": "2 transactions",
           "download": "Download CSV", "mine": "In your format", "machine": "Machine format",
           "saved": "Transaction added.", "heading": "Transactions"},
    csv_header="Date,Account,Kind,Amount,Currency,Payee,Memo,Category,Tags,Transfer account,"
               "Transfer amount,Split of",
    csv_rows=["3/7/2026,Giro,Expense,-42.50,EUR,Lidl,,Food › Groceries,,,,",
              "3/7/2026,Giro,Expense,-1234.56,EUR,Lidl,,Food › Groceries,,,,"],
)  # fmt: skip
GERMAN = Person(
    browser="de-DE", locale="de_DE", email="bernd@example.com", opening="1.000,50",
    big_amount="1.234,56", wrong_amount="1,234.56",
    amount_error="geben Sie einen Betrag wie 1.234,56 ein (oder 1234.56)",
    day="07.03.2026", missing_day="12.31.2026",
    date_error="geben Sie ein Datum wie 31.12.2026 ein",
    listed_day="07.03.2026", listed_big="-1.234,56\xa0€", listed_small="-42,50\xa0€",
    balance_after_both="-276,56\xa0€", balance_after_first="-234,06\xa0€", first_weekday="Mo",
    groceries="Essen › Lebensmittel",
    words={"create": "Konto anlegen", "new_account": "Konto anlegen", "add": "Buchung hinzufügen",
           "another": "Hinzufügen und nächste erfassen", "calendar": "Datum wählen",
           "history": "Kategorie wie beim letzten Mal, am 07.03.2026.", "count": "2 Buchungen",
           "download": "CSV herunterladen", "mine": "In Ihrem Format",
           "machine": "Maschinenformat", "saved": "Buchung hinzugefügt.",
           "heading": "Buchungen"},
    csv_header="Datum;Konto;Art;Betrag;Währung;Empfänger;Notiz;Kategorie;Schlagwörter;"
               "Gegenkonto;Betrag der Umbuchung;Aufteilung von",
    csv_rows=["07.03.2026;Giro;Ausgabe;-42,50;EUR;Lidl;;Essen › Lebensmittel;;;;",
              "07.03.2026;Giro;Ausgabe;-1234,56;EUR;Lidl;;Essen › Lebensmittel;;;;"],
)  # fmt: skip
# The machine format is the same whoever downloads it (the category is named in each person's
# language: it is their own data).
MACHINE_HEADER = (
    "date,account,kind,amount,currency,payee,memo,category,tags,transfer_account,"
    "transfer_amount,split_of"
)
MACHINE_ROWS = ["2026-03-07,Giro,expense,-42.50,EUR,Lidl,,{},,,,",
                "2026-03-07,Giro,expense,-1234.56,EUR,Lidl,,{},,,,"]  # fmt: skip


def download(page, menu: str, choice: str) -> list[str]:  # type: ignore[no-untyped-def]
    page.locator("summary", has_text=menu).click()
    with page.expect_download() as started:
        page.get_by_role("link", name=re.compile(re.escape(choice))).click()
    text = Path(started.value.path()).read_text(encoding="utf-8")
    return text.removeprefix("\ufeff").splitlines()


@pytest.mark.parametrize("person", [ENGLISH, GERMAN], ids=["en", "de"])
def test_a_month_entered_listed_and_downloaded_in_each_persons_format(
    chromium, live_server, person: Person
):  # type: ignore[no-untyped-def]
    context = chromium.new_context(base_url=live_server, locale=person.browser)
    page = context.new_page()
    page.set_default_timeout(10_000)
    words = person.words

    # Sign-up proposes the locale the browser asks for.
    page.goto("/register")
    assert page.locator("#locale").input_value() == person.locale
    page.locator("#email").fill(person.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#confirm").fill(PASSWORD)
    page.get_by_role("button", name=words["create"]).click()
    page.wait_for_url(re.compile(r"/accounts/new$"))

    page.locator("#name").fill("Giro")
    page.locator("#opening_balance").fill(person.opening)
    page.get_by_role("button", name=words["new_account"]).click()
    page.wait_for_url(re.compile(r"/accounts/\d+$"))
    account_url = page.url

    # The first expense, in their format with grouping; then "Add and start another".
    page.goto("/transactions/new")
    page.locator("#date").fill(person.day)
    page.locator("#amount").fill(person.big_amount)
    page.locator("#payee").fill("Lidl")
    page.locator("#category_id").select_option(label=person.groceries)
    page.get_by_role("button", name=words["another"]).click()
    page.wait_for_url(re.compile(r"/transactions/new\?"))
    expect(page.locator(".flash-success")).to_have_text(words["saved"])
    expect(page.locator("#date")).to_have_value(person.day)  # the same day, their way
    expect(page.locator("#account_id option:checked")).to_have_text("Giro (EUR)")

    # Typing "Li" offers Lidl from their history; choosing it fills in last time's category.
    page.locator("#payee").press_sequentially("Li")
    expect(page.locator("#payee-suggestions option[value='Lidl']")).to_have_count(1)
    page.locator("#payee").fill("Lidl")
    page.locator("#payee").press("Tab")
    expect(page.locator("#category_id option:checked")).to_have_text(person.groceries)
    expect(page.locator("[data-category-note]")).to_have_text(words["history"])

    # The other locale's amount, and a date that does not exist in their order: refused.
    page.locator("#amount").fill(person.wrong_amount)
    page.locator("#date").fill(person.missing_day)
    page.get_by_role("button", name=words["add"]).click()
    expect(page.locator("#amount-error")).to_have_text(person.amount_error)
    expect(page.locator("#date-error")).to_have_text(person.date_error)

    # The plain 42.50 is understood too; the day is picked in the calendar, whose week starts
    # where theirs does.
    page.locator("#amount").fill("42.50")
    page.locator("#date").fill(person.day)
    page.get_by_role("button", name=words["calendar"]).click()
    calendar = page.locator(".date-picker")
    expect(calendar).to_be_visible()
    assert calendar.locator("th").first.inner_text().startswith(person.first_weekday)
    calendar.locator("[data-date='2026-03-06']").click()
    expect(page.locator("#date")).to_have_value(person.day.replace("7", "6", 1))
    page.get_by_role("button", name=words["calendar"]).click()
    calendar.locator("[data-date='2026-03-07']").click()
    expect(page.locator("#date")).to_have_value(person.day)
    page.get_by_role("button", name=words["add"]).click()
    page.wait_for_url(re.compile(r"/transactions/$"))

    # Listed in their language and format.
    expect(page.locator("h1")).to_have_text(words["heading"])
    expect(page.locator(".result-count")).to_have_text(words["count"])
    dates = page.locator("table.transactions td.date time")
    expect(dates).to_have_text([person.listed_day, person.listed_day])
    amounts = page.locator("table.transactions td.amount")
    expect(amounts).to_have_text([person.listed_small, person.listed_big])

    # The account's list carries the balance after each transaction.
    page.goto(account_url)
    expect(page.locator("[data-running-balance]")).to_have_text(
        [person.balance_after_both, person.balance_after_first]
    )

    # Downloaded in their format, and in the machine format.
    page.goto("/transactions/")
    mine = download(page, words["download"], words["mine"])
    assert mine == [person.csv_header, *person.csv_rows]
    page.goto("/transactions/")
    machine = download(page, words["download"], words["machine"])
    rows = list(csv.reader(io.StringIO("\n".join(machine))))
    assert machine[0] == MACHINE_HEADER
    assert machine[1:] == [row.format(person.groceries) for row in MACHINE_ROWS]
    assert [r[3] for r in rows[1:]] == ["-42.50", "-1234.56"]  # never 42,50
    assert page.evaluate("window.getComputedStyle(document.body).direction") == "ltr"
    context.close()
