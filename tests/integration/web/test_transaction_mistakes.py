"""Bad input on the transaction form: status 422, the reason beside the field, nothing saved."""

from __future__ import annotations

import pytest
from tests.integration.web.story import form_errors, rows_in

MISTAKES = {
    "three decimals in euros": ({"amount": "12.345"}, "EUR amounts have at most 2 decimal places"),
    "not a number": ({"amount": "twelve"}, "enter an amount like 1,234.56 (or 1234.56)"),
    "no amount": ({"amount": ""}, "enter an amount"),
    "zero": ({"amount": "0"}, "amount must be greater than zero"),
    "no account": ({"account_id": ""}, "choose an account"),
    "no date": ({"date": ""}, "enter a date"),
    "not a date": ({"date": "2025-02-30"}, "enter a date like 12/31/2026"),
    "the year 1800": ({"date": "1800-06-01"}, "date must be between Jan 1, 1900 and Dec 31, 2199"),
    "an unknown kind": ({"kind": "gift"}, "Not a valid choice."),
    "a comma in a tag": ({"tags": "a, b"}, None),  # two tags: fine, the control case
    "an overlong payee": ({"payee": "x" * 201}, "use at most 200 characters"),
    "a transfer to the same account": (
        {"kind": "transfer", "to_account_id": "{checking}"},
        "choose a different account to transfer to",
    ),
    "a transfer to nowhere": ({"kind": "transfer"}, "choose an account"),
    "a transfer with a category": (
        {"kind": "transfer", "to_account_id": "{savings}", "category_id": "{groceries}"},
        "a transfer has no category",
    ),
    "split lines that do not add up": (
        {"splits-0-amount": "5", "splits-1-amount": "6"},
        "split lines must add up to the transaction amount",
    ),
    "a split of one line": ({"splits-0-amount": "12"}, "a split needs at least two lines"),
    "a split line with three decimals": (
        {"splits-0-amount": "5.001", "splits-1-amount": "7"},
        "EUR amounts have at most 2 decimal places",
    ),
    "a split with a category on top": (
        {"category_id": "{groceries}", "splits-0-amount": "5", "splits-1-amount": "7"},
        "a split transaction takes its categories from its lines",
    ),
}


@pytest.mark.parametrize("change, message", MISTAKES.values(), ids=MISTAKES.keys())
def test_a_mistake_is_explained_and_nothing_is_saved(ada, db, change, message):
    ids = {
        "checking": ada.open_account("Checking"),
        "savings": ada.open_account("Savings"),
        "groceries": ada.category("Food › Groceries"),
    }
    fields = {"account_id": ids["checking"], "amount": "12", "payee": "Shop"}
    fields.update({k: v.format(**ids) for k, v in change.items()})

    response = ada.add(**fields)
    if message is None:
        assert response.status_code == 302
        return
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in form_errors(html)
    assert rows_in(db) == 0
    assert f'value="{fields["payee"]}"' in html  # what was typed is still there to correct


def test_someone_elses_account_and_category_are_unknown(ada, bob, db):
    bobs_account = bob.open_account("Bob's bank")
    bobs_category = bob.category("Food › Groceries")
    mine = ada.open_account("Checking")

    for fields, message in [
        ({"account_id": bobs_account}, "unknown account"),
        ({"account_id": mine, "category_id": bobs_category}, "unknown category"),
        ({"account_id": mine, "kind": "transfer", "to_account_id": bobs_account}, "unknown account"),
        (
            {"account_id": mine, "splits-0-category_id": bobs_category, "splits-0-amount": "6",
             "splits-1-amount": "6"},
            "unknown category",
        ),
    ]:  # fmt: skip
        response = ada.add(amount="12", payee="Sneaky", **fields)
        assert response.status_code == 422, fields
        assert message in form_errors(response.get_data(as_text=True)), fields
        assert "Bob&#39;s bank" not in response.get_data(as_text=True)
    assert rows_in(db) == 0


def test_a_bad_edit_leaves_the_transaction_as_it_was(ada, db):
    checking = ada.open_account("Checking")
    expense = ada.add_ok(account_id=checking, amount="10", payee="Cafe")

    response = ada.browser.submit(
        f"/transactions/{expense}/edit",
        {"kind": "expense", "account_id": checking, "date": "1800-01-01", "amount": "99.999"},
    )
    assert response.status_code == 422
    errors = form_errors(response.get_data(as_text=True))
    assert "EUR amounts have at most 2 decimal places" in errors
    assert "date must be between Jan 1, 1900 and Dec 31, 2199" in errors
    listing = ada.page("/transactions/")
    assert "-€10.00" in listing and "Cafe" in listing


def test_a_split_line_error_points_at_the_right_row(ada):
    checking = ada.open_account("Checking")
    response = ada.add(
        account_id=checking, amount="10",
        **{"splits-0-amount": "", "splits-1-amount": "4", "splits-2-amount": "6.999"},
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    third_row = html.split("<tr data-split-row>")[3]
    assert "EUR amounts have at most 2 decimal places" in third_row
