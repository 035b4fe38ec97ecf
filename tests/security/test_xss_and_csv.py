"""Hostile names (payee, memo, category, tag, account) are escaped on every page and made
harmless in CSV exports (formula injection: = + - @ are neutralised)."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from finance_tracker.store.models import Category, Transaction
from tests.integration.web.routes import page_rules, url_for_rule
from tests.security.conftest import PASSWORD

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULAS = ['=HYPERLINK("http://evil")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def test_hostile_names_are_escaped_everywhere(app, client, browser, db):
    browser.register("ada@example.com", PASSWORD)
    account = browser.submit("/accounts/new", {"name": "Bank " + XSS[:40], "type": "checking",
                                               "currency": "EUR", "opening_balance": "0"})  # fmt: skip
    account_id = int(account.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    browser.submit("/categories/", {"category-name": "Cat " + XSS[:60], "category-parent_id": ""})
    with db.session() as session:
        category = session.scalar(select(Category.id).where(Category.name.like("Cat %")))
    for payee in [XSS, *FORMULAS]:
        response = browser.submit("/transactions/new", {
            "kind": "expense", "date": "2026-10-01", "account_id": account_id, "amount": "1.00",
            "payee": payee, "memo": XSS, "category_id": category, "tags": "x<b>y",
        })  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with db.session() as session:
        transaction = session.scalar(select(Transaction.id))
    ids = dict.fromkeys(
        ["transaction_id", "tag_id", "token_id", "budget_id", "recurring_id", "rule_id",
         "batch_id", "receipt_id", "to_account_id"], 1,
    )  # fmt: skip
    ids.update(account_id=account_id, category_id=category, transaction_id=transaction)
    checked = 0
    for rule in page_rules(app):
        if "GET" not in (rule.methods or ()):
            continue
        response = client.get(url_for_rule(app, rule, ids))
        body = response.get_data(as_text=True)
        if response.mimetype == "text/html":
            assert "<script>alert" not in body, rule.rule
            assert "<img src=x" not in body, rule.rule
            assert "<b>y" not in body, rule.rule
            checked += 1
    assert checked >= 20
    # The transactions list, where the names show up, does have them (escaped).
    listing = client.get("/transactions/").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in listing


def test_csv_export_neutralises_formulas(app, client, browser):
    browser.register("ada@example.com", PASSWORD)
    account = browser.submit("/accounts/new", {"name": "=Bank", "type": "checking",
                                               "currency": "EUR", "opening_balance": "0"})  # fmt: skip
    account_id = int(account.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    for payee in FORMULAS:
        browser.submit("/transactions/new", {"kind": "expense", "date": "2026-10-01",
                                             "account_id": account_id, "amount": "1.00",
                                             "payee": payee, "memo": "@memo"})  # fmt: skip
    response = client.get("/transactions/export.csv")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == len(FORMULAS)
    for row in rows:
        for column, value in row.items():
            if column.lower() in {"amount", "date", "transfer amount", "split of"}:
                continue
            assert not value.startswith(("=", "+", "-", "@")), (column, value)
    assert {row[next(c for c in row if c.lower() == "payee")] for row in rows} == {
        "'" + f for f in FORMULAS
    }
