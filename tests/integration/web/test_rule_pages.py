"""Ada teaches the app her habits: rules that categorise, tag and rename, in the order she sets,
applied to new transactions and, after a preview, to those she already has."""

from __future__ import annotations

import re

from sqlalchemy import select
from tests.integration.web.story import TODAY, form_errors, rows_in, seed

from finance_tracker.services.transactions import TransactionInput
from finance_tracker.store.models import Rule, Transaction


def create(person, **fields: object):  # type: ignore[no-untyped-def]
    data = {"match_field": "payee", "match_type": "contains", "active": "y", **fields}
    return person.post("/rules/new", {k: str(v) for k, v in data.items()}, form_url="/rules/new")


def create_ok(person, **fields: object) -> None:  # type: ignore[no-untyped-def]
    response = create(person, **fields)
    assert response.status_code == 302, form_errors(response.get_data(as_text=True))


def rule_order(page: str) -> list[str]:
    return re.findall(r'<tr data-rule="([^"]*)"', page)


def categories_of(db, user_id: int) -> dict[str, int | None]:  # type: ignore[no-untyped-def]
    with db.session() as session:
        rows = session.execute(
            select(Transaction.payee, Transaction.category_id).where(Transaction.user_id == user_id)
        )
        return dict(rows.all())


def test_a_rule_fills_in_a_new_transaction_and_the_page_says_so(ada):
    checking = ada.open_account("Checking")
    create_ok(ada, name="Streaming", pattern="netflix", amount_max="50",
              set_category_id=ada.category("Leisure › Subscriptions"),
              set_tags="subscription", set_payee="Netflix")  # fmt: skip
    page = ada.page("/rules/")
    assert "Rule added." in page
    row = re.search(r'<tr data-rule="Streaming".*?</tr>', page, re.S).group(0)
    assert "Payee" in row and "contains “netflix”" in row and "amount up to €50.00" in row
    assert "category → Leisure › Subscriptions" in row and "payee → “Netflix”" in row
    assert '<span class="tag">+ subscription</span>' in row

    ada.add_ok(account_id=checking, amount="15.99", payee="NETFLIX.COM 1234", tags="fun")
    listing = ada.page("/transactions/")
    assert ("Rule applied: category set to Leisure › Subscriptions; payee set to “Netflix”; "
            "tags added: subscription.") in listing  # fmt: skip
    assert 'class="payee">Netflix</a>' in listing

    # A category she chose herself is kept, and nothing is said when no rule did anything.
    ada.add_ok(account_id=checking, amount="9.99", payee="Netflix",
               category_id=ada.category("Leisure › Entertainment"), tags="subscription")  # fmt: skip
    assert "Rule applied" not in ada.page("/transactions/")
    ada.add_ok(account_id=checking, amount="80", payee="Netflix")  # over the amount bound
    assert "Rule applied" not in ada.page("/transactions/")


def test_a_broken_or_slow_regular_expression_is_shown_on_the_pattern(ada, db):
    ada.open_account("Checking")
    category = ada.category("Transport › Taxi")
    mistakes = [
        ({"match_type": "regex", "pattern": "(unclosed"}, "not a valid regular expression"),
        ({"match_type": "regex", "pattern": "(x+x+)+y"}, "this regular expression is too slow"),
        ({"pattern": ""}, "enter text to match"),
        ({"pattern": "uber", "set_category_id": ""}, "a rule must set a category, tags or a payee"),
        ({"pattern": "uber", "amount_min": "20", "amount_max": "10"}, "the maximum is below the minimum"),
        ({"pattern": "uber", "amount_min": "ten"}, "enter an amount like 1,234.56 (or 1234.56)"),
        ({"pattern": "uber", "match_field": "amount"}, "match the payee, the memo, or any of them"),
    ]  # fmt: skip
    for change, message in mistakes:
        response = create(ada, **{"name": "Taxi", "set_category_id": category, **change})
        assert response.status_code == 422, change
        body = response.get_data(as_text=True)
        assert any(message in e for e in form_errors(body)), (change, form_errors(body))
        if "regular expression" in message:
            assert re.search(
                r'id="pattern-error" class="field-error">[^<]*regular expression', body
            )
    assert rows_in(db, Rule) == 0


