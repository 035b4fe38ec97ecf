"""Ada exports what her transactions list shows as CSV, and backs up everything; Bob, a new user,
restores her backup and has exactly the same."""

from __future__ import annotations

import csv
import html
import io
import json
import re

from tests.integration.web.story import form_errors, rows_in

from finance_tracker.store.models import Account


def export_link(page: str, dialect: str = "machine") -> str:
    """The list's CSV download in the machine format (or the person's, `dialect="locale"`)."""
    found = re.search(
        rf'<a href="([^"]*/export\.csv[^"]*)" download data-csv-dialect="{dialect}"', page
    )
    return html.unescape(found.group(1))


def test_the_csv_export_has_what_the_filtered_list_shows_with_formulas_made_harmless(ada):
    checking = ada.open_account("Checking", opening="100")
    savings = ada.open_account("Savings", type="savings")
    ada.add_ok(
        account_id=checking, amount="80", payee='=HYPERLINK("http://evil.example")',
        memo="@SUM(A1)", category_id=ada.category("Food › Groceries"), tags="vacation",
    )  # fmt: skip
    ada.add_ok(account_id=checking, amount="4.50", payee="Blue Coffee")
    ada.add_ok(kind="income", account_id=savings, amount="3", payee="Interest")

    listing = ada.page(f"/transactions/?account_id={checking}&sort=amount")
    link = export_link(listing)
    assert link == f"/transactions/export.csv?account_id={checking}"  # filters, not sort or page
    response = ada.get(link)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert re.fullmatch(
        r'attachment; filename="transactions-\d{4}-\d{2}-\d{2}\.csv"',
        response.headers["Content-Disposition"],
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["payee"] for r in rows) == [
        "'=HYPERLINK(\"http://evil.example\")", "Blue Coffee",
    ]  # fmt: skip
    evil = next(r for r in rows if "HYPERLINK" in r["payee"])
    assert (evil["memo"], evil["amount"], evil["currency"]) == ("'@SUM(A1)", "-80.00", "EUR")
    assert (evil["category"], evil["tags"], evil["account"]) == (
        "Food › Groceries", "vacation", "Checking",
    )  # fmt: skip

    everything = ada.get(export_link(ada.page("/transactions/"))).get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(everything)))) == 3
    text = ada.get("/transactions/export.csv?text=coffee").get_data(as_text=True)
    assert [r["payee"] for r in csv.DictReader(io.StringIO(text))] == ["Blue Coffee"]


def test_a_refused_filter_sends_the_export_back_to_the_list(ada):
    ada.open_account("Checking")
    response = ada.get("/transactions/export.csv?amount_min=lots&text=x")
    assert response.status_code == 302
    assert response.headers["Location"] == "/transactions/?text=x&amount_min=lots"
    listing = ada.get(response.headers["Location"])
    assert listing.status_code == 422 and form_errors(listing.get_data(as_text=True))


def test_a_backup_restored_into_a_new_user_gives_the_same_backup(ada, bob, db):
    checking = ada.open_account("Checking", opening="1000")
    savings = ada.open_account("Savings", type="savings")
    ada.add_ok(
        account_id=checking, amount="120.00", payee="Hypermarket",
        **{"splits-0-category_id": ada.category("Food › Groceries"), "splits-0-amount": "80",
           "splits-1-category_id": ada.category("Shopping › Household"),
           "splits-1-amount": "40"},
    )  # fmt: skip
    ada.add_ok(kind="transfer", account_id=checking, to_account_id=savings, amount="500")
    ada.add_ok(kind="income", account_id=checking, amount="2500", payee="ACME", tags="work")

    response = ada.get("/settings/backup")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert re.fullmatch(
        r'attachment; filename="finance-tracker-backup-\d{4}-\d{2}-\d{2}\.json"',
        response.headers["Content-Disposition"],
    )
    original = response.get_data()
    assert json.loads(original)["format"] == "finance-tracker-backup"

    page = bob.page("/settings/")
    assert "Restore from backup" in page and 'action="/settings/restore"' in page
    response = bob.upload(
        "/settings/restore", original, "finance-tracker-backup.json", form_url="/settings/"
    )
    assert response.status_code == 302, form_errors(response.get_data(as_text=True))
    assert "Backup restored: 2 accounts" in bob.page("/settings/")
    assert bob.get("/settings/backup").get_data() == original
    assert "3 transactions" in bob.page("/transactions/")  # a transfer lists once

    # Now that Bob has accounts, a restore would mix two histories: it is refused.
    assert 'action="/settings/restore"' not in bob.page("/settings/")
    response = bob.upload("/settings/restore", original, "again.json", form_url="/settings/")
    assert response.status_code == 409
    assert "Not restored: restore into a fresh user: this one already has accounts." in form_errors(
        response.get_data(as_text=True)
    )
    with db.session() as session:
        assert session.query(Account).filter_by(user_id=bob.user_id).count() == 2


def test_a_damaged_or_foreign_file_is_refused_and_changes_nothing(bob, db):
    before = rows_in(db)
    for content, message in (
        (b"\x89PNG\r\n\x1a\n not json", "this is not a Finance Tracker backup"),
        (b'{"format": "something else"}', "this is not a Finance Tracker backup"),
        (b'{"format": "finance-tracker-backup", "version": 99}', "backup version 99"),
        (
            b'{"format": "finance-tracker-backup", "version": 1, "default_currency": "EUR",'
            b' "accounts": [], "categories": [], "tags": [], "transactions": [{"account": 7}]}',
            "the backup is damaged",
        ),
        (b"[" * 100_000, "this is not a Finance Tracker backup"),
    ):
        response = bob.upload("/settings/restore", content, "backup.json", form_url="/settings/")
        assert response.status_code == 422
        errors = form_errors(response.get_data(as_text=True))
        assert any(message in error for error in errors), errors
    response = bob.browser.submit("/settings/", {}, action="/settings/restore")
    assert "choose a backup file (.json) made on this settings page" in form_errors(
        response.get_data(as_text=True)
    )
    assert rows_in(db) == before
    assert "Food" in bob.page("/categories/")  # the defaults a restore replaces are still there
