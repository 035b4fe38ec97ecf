"""Ada describes her rent, her salary and a subscription once; the app lists their schedules in
words, shows what is coming up, and books what is due, once, whenever she asks."""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date
from tests.integration.web.story import TODAY, form_errors, rows_in

from finance_tracker.store.models import RecurringTransaction, Transaction


def day(value: dt.date) -> str:
    return format_date(value, "medium", locale="en_US")


def create(person, **fields: object):  # type: ignore[no-untyped-def]
    data = {"kind": "expense", "interval": "1", "frequency": "monthly",
            "start_date": TODAY.isoformat(), "active": "y", **fields}  # fmt: skip
    return person.post("/recurring/new", {k: str(v) for k, v in data.items()},
                       form_url="/recurring/new")  # fmt: skip


def create_ok(person, **fields: object) -> None:  # type: ignore[no-untyped-def]
    response = create(person, **fields)
    assert response.status_code == 302, form_errors(response.get_data(as_text=True))


def row_of(page: str, name: str) -> str:
    match = re.search(rf'<tr data-recurring="{re.escape(name)}".*?</tr>', page, re.S)
    assert match, f"no row {name}"
    return match.group(0)


def test_schedules_read_as_words_with_their_next_date_and_whats_coming_up(ada):
    checking = ada.open_account("Checking")
    savings = ada.open_account("Savings", type="savings")
    in_five_days = TODAY + dt.timedelta(days=5)
    create_ok(ada, name="Rent", account_id=checking, amount="950", payee="Landlord",
              category_id=ada.category("Housing › Rent"), day_of_month="last",
              start_date=TODAY.replace(day=1).isoformat())  # fmt: skip
    create_ok(ada, name="Cleaner", account_id=checking, amount="60", frequency="weekly",
              interval="2", start_date=in_five_days.isoformat())  # fmt: skip
    create_ok(ada, name="Salary", kind="income", account_id=checking, amount="3000",
              frequency="yearly", start_date="2024-02-29", max_count="10")  # fmt: skip
    create_ok(ada, name="Saving", kind="transfer", account_id=checking, to_account_id=savings,
              amount="200", start_date="2024-01-10", end_date="2030-12-10", active="")  # fmt: skip

    page = ada.page("/recurring/")
    assert "Recurring transaction added." in page
    rent = row_of(page, "Rent")
    assert "monthly on the last day" in rent and "Housing › Rent" in rent
    assert 'class="amount negative">-€950.00<' in rent
    month_end = (TODAY.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
    assert f'datetime="{month_end.isoformat()}">{day(month_end)}<' in rent

    cleaner = row_of(page, "Cleaner")
    assert f"every 2 weeks on {in_five_days.strftime('%A')}" in cleaner
    assert f'datetime="{in_five_days.isoformat()}"' in cleaner
    assert "yearly on February 29, 10 times in all" in row_of(page, "Salary")
    saving = row_of(page, "Saving")
    assert "monthly on day 10, until Dec 10, 2030" in saving
    assert "paused" in saving and "→ Savings" in saving

    upcoming = page.split("Upcoming")[1]
    dates = re.findall(r'<time datetime="([\d-]+)" class="nowrap">', upcoming)
    assert in_five_days.isoformat() in dates
    assert (in_five_days + dt.timedelta(days=14)).isoformat() in dates
    assert dates == sorted(dates)
    assert "Saving" not in upcoming  # paused


def test_create_due_now_books_each_date_once_and_only_for_her(ada, bob, db):
    checking = ada.open_account("Checking", opening="1000")
    create_ok(ada, name="Gym", account_id=checking, amount="10", payee="Gym",
              frequency="weekly", start_date=(TODAY - dt.timedelta(days=21)).isoformat())  # fmt: skip
    bobs = bob.open_account("Bob's account")
    bob.post("/recurring/new", {"name": "Bob's bill", "kind": "expense", "account_id": bobs,
                                "amount": "5", "interval": "1", "frequency": "daily",
                                "start_date": TODAY.isoformat(), "active": "y"},
             form_url="/recurring/new")  # fmt: skip
    page = ada.page("/recurring/")
    assert "Create due transactions now (4)" in page
    assert page.count("overdue") == 3

    response = ada.post("/recurring/run", form_url="/recurring/")
    assert response.status_code == 302 and response.headers["Location"] == "/recurring/"
    assert "Created 4 due transactions." in ada.page("/recurring/")
    assert rows_in(db, Transaction) == 4  # Bob's bill waits for Bob
    listing = ada.page("/transactions/")
    assert listing.count("<tr data-transaction-id") == 4 and "Gym" in listing

    ada.post("/recurring/run", form_url="/recurring/")
    page = ada.page("/recurring/")
    assert "Nothing is due" in page and "overdue" not in page
    assert rows_in(db, Transaction) == 4

    bob.post("/recurring/run", form_url="/recurring/")
    assert rows_in(db, Transaction) == 5


def test_editing_prefills_the_form_and_deleting_keeps_what_was_booked(ada, db):
    checking = ada.open_account("Checking")
    create_ok(ada, name="Phone", account_id=checking, amount="19.99", payee="Telco",
              tags="bills, Phone", day_of_month="5",
              start_date=(TODAY - dt.timedelta(days=40)).isoformat())  # fmt: skip
    edit_url = re.search(r'href="(/recurring/\d+/edit)"', ada.page("/recurring/")).group(1)
    ada.post("/recurring/run", form_url="/recurring/")
    booked = rows_in(db, Transaction)
    assert booked >= 1  # the 5th of last month at least

    form = ada.page(edit_url)
    assert 'value="Phone"' in form and 'value="19.99"' in form and 'value="bills, phone"' in form
    assert '<option selected value="5">On day 5</option>' in form
    response = ada.browser.submit(edit_url, {
        "name": "Phone", "kind": "expense", "account_id": checking, "amount": "24.99",
        "interval": "3", "frequency": "monthly", "day_of_month": "5",
        "start_date": (TODAY - dt.timedelta(days=40)).isoformat(), "active": "y",
    })  # fmt: skip
    assert response.status_code == 302
    page = ada.page("/recurring/")
    assert "every 3 months on day 5" in page and "-€24.99" in page

    ada.post(edit_url.replace("/edit", "/delete"), form_url="/recurring/")
    assert "Nothing recurring yet" in ada.page("/recurring/")
    assert rows_in(db, Transaction) == booked


def test_an_invalid_schedule_is_refused_with_the_reason_beside_the_field(ada, db):
    checking = ada.open_account("Checking")
    mistakes = [
        ({"frequency": "weekly", "day_of_month": "15"}, "a day of the month is for monthly schedules"),
        ({"end_date": (TODAY - dt.timedelta(days=1)).isoformat()}, "the end date is before the start date"),
        ({"interval": "0"}, "repeat every 1 to 366 periods"),
        ({"interval": "two"}, "enter a whole number"),
        ({"interval": ""}, "enter how many periods apart, e.g. 1"),
        ({"max_count": "0"}, "the count is 1 to 10,000"),
        ({"frequency": "hourly"}, "choose daily, weekly, monthly or yearly"),
        ({"start_date": ""}, "enter a date"),
        ({"amount": "12.345"}, "EUR amounts have at most 2 decimal places"),
        ({"name": ""}, "give it a name of at most 80 characters"),
        ({"kind": "transfer"}, "choose an account"),
    ]  # fmt: skip
    for change, message in mistakes:
        fields = {"name": "Rent", "account_id": checking, "amount": "950", **change}
        response = create(ada, **fields)
        assert response.status_code == 422, change
        assert message in form_errors(response.get_data(as_text=True)), change
    assert rows_in(db, RecurringTransaction) == 0
    assert rows_in(db, Transaction) == 0
