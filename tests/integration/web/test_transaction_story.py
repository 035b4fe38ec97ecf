"""Ada records her month: income, an expense, a transfer and a split, then corrects and deletes."""

from __future__ import annotations

import datetime as dt
import re

from prometheus_client import REGISTRY
from sqlalchemy import select
from tests.integration.web.story import TODAY, form_errors, rows_in

from finance_tracker.store.models import Transaction


def created_metric(kind: str) -> float:
    labels = {"source": "web", "kind": kind}
    return REGISTRY.get_sample_value("finance_tracker_transactions_created_total", labels) or 0.0


def test_income_expense_transfer_and_split_move_the_balances(ada, db):
    checking = ada.open_account("Checking", opening="1000.00")
    savings = ada.open_account("Savings", type="savings")
    incomes_before = created_metric("income")

    ada.add_ok(
        kind="income", account_id=checking, amount="2500", payee="ACME Corp",
        category_id=ada.category("Income › Salary"), tags="work, Salary",
    )  # fmt: skip
    ada.add_ok(
        account_id=checking, amount="84.20", payee="Green Grocer",
        category_id=ada.category("Food › Groceries"),
    )  # fmt: skip
    ada.add_ok(
        kind="transfer", account_id=checking, to_account_id=savings, amount="500",
        payee="Monthly saving",
    )  # fmt: skip
    ada.add_ok(
        account_id=checking, amount="120.00", payee="Hypermarket",
        **{
            "splits-0-category_id": ada.category("Food › Groceries"), "splits-0-amount": "80",
            "splits-1-category_id": ada.category("Shopping › Household"),
            "splits-1-amount": "40.00", "splits-1-memo": "light bulbs",
            "splits-2-category_id": "", "splits-2-amount": "", "splits-2-memo": "",
        },
    )  # fmt: skip
    assert created_metric("income") == incomes_before + 1

    accounts_page = ada.page("/accounts/")
    assert "€2,795.80" in accounts_page  # 1000 + 2500 - 84.20 - 500 - 120
    assert "€500.00" in accounts_page
    assert "€3,295.80" in accounts_page  # the EUR total

    listing = ada.page("/transactions/")
    assert "4 transactions" in listing  # across accounts a transfer is one movement
    assert "→ Savings" in listing
    assert "Food › Groceries" in listing and "light bulbs" in listing
    assert '<span class="tag">salary</span>' in listing  # tags are kept lower case
    assert 'class="amount positive">+€2,500.00<' in listing
    assert 'class="amount negative">-€84.20<' in listing

    savings_page = ada.page(f"/accounts/{savings}")
    assert "€500.00" in savings_page and "Monthly saving" in savings_page
    assert "Green Grocer" not in savings_page


def test_the_dashboard_adds_up_this_month(ada):
    checking = ada.open_account("Checking", opening="1000.00")
    savings = ada.open_account("Savings", type="savings")
    ada.add_ok(kind="income", account_id=checking, amount="2500", payee="ACME Corp")
    ada.add_ok(
        account_id=checking, amount="84.20", payee="Green Grocer",
        category_id=ada.category("Food › Groceries"),
    )  # fmt: skip
    ada.add_ok(account_id=checking, amount="15.80", payee="Kiosk")
    ada.add_ok(kind="transfer", account_id=checking, to_account_id=savings, amount="500")

    board = ada.page("/")
    assert re.search(r'data-figure="net-worth"><span class="amount ">€3,400.00<', board)
    assert re.search(r'data-figure="income">€2,500.00<', board)
    assert re.search(r'data-figure="spending">€100.00<', board)
    assert re.search(r'data-figure="saved"><span class="amount positive">\+€2,400.00<', board)
    assert re.search(r"</span>Food</span><span class=\"amount\">€84.20</span>", board)
    assert re.search(r"</span>Uncategorised</span><span class=\"amount\">€15.80</span>", board)
    month = TODAY.strftime("%b %Y")
    assert re.search(rf"<td>{month}</td><td class=\"amount\">€2,500.00</td>", board)
    assert 'data-chart="categories"' in board and 'data-chart="cash-flow"' in board


def test_a_transfer_between_currencies_needs_the_amount_received(ada, db):
    euros = ada.open_account("Euro account", opening="1000")
    dollars = ada.open_account("Dollar account", currency="USD")
    fields = dict(kind="transfer", account_id=euros, to_account_id=dollars, amount="100")

    response = ada.add(**fields)
    assert response.status_code == 422
    assert "enter the amount received in USD" in form_errors(response.get_data(as_text=True))
    assert rows_in(db) == 0

    ada.add_ok(**fields, to_amount="108.50")
    accounts_page = ada.page("/accounts/")
    assert "€900.00" in accounts_page and "$108.50" in accounts_page


