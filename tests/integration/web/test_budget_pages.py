"""Ada plans her month: a budget per category, spending against it, a red row when she overspends,
what is left rolling into the next month, and last month's budget copied forward."""

from __future__ import annotations

import re

from tests.integration.web.story import TODAY, form_errors, rows_in

from finance_tracker.store.models import Budget
from finance_tracker.web import periods

THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = periods.shift(THIS_MONTH, -1)
THIS, LAST = periods.month_key(THIS_MONTH), periods.month_key(LAST_MONTH)


def set_budget(person, category: str, amount: str, month: str = THIS, **extra: str):  # type: ignore[no-untyped-def]
    data = {"month": month, "category_id": person.category(category), "amount": amount,
            "currency": "EUR", **extra}  # fmt: skip
    return person.post("/budgets/", data, form_url=f"/budgets/?month={month}")


def row_of(page: str, category: str) -> str:
    match = re.search(rf'<tr class="budget-row[^"]*" data-budget="{re.escape(category)}">(.*?)</tr>',
                      page, re.S)  # fmt: skip
    assert match, f"no budget row for {category}"
    return match.group(0)


def figure(row: str, name: str) -> str:
    cell = re.search(rf'data-figure="{name}"[^>]*>(.*?)</td>', row, re.S)
    assert cell, name
    return " ".join(re.sub(r"<[^>]+>", "", cell.group(1)).split())


def test_spending_counts_against_the_budget_until_the_row_turns_red(ada):
    checking = ada.open_account("Checking", opening="2000")
    response = set_budget(ada, "Food", "300")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/budgets/?month={THIS}"
    assert f"Budget for Food set to €300.00 in {periods.month_name(THIS_MONTH)}." in ada.page(
        f"/budgets/?month={THIS}"
    )

    # A subcategory's spending counts in its parent's budget.
    ada.add_ok(account_id=checking, amount="84.20", payee="Grocer",
               category_id=ada.category("Food › Groceries"))  # fmt: skip
    food = row_of(ada.page("/budgets/"), "Food")
    assert "over-budget" not in food
    assert figure(food, "budgeted") == "€300.00"
    assert figure(food, "carried") == "—"
    assert figure(food, "available") == "€300.00"
    assert figure(food, "spent") == "€84.20"
    assert figure(food, "remaining") == "€215.80 left"
    assert 'class="budget-bar ok" value="8420" max="30000"' in food

    ada.add_ok(account_id=checking, amount="180", payee="Bistro",
               category_id=ada.category("Food › Restaurants"))  # fmt: skip
    assert 'class="budget-bar nearly"' in row_of(ada.page("/budgets/"), "Food")  # 88% gone

    ada.add_ok(account_id=checking, amount="70", payee="Bistro",
               category_id=ada.category("Food › Restaurants"))  # fmt: skip
    page = ada.page("/budgets/")
    food = row_of(page, "Food")
    assert 'class="budget-row over-budget"' in food
    assert figure(food, "spent") == "€334.20"
    assert figure(food, "remaining") == "over by €34.20"
    assert 'class="over-text"' in food
    assert 'class="budget-bar over" value="30000" max="30000"' in food
    total = re.search(r'<tr class="total over-budget" data-total="EUR">(.*?)</tr>', page, re.S)
    assert total and "over by €34.20" in total.group(1)
    # The spent figure opens the transactions behind it.
    assert (f"/transactions/?category_id={ada.category('Food')}&amp;kind=expense"
            f"&amp;date_from={THIS_MONTH.isoformat()}") in food  # fmt: skip


def test_what_is_left_rolls_over_into_the_next_month(ada):
    checking = ada.open_account("Checking", opening="2000")
    set_budget(ada, "Transport", "100", month=LAST, rollover="y")
    set_budget(ada, "Transport", "100", rollover="y")
    ada.add_ok(account_id=checking, amount="60", payee="Fuel station",
               date=LAST_MONTH.replace(day=15).isoformat(),
               category_id=ada.category("Transport › Fuel"))  # fmt: skip
    ada.add_ok(account_id=checking, amount="25", payee="Bus",
               category_id=ada.category("Transport › Public transport"))  # fmt: skip

    transport = row_of(ada.page("/budgets/"), "Transport")
    assert 'title="What is left, or overspent, carries into next month">rollover' in transport
    assert figure(transport, "budgeted") == "€100.00"
    assert figure(transport, "carried") == "€40.00"
    assert figure(transport, "available") == "€140.00"
    assert figure(transport, "spent") == "€25.00"
    assert figure(transport, "remaining") == "€115.00 left"

    last = row_of(ada.page(f"/budgets/?month={LAST}"), "Transport")
    assert figure(last, "carried") == "—" and figure(last, "remaining") == "€40.00 left"


