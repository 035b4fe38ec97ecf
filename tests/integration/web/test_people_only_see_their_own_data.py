"""Bob walks every page of the app, GET and POST, aimed at Ada's ids. He never sees any of her
data and changes none of it. The routes come from the app's URL map, so a new page is walked
the day it is added."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from tests.integration.web.routes import methods, page_rules, url_for_rule
from tests.integration.web.story import TODAY
from tests.integration.web.test_receipt_pages import PNG

from finance_tracker.store.models import (
    ApiToken,
    Base,
    Budget,
    Category,
    ExchangeRate,
    ImportBatch,
    Receipt,
    RecurringTransaction,
    Rule,
    Tag,
    Transaction,
)

SECRETS = ["Ada Secret Bank", "Ada Hidden Savings", "Ada Secret Payee", "Ada Secret Memo",
           "ada-secret-tag", "Ada Secret Category", "Ada Secret Token", "ada@example.com",
           "4,321.09", "4321.09", "Ada Secret Bill", "Ada Secret Rule", "987.65",
           "Ada Secret Receipt", "ada-secret-statement", "Ada Secret Import Payee"]  # fmt: skip


@pytest.fixture
def adas_ids(ada, db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    bank = ada.open_account("Ada Secret Bank", opening="4321.09")
    savings = ada.open_account("Ada Hidden Savings", type="savings")
    ada.browser.submit(
        "/categories/", {"category-name": "Ada Secret Category", "category-parent_id": ""}
    )
    category = ada.category("Ada Secret Category")
    expense = ada.add_ok(
        account_id=bank, amount="12.34", payee="Ada Secret Payee", memo="Ada Secret Memo",
        category_id=category, tags="ada-secret-tag",
    )  # fmt: skip
    ada.add_ok(kind="transfer", account_id=bank, to_account_id=savings, amount="5",
               payee="Ada Secret Payee")  # fmt: skip
    ada.browser.submit("/settings/", {"name": "Ada Secret Token"}, action="/settings/tokens")
    ada.post("/budgets/", {"month": TODAY.strftime("%Y-%m"), "category_id": category,
                           "amount": "987.65", "currency": "EUR"}, form_url="/budgets/")  # fmt: skip
    ada.post("/recurring/new", {"name": "Ada Secret Bill", "kind": "expense", "account_id": bank,
                                "amount": "9.99", "payee": "Ada Secret Payee", "interval": "1",
                                "frequency": "monthly", "start_date": TODAY.isoformat(),
                                "active": "y"}, form_url="/recurring/new")  # fmt: skip
    ada.post("/rules/new", {"name": "Ada Secret Rule", "match_field": "payee",
                            "match_type": "contains", "pattern": "Ada Secret Payee",
                            "set_category_id": category, "active": "y"}, form_url="/rules/new")  # fmt: skip
    ada.upload(f"/transactions/{expense}/receipts", PNG, "Ada Secret Receipt.png",
               form_url=f"/transactions/{expense}/edit")  # fmt: skip
    ada.upload("/imports/", b"Date,Payee,Amount\n2026-10-01,Ada Secret Import Payee,-1.00\n",
               "ada-secret-statement.csv", form_url="/imports/", account_id=bank)  # fmt: skip
    ada.browser.submit("/rates/", {"rate-base": "EUR", "rate-quote": "USD", "rate-rate": "1.0987",
                                   "rate-day": TODAY.isoformat()}, action="/rates/")  # fmt: skip
    with db.session() as session:
        rate = session.scalar(select(ExchangeRate.id))
        batch = session.scalar(select(ImportBatch.id))
        receipt = session.scalar(select(Receipt.id))
    assert batch and receipt
    with db.session() as session:
        tag = session.scalar(select(Tag.id).where(Tag.name == "ada-secret-tag"))
        token = session.scalar(select(ApiToken.id).where(ApiToken.name == "Ada Secret Token"))
        budget = session.scalar(select(Budget.id))
        bill = session.scalar(select(RecurringTransaction.id))
        rule = session.scalar(select(Rule.id))
    assert budget and bill and rule
    return {
        "account_id": bank, "transaction_id": expense, "category_id": category,
        "tag_id": tag, "token_id": token, "to_account_id": savings,
        "budget_id": budget, "recurring_id": bill, "rule_id": rule,
        "batch_id": batch, "receipt_id": receipt, "rate_id": rate,
    }  # fmt: skip


def snapshot(db, user_id: int) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Every row that belongs to a user, in every table that has a user_id (and her tag links)."""
    rows: dict[str, list[tuple]] = {}
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            if "user_id" in table.c:
                query = select(table).where(table.c.user_id == user_id)
            elif table.name == "transaction_tags":
                mine = select(Transaction.id).where(Transaction.user_id == user_id)
                query = select(table).where(table.c.transaction_id.in_(mine))
            elif table.name == "users":
                query = select(table).where(table.c.id == user_id)
            else:
                continue
            rows[table.name] = sorted(tuple(row) for row in session.execute(query))
    return rows