def test_editing_prefills_the_form_and_saves_changes(ada, db):
    checking = ada.open_account("Checking")
    savings = ada.open_account("Savings")
    expense = ada.add_ok(
        account_id=checking, amount="12.5", payee="Cafe", memo="flat white",
        category_id=ada.category("Food › Coffee"), tags="work",
    )  # fmt: skip

    form = ada.page(f"/transactions/{expense}/edit")
    assert 'value="12.50"' in form and 'value="Cafe"' in form and "flat white" in form
    assert 'value="work"' in form
    assert re.search(rf'<option selected value="{ada.category("Food › Coffee")}">', form)

    response = ada.browser.submit(
        f"/transactions/{expense}/edit",
        {
            "kind": "expense", "account_id": checking, "date": TODAY.isoformat(),
            "amount": "13.10", "payee": "Corner Cafe", "category_id": "", "tags": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    listing = ada.page("/transactions/")
    assert "Corner Cafe" in listing and "-€13.10" in listing and "12.50" not in listing

    # A transfer opened from its incoming side edits the whole transfer.
    ada.add_ok(kind="transfer", account_id=checking, to_account_id=savings, amount="50")
    incoming = re.findall(r'data-transaction-id="(\d+)"', ada.page(f"/accounts/{savings}"))[0]
    form = ada.page(f"/transactions/{incoming}/edit")
    assert re.search(rf'<option data-currency="EUR" selected value="{checking}">', form)
    response = ada.browser.submit(
        f"/transactions/{incoming}/edit",
        {
            "kind": "transfer", "account_id": checking, "to_account_id": savings,
            "date": TODAY.isoformat(), "amount": "75",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert rows_in(db) == 3
    assert "€75.00" in ada.page(f"/accounts/{savings}")


def test_deleting_a_transfer_removes_both_sides(ada, db):
    checking = ada.open_account("Checking")
    savings = ada.open_account("Savings")
    transfer = ada.add_ok(kind="transfer", account_id=checking, to_account_id=savings, amount="9")
    assert rows_in(db) == 2

    form_url = f"/transactions/{transfer}/edit"
    assert 'data-confirm="Delete this transaction?' in ada.page(form_url)
    response = ada.browser.submit(form_url, {}, action=f"/transactions/{transfer}/delete")
    assert response.status_code == 302
    assert rows_in(db) == 0
    assert "Transaction deleted." in ada.page("/transactions/")
    assert ada.get(form_url).status_code == 404


def test_without_javascript_the_split_table_grows_one_row_at_a_time(ada, db):
    checking = ada.open_account("Checking")
    form = ada.page("/transactions/new")
    assert form.count("<tr data-split-row>") == 2

    response = ada.add(
        account_id=checking, amount="30", payee="Market", add_split_line="1",
        **{"splits-0-amount": "10", "splits-1-amount": ""},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("<tr data-split-row>") == 3
    assert 'value="10"' in page and 'value="Market"' in page  # what was typed is kept
    assert rows_in(db) == 0


def test_save_and_add_another_returns_to_an_empty_form_with_the_same_date_and_account(ada):
    """Entering last Saturday's receipts one after the other: the next form keeps the day and
    the account (before issue 17 it kept only the account, and the day went back to today)."""
    ada.open_account("Checking")
    wallet = ada.open_account("Wallet", type="cash")
    saturday = TODAY - dt.timedelta(days=(TODAY.weekday() - 5) % 7 or 7)
    response = ada.add(
        account_id=wallet, amount="3", payee="Bakery", date=saturday.isoformat(), save_and_add="1"
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/transactions/new?account_id={wallet}&date={saturday.isoformat()}"
    )
    form = ada.page(response.headers["Location"])
    assert re.search(rf'<option data-currency="EUR" selected value="{wallet}">', form)
    day = f"{saturday.month}/{saturday.day}/{saturday.year}"  # en_US, the person's format
    assert re.search(rf'id="date" [^>]*value="{re.escape(day)}"', form)
    assert re.search(r'id="amount" [^>]*value=""', form) and re.search(
        r'id="payee" [^>]*value=""', form
    )
    ada.add_ok(
        account_id=wallet, amount="2.40", payee="Butcher", date=day
    )  # the next one, as shown
    with ada.db.session() as session:
        days = session.scalars(select(Transaction.date).where(Transaction.account_id == wallet))
        assert sorted(days) == [saturday, saturday]


def test_a_split_opens_with_its_lines_and_two_blank_rows(ada, db):
    checking = ada.open_account("Checking")
    groceries, household = ada.category("Food › Groceries"), ada.category("Shopping › Household")
    split = ada.add_ok(
        account_id=checking, amount="120", payee="Hypermarket",
        **{"splits-0-category_id": groceries, "splits-0-amount": "80",
           "splits-1-category_id": household, "splits-1-amount": "40",
           "splits-1-memo": "light bulbs"},
    )  # fmt: skip
    form = ada.page(f"/transactions/{split}/edit")
    rows = form.split("<tr data-split-row>")[1:]
    assert len(rows) == 4
    assert 'value="80.00"' in rows[0] and f'<option selected value="{groceries}">' in rows[0]
    assert 'value="40.00"' in rows[1] and 'value="light bulbs"' in rows[1]
    assert 'value=""' in rows[2] and 'value=""' in rows[3]
    assert '<details class="splits" data-kind-only="income expense" open>' in form

    # Turning it back into a plain expense: blank out the lines, pick one category.
    response = ada.browser.submit(
        f"/transactions/{split}/edit",
        {"kind": "expense", "account_id": checking, "date": TODAY.isoformat(), "amount": "120",
         "payee": "Hypermarket", "category_id": groceries},
    )  # fmt: skip
    assert response.status_code == 302
    assert rows_in(db) == 1  # the two lines are gone
    assert "Split" not in ada.page("/transactions/").split("<tbody>")[1]