def test_applying_a_rule_to_existing_transactions_after_a_preview(ada, db):
    checking = ada.open_account("Checking")
    restaurants, taxi = ada.category("Food › Restaurants"), ada.category("Transport › Taxi")
    seed(db, ada.user_id,
         TransactionInput("expense", checking, TODAY, "12.50", payee="UBER TRIP 1"),
         TransactionInput("expense", checking, TODAY, "8.00", payee="Uber trip 2"),
         TransactionInput("expense", checking, TODAY, "30.00", payee="Uber Eats",
                          category_id=restaurants),
         TransactionInput("expense", checking, TODAY, "9.00", payee="Bolt"),
         TransactionInput("expense", checking, TODAY, "7.00", payee="My uber"))  # fmt: skip
    response = create(ada, name="Rides", match_type="regex", pattern="^uber", set_category_id=taxi,
                      set_tags="travel", save_and_preview="1")  # fmt: skip
    preview_url = response.headers["Location"]
    assert re.fullmatch(r"/rules/\d+/preview", preview_url)

    preview = ada.page(preview_url)
    assert re.search(r"<strong>3 transactions</strong> would change", preview)
    assert "<del>Food › Restaurants</del> → <ins>Transport › Taxi</ins>" in preview
    assert preview.count("<del>Uncategorised</del> → <ins>Transport › Taxi</ins>") == 2
    assert preview.count('<span class="tag">+ travel</span>') == 3
    assert "Bolt" not in preview and "My uber" not in preview
    assert categories_of(db, ada.user_id)["UBER TRIP 1"] is None  # a preview changes nothing

    apply_url = preview_url.replace("/preview", "/apply")
    response = ada.post(apply_url, form_url=preview_url)
    assert response.status_code == 302 and response.headers["Location"] == "/rules/"
    assert "Rule “Rides” applied: 3 transactions changed." in ada.page("/rules/")
    after = categories_of(db, ada.user_id)
    assert after["UBER TRIP 1"] == after["Uber trip 2"] == after["Uber Eats"] == taxi
    assert after["Bolt"] is None and after["My uber"] is None
    assert "Nothing would change" in ada.page(preview_url)


def test_rules_are_reordered_edited_and_deleted(ada, db):
    ada.open_account("Checking")
    for name in ("First", "Second", "Third"):
        create_ok(ada, name=name, pattern=name.lower(), set_payee=name)
    assert rule_order(ada.page("/rules/")) == ["First", "Second", "Third"]

    ids = dict(re.findall(r'<tr data-rule="([^"]*)".*?/rules/(\d+)/move', ada.page("/rules/"),
                          re.S))  # fmt: skip
    ada.post(f"/rules/{ids['Third']}/move", {"direction": "up"}, form_url="/rules/")
    assert rule_order(ada.page("/rules/")) == ["First", "Third", "Second"]
    ada.post(f"/rules/{ids['First']}/move", {"direction": "up"}, form_url="/rules/")  # top: stays
    ada.post(f"/rules/{ids['First']}/move", {"direction": "down"}, form_url="/rules/")
    assert rule_order(ada.page("/rules/")) == ["Third", "First", "Second"]
    with db.session() as session:
        positions = session.execute(select(Rule.name, Rule.position).order_by(Rule.position))
        assert positions.all() == [("Third", 1), ("First", 2), ("Second", 3)]

    edit_url = f"/rules/{ids['Second']}/edit"
    form = ada.page(edit_url)
    assert 'value="Second"' in form and 'value="second"' in form
    response = ada.browser.submit(edit_url, {
        "name": "Second", "match_field": "any", "match_type": "contains", "pattern": "second",
        "set_payee": "Second", "amount_min": "5", "active": "",
    })  # fmt: skip
    assert response.status_code == 302
    row = re.search(r'<tr data-rule="Second".*?</tr>', ada.page("/rules/"), re.S).group(0)
    assert "Payee or memo" in row and "amount from €5.00" in row and "paused" in row
    assert rule_order(ada.page("/rules/"))[-1] == "Second"  # editing keeps the place

    ada.post(f"/rules/{ids['First']}/delete", form_url="/rules/")
    assert rule_order(ada.page("/rules/")) == ["Third", "Second"]
