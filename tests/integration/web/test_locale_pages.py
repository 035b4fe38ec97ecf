"""Issue 17: each person types and reads amounts and dates their own way, in their own language.

Jonas signs up from a German browser: his pages are German, his default categories too, and
every amount and date field takes 1.234,56 and 31.12.2026 (and the plain 1234.56 and 2026-12-31).
Ada, from an English one, keeps 1,234.56 and 12/31/2026. Each one's bad input (the other's
format, two decimal separators, a date that does not exist in their order) is a field error that
names the format expected, and nothing is saved.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select
from tests.conftest import Browser
from tests.integration.web.story import Person, form_errors

from finance_tracker.services import users
from finance_tracker.store.models import Account, Transaction, User

GERMAN_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}
PASSWORD = "correct horse battery"


@pytest.fixture
def jonas(app, db) -> Person:  # type: ignore[no-untyped-def]
    """Signed up from a German browser, taking the locale the form proposed."""
    client = app.test_client()
    client.environ_base.update(GERMAN_BROWSER)
    browser = Browser(client)
    page = browser.get("/register").get_data(as_text=True)
    assert re.search(r'<option selected value="de_DE">Deutsch \(Deutschland\)', page)
    response = browser.submit("/register", {
        "email": "jonas@example.com", "password": PASSWORD, "confirm": PASSWORD,
        "default_currency": "EUR", "locale": "de_DE",
    })  # fmt: skip
    assert response.status_code == 302, form_errors(response.get_data(as_text=True))
    return Person(browser, db, "jonas@example.com")


def count(db) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Transaction))


def test_a_german_person_reads_german_pages_and_german_formats(jonas, db):
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == "jonas@example.com"))
        assert (user.locale, user.language, users.language_for(user)) == ("de_DE", None, "de")
    giro = jonas.open_account("Girokonto", opening="1.000,50")  # typed the German way
    jonas.add_ok(account_id=giro, date="07.03.2026", amount="1.234,56", payee="Lidl",
                 category_id=jonas.category("Essen › Lebensmittel"))  # fmt: skip
    jonas.add_ok(account_id=giro, date="2026-03-08", amount="42.50", payee="Lidl")  # plain too

    listing = jonas.page("/transactions/")
    assert '<html lang="de" data-locale="de-DE"' in listing
    assert "<h1>Buchungen</h1>" in listing and "2 Buchungen" in listing
    assert ">07.03.2026</time>" in listing and ">08.03.2026</time>" in listing
    assert "-1.234,56\xa0€" in listing and "-42,50\xa0€" in listing
    assert "Essen › Lebensmittel" in listing and "Ohne Kategorie" in listing
    account = jonas.page(f"/accounts/{giro}")
    assert "-276,56\xa0€" in account  # the balance, and the last running balance
    assert re.findall(r"data-running-balance>.*?>([^<]+)<", account) == [
        "-276,56\xa0€", "-234,06\xa0€",
    ]  # fmt: skip

    # Forms show what is stored in the person's format.
    edit = jonas.page(f"/accounts/{giro}/edit")
    assert 'value="1.000,50"' in edit
    form = jonas.page("/transactions/new")
    assert 'placeholder="TT.MM.JJJJ"' in form and 'data-first-day="0"' in form
    assert 'placeholder="0,00"' in form


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": "1,234.56"}, "amount", "geben Sie einen Betrag wie 1.234,56 ein (oder 1234.56)"),
        ({"amount": "1,2,3"}, "amount", "geben Sie einen Betrag wie 1.234,56 ein (oder 1234.56)"),
        ({"amount": "12,3,4"}, "amount", "geben Sie einen Betrag wie 1.234,56 ein (oder 1234.56)"),
        ({"date": "12.31.2026"}, "date", "geben Sie ein Datum wie 31.12.2026 ein"),
        ({"date": "30.02.2026"}, "date", "geben Sie ein Datum wie 31.12.2026 ein"),
        ({"date": "2026-02-30"}, "date", "geben Sie ein Datum wie 31.12.2026 ein"),
        ({"amount": "42,505"}, "amount", "Beträge in EUR haben höchstens 2 Nachkommastellen"),
    ],
)  # fmt: skip
def test_a_german_mistake_is_explained_in_german_and_nothing_is_saved(jonas, db, fields, field, message):  # fmt: skip
    giro = jonas.open_account("Girokonto")
    response = jonas.add(**{"account_id": giro, "amount": "10,00", "date": "07.03.2026", **fields})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error" class="field-error">([^<]*)<', html)
    assert error and error.group(1) == message, form_errors(html)
    assert f'value="{fields[field]}"' in html  # what was typed is kept, to correct it
    assert count(db) == 0


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": "1.234,56"}, "amount", "enter an amount like 1,234.56 (or 1234.56)"),
        ({"amount": "1.2.3"}, "amount", "enter an amount like 1,234.56 (or 1234.56)"),
        ({"amount": "1,5"}, "amount", "enter an amount like 1,234.56 (or 1234.56)"),
        ({"date": "31/12/2026"}, "date", "enter a date like 12/31/2026"),
        ({"date": "2/30/2026"}, "date", "enter a date like 12/31/2026"),
    ],
)  # fmt: skip
def test_an_english_mistake_is_explained_and_nothing_is_saved(ada, db, fields, field, message):
    checking = ada.open_account("Checking")
    response = ada.add(**{"account_id": checking, "amount": "10", "date": "3/7/2026", **fields})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error" class="field-error">{re.escape(message)}<', html), (
        form_errors(html)
    )
    assert count(db) == 0


def test_english_formats_with_grouping_and_the_plain_form(ada, db):
    checking = ada.open_account("Checking", opening="1,000.50")
    ada.add_ok(account_id=checking, date="3/7/2026", amount="1,234.56", payee="Lidl")
    ada.add_ok(account_id=checking, date="2026-03-08", amount="42.50", payee="Lidl")
    with db.session() as session:
        rows = session.execute(select(Transaction.date, Transaction.amount_minor)
                               .order_by(Transaction.id)).all()  # fmt: skip
        opening = session.scalar(select(Account.opening_balance_minor))
    assert rows == [(dt.date(2026, 3, 7), -123456), (dt.date(2026, 3, 8), -4250)]
    assert opening == 100050
    listing = ada.page("/transactions/")
    assert ">Mar 7, 2026</time>" in listing and "-€1,234.56" in listing


def test_an_opening_balance_in_the_other_format_is_refused(jonas, db):
    response = jonas.browser.submit("/accounts/new", {
        "name": "Sparbuch", "type": "savings", "currency": "EUR", "opening_balance": "1,000.50",
    })  # fmt: skip
    assert response.status_code == 422
    assert "geben Sie einen Betrag wie 1.234,56 ein (oder 1234.56)" in form_errors(
        response.get_data(as_text=True)
    )
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0


def test_filters_read_amounts_and_dates_in_the_persons_format(jonas):
    giro = jonas.open_account("Girokonto")
    jonas.add_ok(account_id=giro, date="07.03.2026", amount="1.234,56", payee="Möbelhaus")
    jonas.add_ok(account_id=giro, date="20.03.2026", amount="9,99", payee="Kiosk")
    page = jonas.page("/transactions/?amount_min=1.000&date_from=01.03.2026&date_to=10.03.2026")
    assert "Möbelhaus" in page and "Kiosk" not in page
    assert 'value="01.03.2026"' in page  # shown back as typed
    refused = jonas.get("/transactions/?date_from=31.02.2026")
    assert refused.status_code == 422
    assert "geben Sie ein Datum wie 31.12.2026 ein" in form_errors(refused.get_data(as_text=True))


def test_a_transfer_between_currencies_and_a_split_take_the_persons_format(jonas, db):
    giro = jonas.open_account("Girokonto")
    dollars = jonas.open_account("Dollarkonto", currency="USD")
    jonas.add_ok(kind="transfer", account_id=giro, to_account_id=dollars, date="07.03.2026",
                 amount="1.000,00", to_amount="1.085,25", payee="Umtausch")  # fmt: skip
    jonas.add_ok(account_id=giro, date="07.03.2026", amount="100,00", payee="Markt", **{
        "splits-0-category_id": jonas.category("Essen › Lebensmittel"), "splits-0-amount": "60,50",
        "splits-1-category_id": jonas.category("Einkäufe › Haushalt"), "splits-1-amount": "39,50",
    })  # fmt: skip
    with db.session() as session:
        amounts = sorted(session.scalars(select(Transaction.amount_minor)))
    assert amounts == [-100000, -10000, -6050, -3950, 108525]


def test_settings_change_the_locale_and_the_language(jonas, db):
    settings = jonas.page("/settings/")
    assert "Sprache und Formate" in settings and "Ihre Wochen beginnen am Montag" in settings
    response = jonas.post("/settings/locale", {"locale": "en_GB", "language": "fr"})
    assert response.status_code == 302
    assert "Votre langue et vos formats sont enregistrés." in jonas.page("/settings/")
    giro = jonas.open_account("Current", opening="1,000.50")  # en_GB numbers now
    page = jonas.page(f"/accounts/{giro}")
    assert "Solde" in page and "€1,000.50" in page  # French words, British numbers

    refused = jonas.post("/settings/locale", {"locale": "xx_YY", "language": "klingon"})
    assert refused.status_code == 422
    errors = form_errors(refused.get_data(as_text=True))
    assert "choisissez l’un des formats proposés" in errors
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == "jonas@example.com"))
        assert (user.locale, user.language) == ("en_GB", "fr")  # unchanged by the refusal


def test_the_language_switch_works_before_and_after_logging_in(client, ada):
    visitor = Browser(client.application.test_client())
    assert "<h1>Log in</h1>" in visitor.get("/login").get_data(as_text=True)
    switched = visitor.submit("/login", {"language": "es"}, action="/language",
                              headers={"Referer": "http://localhost/login"})  # fmt: skip
    assert switched.status_code == 302 and switched.headers["Location"] == "/login"
    assert "<h1>Iniciar sesión</h1>" in visitor.get("/login").get_data(as_text=True)

    ada.post("/language", {"language": "de"}, form_url="/transactions/")
    assert "<h1>Buchungen</h1>" in ada.page("/transactions/")
    assert "€0.00" in ada.page("/accounts/") or "Noch keine Konten" in ada.page("/accounts/")
    ada.post("/language", {"language": "tlh"}, form_url="/transactions/")  # not offered
    assert "<h1>Buchungen</h1>" in ada.page("/transactions/")
    with client.application.extensions["finance_tracker"].database.session() as session:
        user = session.scalar(select(User).where(User.email == "ada@example.com"))
        assert (user.locale, user.language) == ("en_US", "de")


def test_messages_from_the_services_and_flashes_are_translated(jonas, db):
    giro = jonas.open_account("Girokonto")
    jonas.add_ok(account_id=giro, amount="5,00", date="07.03.2026", payee="Bäcker")
    page = jonas.page("/transactions/")
    assert "Buchung hinzugefügt." in page
    refused = jonas.post(f"/accounts/{giro}/delete", form_url=f"/accounts/{giro}/edit")
    assert refused.status_code == 302
    assert ("Nicht gelöscht: dieses Konto hat 1 Buchung: archivieren Sie es, statt es zu löschen."
            in jonas.page(f"/accounts/{giro}/edit"))  # fmt: skip
    assert "Nicht gefunden" in jonas.get("/accounts/999999").get_data(as_text=True)


def test_csv_downloads_in_the_machine_format_or_the_persons_own(jonas):
    giro = jonas.open_account("Girokonto")
    jonas.add_ok(account_id=giro, date="07.03.2026", amount="1.234,56", payee="Möbelhaus",
                 category_id=jonas.category("Einkäufe › Haushalt"))  # fmt: skip
    listing = jonas.page("/transactions/")
    assert "In Ihrem Format" in listing and "Maschinenformat" in listing

    machine = jonas.get("/transactions/export.csv").get_data(as_text=True)
    assert machine.splitlines()[1] == (
        "2026-03-07,Girokonto,expense,-1234.56,EUR,Möbelhaus,,Einkäufe › Haushalt,,,,"
    )
    own = jonas.get("/transactions/export.csv?dialect=locale").get_data(as_text=True)
    assert own.startswith("\ufeffDatum;Konto;Art;Betrag;Währung;Empfänger;Notiz;Kategorie;")
    rows = list(csv.reader(io.StringIO(own.removeprefix("\ufeff")), delimiter=";"))
    assert rows[1][:6] == ["07.03.2026", "Girokonto", "Ausgabe", "-1234,56", "EUR", "Möbelhaus"]

    report = jonas.get("/reports/income-vs-expense?date_from=2026-03-01&date_to=2026-03-31"
                       "&format=csv&dialect=locale").get_data(as_text=True)  # fmt: skip
    assert report.removeprefix("\ufeff").splitlines() == [
        "Währung;Monat;Einnahmen;Ausgaben;Saldo", "EUR;03/2026;0,00;1234,56;-1234,56",
    ]  # fmt: skip
    machine_report = jonas.get("/reports/income-vs-expense?date_from=2026-03-01"
                               "&date_to=2026-03-31&format=csv").get_data(as_text=True)  # fmt: skip
    assert machine_report.splitlines() == [
        "currency,month,income,expense,net", "EUR,2026-03,0.00,1234.56,-1234.56",
    ]  # fmt: skip


def test_stored_english_messages_are_shown_in_the_readers_language(app):
    """An import's report keeps its messages as English text (they outlive the request that
    made them); a page still shows them translated, recognising the template each came from."""
    from finance_tracker.web.i18n import localize

    stored = [
        "line 3: 'abc' is not a date like %d.%m.%Y",
        "2 invalid rows, nothing imported — line 3: the amount is zero; line 7: no such column",
        "this file is a zip archive, not a bank statement",
        "Groceries at the corner shop",  # not a message at all: left as it is
    ]
    with app.test_request_context(headers={"Accept-Language": "de-DE"}):
        assert [localize(text) for text in stored] == [
            "Zeile 3: 'abc' ist kein Datum im Format %d.%m.%Y",
            "2 ungültige Zeilen, nichts importiert – Zeile 3: der Betrag ist null; "
            "Zeile 7: diese Spalte gibt es nicht",
            "diese Datei ist ein ZIP-Archiv, kein Kontoauszug",
            "Groceries at the corner shop",
        ]


MOVEIN = __import__("pathlib").Path(__file__).parents[2] / "movein"


def test_moving_in_reads_in_german(jonas, db):
    """Moving in from another tracker (hledger here) in German: the preview's headings, the
    notes about what is not carried over, the report after the commit, and a refused journal's
    reason are all German; the journal's own names stay as they are."""
    from tests.integration.web.test_import_pages import batch_id_from, commit

    broken = jonas.upload(
        "/imports/", (MOVEIN / "ledger" / "does_not_balance.journal").read_bytes(),
        "broken.journal", form_url="/imports/", account_id="",
    )  # fmt: skip
    assert broken.status_code == 422
    assert form_errors(broken.get_data(as_text=True)) == [
        "Zeile 1: die Buchung geht nicht auf: 0.09 EUR bleiben übrig"  # the journal's notation
    ]
    firefly = batch_id_from(jonas.upload(
        "/imports/", (MOVEIN / "firefly" / "bad_date.csv").read_bytes(), "firefly.csv",
        form_url="/imports/", account_id="",
    ))  # fmt: skip
    assert "Journal 12: &#39;2026-02-30T00:00:00+01:00&#39; ist kein Datum" in jonas.page(
        f"/imports/{firefly}/preview"
    )

    response = jonas.upload(
        "/imports/", (MOVEIN / "ledger" / "household.journal").read_bytes(), "household.journal",
        form_url="/imports/", account_id="",
    )  # fmt: skip
    batch_id = batch_id_from(response)
    preview = jonas.page(f"/imports/{batch_id}/preview")
    assert "Umzug von" in preview and "hledger / ledger" in preview
    assert "Konten in dieser Datei" in preview
    assert "Periodische und automatische Buchungen (~, =) werden nicht übernommen (Zeile" in preview
    assert "$ wird als USD gelesen." in preview
    assert "Ein neues Konto „checking“ (EUR)" in preview

    commit(jonas, batch_id)
    done = jonas.page(f"/imports/{batch_id}")
    assert "Angelegte Konten:" in done and "Ihre Buchungen ansehen" in done
    with db.session() as session:
        names = set(session.scalars(select(Account.name)))
    assert {"checking", "savings"} <= names  # the journal's names, not translated
