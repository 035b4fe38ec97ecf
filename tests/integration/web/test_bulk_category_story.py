"""After an import Ada ticks several uncategorised rows of the list and gives them one category
in one go; she lands back on the same list. Mistakes, transfers and Bob's ids change nothing."""

from __future__ import annotations

import html as html_lib
import re

from tests.integration.web.story import TODAY, form_errors

UNCATEGORISED_LIST = "/transactions/?category_id=none&sort=payee&dir=asc"


def checkboxes(html: str) -> dict[str, bool]:
    """The row checkboxes of the list: payee in the label -> ticked."""
    found = re.findall(r'<input type="checkbox" name="ids" value="\d+" form="bulk-category" '
                       r'aria-label="Select ([^,]*), [^"]*"( checked)?>', html)  # fmt: skip
    return {html_lib.unescape(payee): bool(ticked) for payee, ticked in found}


def category_of(ada, payee: str) -> str:
    listing = ada.page(f"/transactions/?text={payee}")
    cell = re.search(r'<td class="category-cell">(.*?)</td>', listing, re.S)
    assert cell, listing
    return html_lib.unescape(re.sub(r"<[^>]+>", "", cell.group(1))).strip()


def test_ada_gives_three_imported_rows_one_category(ada):
    checking = ada.open_account("Checking", opening="500.00")
    savings = ada.open_account("Savings", type="savings")
    ids = [ada.add_ok(account_id=checking, amount=amount, payee=payee)
           for payee, amount in [("Bakery", "4.20"), ("Corner shop", "12.00"),
                                 ("Market", "30.00"), ("Kiosk", "2.00")]]  # fmt: skip
    ada.add_ok(kind="transfer", account_id=checking, to_account_id=savings, amount="50")
    groceries = ada.category("Food › Groceries")

    listing = ada.page(UNCATEGORISED_LIST)
    assert checkboxes(listing) == dict.fromkeys(["Bakery", "Corner shop", "Kiosk", "Market"], False)
    assert (
        'action="/transactions/categorise?category_id=none&amp;sort=payee&amp;dir=asc"' in listing
    )

    response = ada.post(
        "/transactions/categorise?category_id=none&sort=payee&dir=asc",
        {"ids": ids[:3], "category_id": groceries}, form_url=UNCATEGORISED_LIST,
    )  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"] == UNCATEGORISED_LIST
    after = ada.page(UNCATEGORISED_LIST)
    assert "3 transactions moved to Food › Groceries." in html_lib.unescape(after)
    assert list(checkboxes(after)) == ["Kiosk"]
    assert category_of(ada, "Market") == "Food › Groceries"
    month = f"date_from={TODAY.isoformat()}&date_to={TODAY.isoformat()}"
    report = ada.get(f"/reports/spending-by-category?{month}&format=csv").get_data(as_text=True)
    assert report.splitlines() == [
        "currency,category,spent", "EUR,Food,46.20", "EUR,Uncategorised,2.00",
    ]  # fmt: skip

    # Changed her mind about one: back to uncategorised.
    ada.post("/transactions/categorise", {"ids": [ids[2]], "category_id": "none"},
             form_url=UNCATEGORISED_LIST)  # fmt: skip
    assert "1 transaction is now uncategorised." in ada.page("/transactions/")
    assert category_of(ada, "Market") == "Uncategorised"


def test_mistakes_reshow_the_list_with_the_error_and_change_nothing(ada, bob):
    checking = ada.open_account("Checking")
    savings = ada.open_account("Savings", type="savings")
    kiosk = ada.add_ok(account_id=checking, amount="2.00", payee="Kiosk")
    transfer = ada.add_ok(kind="transfer", account_id=checking, to_account_id=savings, amount="5")
    groceries = ada.category("Food › Groceries")
    bobs = bob.add_ok(account_id=bob.open_account("Wallet"), amount="1.00", payee="Bob's")

    def refused(person, data: dict) -> list[str]:
        response = person.post(
            "/transactions/categorise?category_id=none", data, form_url="/transactions/"
        )
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "Search and filter" in html  # the list itself, not an error page
        return form_errors(html)

    assert refused(ada, {"ids": [kiosk], "category_id": ""}) == [
        "choose a category, or Uncategorised to remove it"
    ]
    assert refused(ada, {"category_id": groceries}) == ["choose at least one transaction"]
    assert refused(ada, {"ids": [kiosk, transfer], "category_id": groceries}) == [
        "nothing changed: unselect 1 transfer (a transfer has no category) and try again"
    ]
    assert refused(ada, {"ids": [kiosk, "x"], "category_id": groceries}) == ["no such transaction"]
    # Bob aims at Ada's rows, and at his own with Ada's category.
    assert refused(
        bob, {"ids": [bobs, kiosk], "category_id": bob.category("Food › Groceries")}
    ) == [f"no such transaction: {kiosk}"]
    assert refused(bob, {"ids": [bobs], "category_id": groceries}) == ["unknown category"]
    assert category_of(ada, "Kiosk") == "Uncategorised"
    assert category_of(bob, "Bob") == "Uncategorised"

    # The refused rows stay ticked, ready to fix the choice and send again.
    response = ada.post("/transactions/categorise", {"ids": [kiosk], "category_id": ""},
                        form_url="/transactions/")  # fmt: skip
    assert checkboxes(response.get_data(as_text=True)) == {"Kiosk": True}