def test_last_months_budget_is_copied_then_edited_and_deleted(ada, db):
    ada.open_account("Checking")
    set_budget(ada, "Food", "300", month=LAST)
    set_budget(ada, "Transport", "80", month=LAST, rollover="y")
    assert "No budgets for " + periods.month_name(THIS_MONTH) in ada.page("/budgets/")

    response = ada.post("/budgets/copy", {"month": THIS}, form_url="/budgets/")
    assert response.status_code == 302
    page = ada.page(f"/budgets/?month={THIS}")
    assert f"Copied 2 budgets from {periods.month_name(LAST_MONTH)}." in page
    assert figure(row_of(page, "Food"), "budgeted") == "€300.00"
    assert "rollover" in row_of(page, "Transport")

    ada.post("/budgets/copy", {"month": THIS}, form_url="/budgets/")
    assert "Nothing copied" in ada.page("/budgets/")
    assert rows_in(db, Budget) == 4

    edit_link = re.search(r'href="(/budgets/\?month=[\d-]+&amp;edit=(\d+))#budget-form"',
                          row_of(page, "Food"))  # fmt: skip
    form = ada.page(edit_link.group(1).replace("&amp;", "&"))
    assert "Edit the budget" in form and 'value="300.00"' in form
    assert f'<input type="hidden" name="category_id" value="{ada.category("Food")}">' in form
    set_budget(ada, "Food", "350.50")
    assert figure(row_of(ada.page("/budgets/"), "Food"), "budgeted") == "€350.50"
    assert rows_in(db, Budget) == 4  # replaced, not added

    transport = re.search(r'action="/budgets/(\d+)/delete"', row_of(page, "Transport")).group(1)
    response = ada.post(f"/budgets/{transport}/delete", {"month": THIS}, form_url="/budgets/")
    assert response.headers["Location"] == f"/budgets/?month={THIS}"
    page = ada.page("/budgets/")
    assert "Budget deleted." in page and 'data-budget="Transport"' not in page


def test_the_months_are_navigable_and_a_bad_month_is_refused(ada):
    ada.open_account("Checking")
    page = ada.page("/budgets/?month=2026-01")
    assert 'href="/budgets/?month=2025-12" rel="prev"' in page
    assert 'href="/budgets/?month=2026-02" rel="next"' in page
    assert "January 2026" in page and 'name="month" value="2026-01"' in page

    for bad in ("2026-13", "jan", "1800-01"):
        response = ada.get(f"/budgets/?month={bad}")
        assert response.status_code == 422, bad
        assert "enter a month like 2026-03" in response.get_data(as_text=True)


def test_budget_mistakes_are_shown_beside_the_fields_and_nothing_is_saved(ada, db):
    ada.open_account("Checking")
    mistakes = [
        ({"amount": "abc"}, "enter an amount like 1,234.56 (or 1234.56)"),
        ({"amount": "-5"}, "a budget cannot be negative"),
        ({"amount": "1.234"}, "EUR amounts have at most 2 decimal places"),
        ({"currency": "USD"}, "you have no account in USD and it is not your home currency"),
        ({"category_id": ""}, "choose a category"),
        ({"month": "someday"}, "Month: enter a month like 2026-03"),
    ]  # fmt: skip
    for change, message in mistakes:
        data = {"month": THIS, "category_id": ada.category("Food"), "amount": "10",
                "currency": "EUR", **change}  # fmt: skip
        response = ada.post("/budgets/", data, form_url="/budgets/")
        assert response.status_code == 422, change
        assert message in form_errors(response.get_data(as_text=True)), change
    assert rows_in(db, Budget) == 0


def test_without_an_account_the_page_asks_for_one_first(ada):
    page = ada.page("/budgets/")
    assert "First, an account" in page and "Set a budget" not in page


def test_someone_elses_budget_cannot_be_opened_for_editing(ada, bob):
    ada.open_account("Checking")
    set_budget(ada, "Food", "300")
    budget_id = re.search(r"edit=(\d+)", ada.page("/budgets/")).group(1)
    bob.open_account("Bob's")
    assert bob.get(f"/budgets/?month={THIS}&edit={budget_id}").status_code == 404