def bobs_post_data(ids: dict[str, int]) -> dict[str, object]:
    """What Bob sends to every form: Ada's ids wherever a form takes one."""
    return {
        "kind": "transfer", "account_id": ids["account_id"], "to_account_id": ids["to_account_id"],
        "category_id": ids["category_id"], "category-parent_id": ids["category_id"],
        "splits-0-category_id": ids["category_id"], "splits-0-amount": "1",
        "splits-1-amount": "1", "date": TODAY.isoformat(), "amount": "2", "payee": "Bob",
        "name": "Bob was here", "category-name": "Bob was here", "tag-name": "bob-was-here",
        "type": "checking", "currency": "EUR", "opening_balance": "0",
        "email": "bob@example.com", "password": "wrong wrong wrong",
        "month": TODAY.strftime("%Y-%m"), "set_category_id": ids["category_id"],
        "pattern": "Bob", "match_field": "payee", "match_type": "contains",
        "frequency": "monthly", "interval": "1", "start_date": TODAY.isoformat(),
        "direction": "up",
    }  # fmt: skip


def test_bob_never_sees_or_changes_adas_data(app, ada, bob, db, adas_ids):
    ada_id, bob_id = ada.user_id, bob.user_id
    before = snapshot(db, ada_id)
    assert before["transactions"] and before["api_tokens"]
    walked = []

    for rule in page_rules(app):
        url = url_for_rule(app, rule, adas_ids)
        for method in methods(rule):
            if method == "GET":
                response = bob.get(url)
            else:
                response = bob.browser.submit("/settings/", bobs_post_data(adas_ids), action=url)
            body = response.get_data(as_text=True)
            where = f"{method} {url}"
            walked.append(where)
            for secret in SECRETS:
                assert secret not in body, f"{where} shows Ada's {secret!r}"
            if rule.arguments == {"token"}:  # a link we email: not a row of anybody's
                assert response.status_code == 400, where
            elif rule.arguments:
                assert response.status_code == 404, where  # her ids look like no ids at all
            else:
                assert response.status_code in {200, 201, 302, 400, 405, 422}, where

    assert len(walked) >= 25, walked
    assert snapshot(db, ada_id) == before
    # Bob's own rows never point at Ada's: no account, category or transaction of hers.
    with db.session() as session:
        bobs_parents = session.scalars(
            select(Category.parent_id).where(Category.user_id == bob_id)
        ).all()
        assert adas_ids["category_id"] not in bobs_parents
        assert session.scalars(select(Transaction).where(Transaction.user_id == bob_id)).all() == []


def test_a_filter_on_someone_elses_account_or_category_finds_nothing(ada, bob, adas_ids):
    for query in (f"account_id={adas_ids['account_id']}",
                  f"category_id={adas_ids['category_id']}", "text=secret", "tag=ada-secret-tag"):  # fmt: skip
        response = bob.get(f"/transactions/?{query}")
        body = response.get_data(as_text=True)
        assert response.status_code in {200, 422}, query
        assert not any(secret in body for secret in SECRETS), query
        assert not re.search(r'class="payee"', body), query
