"""Shortcuts that let the page tests read like a person using the app: open an account, record a
transaction, look at a page. Arranging large amounts of data goes through the services."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re

from sqlalchemy import func, select

from finance_tracker.services import categories, transactions
from finance_tracker.services.transactions import TransactionInput
from finance_tracker.store.models import Account, Transaction, User

TODAY = dt.date.today()


class Person:
    """A signed-in browser plus the shortcuts a story needs."""

    def __init__(self, browser, db, email: str) -> None:  # type: ignore[no-untyped-def]
        self.browser = browser
        self.db = db
        self.email = email

    @property
    def user_id(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(User.id).where(User.email == self.email))

    def get(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.browser.get(url, **kwargs)

    def page(self, url: str) -> str:
        response = self.browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)

    def post(self, url: str, data: dict | None = None, *, form_url: str = "/settings/"):  # type: ignore[no-untyped-def]
        """POST with the CSRF token taken from a page, like a form would."""
        return self.browser.submit(form_url, data or {}, action=url)

    def upload(self, url: str, content: bytes, filename: str, *, form_url: str, **fields):  # type: ignore[no-untyped-def]
        """Send a file with a form (multipart), like a file input would."""
        data = {**{k: str(v) for k, v in fields.items()}, "file": (io.BytesIO(content), filename)}
        return self.browser.submit(form_url, data, action=url)

    def open_account(
        self, name: str, currency: str = "EUR", opening: str = "0", type: str = "checking"
    ) -> int:
        response = self.browser.submit(
            "/accounts/new",
            {"name": name, "type": type, "currency": currency, "opening_balance": opening},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    def add(self, **fields: object):  # type: ignore[no-untyped-def]
        """Submit the new-transaction form; `fields` as the form names them."""
        data = {"kind": "expense", "date": TODAY.isoformat(), **fields}
        return self.browser.submit("/transactions/new", {k: str(v) for k, v in data.items()})

    def add_ok(self, **fields: object) -> int:
        response = self.add(**fields)
        assert response.status_code == 302, form_errors(response.get_data(as_text=True))
        with self.db.session() as session:
            return session.scalar(
                select(func.max(Transaction.id)).where(
                    Transaction.user_id == self.user_id, Transaction.parent_id.is_(None)
                )
            )

    def category(self, full_name: str) -> int:
        with self.db.session() as session:
            for category in categories.list_all(session, self.user_id):
                if category.full_name == full_name:
                    return category.id
        raise AssertionError(f"no category {full_name}")


def form_errors(html: str) -> list[str]:
    """The error messages a form shows beside its fields and at its top."""
    inline = re.findall(r'class="field-error"[^>]*>([^<]*)<', html)
    top = re.findall(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S)
    found = [m.strip() for m in inline] + [re.sub(r"<[^>]+>", " ", t).strip() for t in top]
    return [html_lib.unescape(message) for message in found]


def rows_in(db, model=Transaction) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def accounts_in(db) -> int:  # type: ignore[no-untyped-def]
    return rows_in(db, Account)


def payees_in_order(html: str) -> list[str]:
    return re.findall(r'class="payee">([^<]*)</a>', html)


def seed(db, user_id: int, *entries: TransactionInput) -> None:  # type: ignore[no-untyped-def]
    """Many transactions at once, straight through the services: arranging, not the story."""
    with db.session() as session:
        for entry in entries:
            transactions.create(session, user_id, entry)
