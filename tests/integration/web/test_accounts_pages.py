"""Ada manages her accounts: opens, renames, archives, deletes, and looks at one closely."""

from __future__ import annotations

import re

from tests.integration.web.story import accounts_in, form_errors


def test_opening_an_account_shows_it_with_its_balance(ada):
    form = ada.page("/accounts/new")
    assert '<option selected value="EUR">' in form  # her main currency is proposed
    for kind in ("Checking", "Savings", "Credit card", "Cash", "Loan", "Investment"):
        assert f">{kind}</option>" in form

    checking = ada.open_account("Checking", opening="1,000.00".replace(",", ""))
    page = ada.page(f"/accounts/{checking}")
    assert "<h1>Checking</h1>" in page and "€1,000.00" in page
    assert "No transactions in this account" in page
    assert f'href="/transactions/new?account_id={checking}"' in page
    listing = ada.page("/accounts/")
    assert "Checking" in listing and "€1,000.00" in listing


def test_a_person_with_another_main_currency_gets_it_proposed(other_browser, db):
    other_browser.submit(
        "/register",
        {"email": "yen@example.com", "password": "long enough pass", "confirm": "long enough pass",
         "default_currency": "JPY"},
    )  # fmt: skip
    assert '<option selected value="JPY">' in other_browser.get("/accounts/new").get_data(
        as_text=True
    )


def test_renaming_and_archiving_moves_it_to_the_archived_list(ada):
    wallet = ada.open_account("Wallet", type="cash", opening="20")
    edit = ada.page(f"/accounts/{wallet}/edit")
    assert 'value="Wallet"' in edit and 'value="20.00"' in edit

    response = ada.browser.submit(
        f"/accounts/{wallet}/edit",
        {"name": "Old wallet", "type": "cash", "currency": "EUR", "opening_balance": "20",
         "archived": "y"},
    )  # fmt: skip
    assert response.status_code == 302
    listing = ada.page("/accounts/")
    archived = listing.split("<h2>Archived</h2>")[1]
    assert "Old wallet" in archived
    assert "mark>archived</mark>" in ada.page(f"/accounts/{wallet}")
    # Archived accounts stay selectable for old transactions, in their own group.
    assert '<optgroup label="Archived">' in ada.page("/transactions/new")


def test_mistakes_on_the_account_form_are_explained(ada, db):
    ada.open_account("Checking")
    for fields, message in [
        ({"name": ""}, "enter a name"),
        ({"name": "Checking"}, "you already have an account with this name"),
        ({"opening_balance": "12.345"}, "EUR amounts have at most 2 decimal places"),
        ({"opening_balance": "lots"}, "enter an amount like 1,234.56 (or 1234.56)"),
        ({"currency": "XXY"}, "Not a valid choice."),
        ({"type": "piggy_bank"}, "Not a valid choice."),
    ]:
        data = {"name": "Savings", "type": "savings", "currency": "EUR", "opening_balance": "0"}
        response = ada.browser.submit("/accounts/new", {**data, **fields})
        assert response.status_code == 422, fields
        assert message in form_errors(response.get_data(as_text=True)), fields
    assert accounts_in(db) == 1


def test_an_account_with_history_cannot_be_deleted_or_change_currency(ada, db):
    checking = ada.open_account("Checking")
    ada.add_ok(account_id=checking, amount="5", payee="Bakery")

    response = ada.browser.submit(
        f"/accounts/{checking}/edit",
        {"name": "Checking", "type": "checking", "currency": "USD", "opening_balance": "0"},
    )
    assert response.status_code == 422
    assert "the currency cannot change once the account has transactions" in form_errors(
        response.get_data(as_text=True)
    )

    edit = f"/accounts/{checking}/edit"
    assert re.search(r'data-confirm="Delete the account “Checking”\?"', ada.page(edit))
    response = ada.browser.submit(edit, {}, action=f"/accounts/{checking}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith(edit)
    page = ada.page(edit)
    assert "Not deleted: this account has 1 transaction: archive it instead" in page
    assert accounts_in(db) == 1


def test_an_empty_account_can_be_deleted(ada, db):
    spare = ada.open_account("Spare")
    response = ada.browser.submit(f"/accounts/{spare}/edit", {}, action=f"/accounts/{spare}/delete")
    assert response.status_code == 302
    assert accounts_in(db) == 0
    assert "Account deleted." in ada.page("/accounts/")
    assert ada.get(f"/accounts/{spare}").status_code == 404


def test_an_account_page_lists_only_its_own_transactions(ada):
    checking = ada.open_account("Checking", opening="100")
    card = ada.open_account("Card", type="credit_card")
    ada.add_ok(account_id=checking, amount="10", payee="Baker")
    ada.add_ok(account_id=card, amount="25", payee="Bookshop")
    ada.add_ok(kind="transfer", account_id=checking, to_account_id=card, amount="25", payee="Pay")

    card_page = ada.page(f"/accounts/{card}")
    assert "Bookshop" in card_page and "Baker" not in card_page
    assert "← Checking" in card_page
    assert re.search(r'data-balance><span class="amount ">€0.00<', card_page)
    checking_page = ada.page(f"/accounts/{checking}")
    assert re.search(r'data-balance><span class="amount ">€65.00<', checking_page)
    assert "Including an opening balance of €100.00" in checking_page
