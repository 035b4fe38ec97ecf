"""Ada finds transactions again: every filter, the three sort orders, and the pages."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.integration.web.story import form_errors, payees_in_order, seed

from finance_tracker.services.transactions import SplitInput, TransactionInput
from finance_tracker.web.transactions import PER_PAGE


@pytest.fixture
def history(ada, db):  # type: ignore[no-untyped-def]
    """Six transactions in two accounts over three months."""
    checking = ada.open_account("Checking")
    card = ada.open_account("Card", type="credit_card")
    c = ada.category
    seed(
        db, ada.user_id,
        TransactionInput("income", checking, dt.date(2025, 1, 5), "3000", "ACME Corp",
                         "January salary", c("Income › Salary")),
        TransactionInput("expense", checking, dt.date(2025, 1, 10), "45.50", "Green Grocer",
                         "", c("Food › Groceries"), ["weekly"]),
        TransactionInput("expense", card, dt.date(2025, 2, 3), "120", "Hypermarket",
                         splits=[SplitInput("80", c("Food › Groceries")),
                                 SplitInput("40", c("Shopping › Household"))]),
        TransactionInput("expense", card, dt.date(2025, 2, 14), "60", "Chez Paul",
                         "valentine dinner", c("Food › Restaurants"), ["vacation"]),
        TransactionInput("transfer", checking, dt.date(2025, 3, 1), "200", "Card payment",
                         to_account_id=card),
        TransactionInput("expense", checking, dt.date(2025, 3, 2), "9.99", "Streamly", "",
                         c("Leisure › Subscriptions")),
    )  # fmt: skip
    return {"checking": checking, "card": card}


def found(ada, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(payees_in_order(ada.page(f"/transactions/?{query}")))


def test_each_filter_narrows_the_list(ada, history):
    food, household = ada.category("Food"), ada.category("Shopping › Household")
    assert found(ada, "text=grocer") == ["Green Grocer"]
    assert found(ada, "text=DINNER") == ["Chez Paul"]  # memo too, any case
    assert found(ada, "date_from=2025-02-01&date_to=2025-02-28") == ["Chez Paul", "Hypermarket"]
    # Across all accounts a transfer is one movement; an account's own list shows its side.
    assert found(ada, "date_from=2025-03-01") == ["Card payment", "Streamly"]
    assert found(ada, f"account_id={history['card']}") == [
        "Card payment", "Chez Paul", "Hypermarket",
    ]  # fmt: skip
    # A top-level category finds its subcategories, split lines included.
    assert found(ada, f"category_id={food}") == ["Chez Paul", "Green Grocer", "Hypermarket"]
    assert found(ada, f"category_id={household}") == ["Hypermarket"]
    assert found(ada, "tag=vacation") == ["Chez Paul"]
    assert found(ada, "amount_min=100") == ["ACME Corp", "Card payment", "Hypermarket"]
    assert found(ada, "amount_max=50") == ["Green Grocer", "Streamly"]
    assert found(ada, "amount_min=45.50&amount_max=60") == ["Chez Paul", "Green Grocer"]
    assert found(ada, "kind=income") == ["ACME Corp"]
    assert found(ada, "kind=transfer") == ["Card payment"]
    assert found(ada, f"kind=expense&account_id={history['checking']}") == [
        "Green Grocer", "Streamly",
    ]  # fmt: skip


def test_the_search_form_remembers_what_was_asked(ada, history):
    html = ada.page(f"/transactions/?text=grocer&kind=expense&account_id={history['card']}")
    assert 'value="grocer"' in html
    assert '<option selected value="expense">' in html
    assert re.search(rf'<option data-currency="EUR" selected value="{history["card"]}">', html)
    assert '<details class="filters card" open>' in html
    assert "Nothing matches" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("date_from=2025-03-01&date_to=2025-01-01", "the end date is before the start date"),
        ("amount_min=-5", "enter a positive amount"),
        ("amount_max=lots", "enter an amount like 1,234.56 (or 1234.56)"),
        ("date_from=2025-13-01", "enter a date like 12/31/2026"),
        ("kind=gift", "Not a valid choice."),
        ("account_id=999999", "unknown account"),
    ],
)
def test_a_filter_that_makes_no_sense_is_explained(ada, history, query, message):
    response = ada.get(f"/transactions/?{query}")
    assert response.status_code == 422
    assert message in form_errors(response.get_data(as_text=True))


def test_sorting_by_date_amount_and_payee_both_ways(ada, history):
    newest_first = payees_in_order(ada.page("/transactions/"))
    assert newest_first[0] == "Streamly" and newest_first[-1] == "ACME Corp"
    assert payees_in_order(ada.page("/transactions/?sort=date&dir=asc")) == newest_first[::-1]
    assert payees_in_order(ada.page("/transactions/?sort=amount&dir=asc")) == [
        "Card payment", "Hypermarket", "Chez Paul", "Green Grocer", "Streamly", "ACME Corp",
    ]  # fmt: skip
    assert payees_in_order(ada.page("/transactions/?sort=amount"))[0] == "ACME Corp"
    assert payees_in_order(ada.page("/transactions/?sort=payee")) == [
        "ACME Corp", "Card payment", "Chez Paul", "Green Grocer", "Hypermarket", "Streamly",
    ]  # fmt: skip
    assert payees_in_order(ada.page("/transactions/?sort=payee&dir=desc"))[0] == "Streamly"
    # Nonsense falls back to the default order rather than failing.
    assert payees_in_order(ada.page("/transactions/?sort=secret&dir=up")) == newest_first


def test_sort_links_keep_the_filters_and_flip_the_direction(ada, history):
    html = ada.page("/transactions/?kind=expense&sort=amount&dir=asc")
    links = {
        label: parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        for href, label in re.findall(r'<th[^>]*>\s*<a href="([^"]+)">(\w+)', html)
    }
    assert links["Amount"] == {"kind": ["expense"], "sort": ["amount"], "dir": ["desc"]}
    assert links["Payee"] == {"kind": ["expense"], "sort": ["payee"]}
    assert 'aria-sort="ascending"' in html


def test_pages_of_transactions_keep_the_search_in_their_links(ada, db):
    checking = ada.open_account("Checking")
    start = dt.date(2025, 1, 1)
    seed(
        db, ada.user_id,
        *[TransactionInput("expense", checking, start + dt.timedelta(days=n), "1", f"Shop {n:02d}")
          for n in range(1, 61)],
        TransactionInput("expense", checking, start, "1", "Elsewhere"),
    )  # fmt: skip

    first = ada.page("/transactions/?text=shop")
    assert payees_in_order(first) == [f"Shop {n:02d}" for n in range(60, 60 - PER_PAGE, -1)]
    assert "Page 1 of 3" in first and "60 transactions match your search" in first
    next_link = re.search(r'<a href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(next_link).query) == {"text": ["shop"], "page": ["2"]}
    assert 'rel="prev"' not in first

    last = ada.page("/transactions/?text=shop&page=3")
    assert payees_in_order(last) == [f"Shop {n:02d}" for n in range(10, 0, -1)]
    assert 'rel="next"' not in last and 'rel="prev"' in last

    assert "No transactions on this page" in ada.page("/transactions/?text=shop&page=9")
    assert payees_in_order(ada.page("/transactions/?text=shop&page=abc"))[0] == "Shop 60"


def test_odd_query_arguments_do_not_break_the_links(ada, history):
    # url_for options in the query string must not become absolute or javascript: links.
    response = ada.get("/transactions/?_external=1&_scheme=javascript&_anchor=x&sort=payee")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "javascript:" not in html and "http://" not in html.split("<main")[1]
    # On an account's page the account in the path wins over one in the query string.
    card = history["card"]
    page = ada.page(f"/accounts/{card}?account_id={history['checking']}")
    assert f'href="/accounts/{card}?sort=payee' in page
