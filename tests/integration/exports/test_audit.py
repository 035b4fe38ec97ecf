"""Every export and every restore is in the audit log, with who and from where, whichever way it
was asked for: the web pages or the API. The service records it, so neither can forget."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from tests.conftest import Browser

from finance_tracker.services import accounts, audit, exports, tokens, transactions, users
from finance_tracker.services.accounts import AccountInput
from finance_tracker.services.transactions import TransactionInput
from finance_tracker.store.models import AuditEvent, User

ADA_IP = "203.0.113.7"
BOB_IP = "198.51.100.23"
DAY = dt.date(2026, 11, 3)


def trail(db) -> list[tuple[int | None, str, str | None, str | None]]:  # type: ignore[no-untyped-def]
    """The audit rows of exports and restores: (user, event, ip, detail), oldest first."""
    with db.session() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.event.in_([audit.EXPORT, audit.RESTORE]))
            .order_by(AuditEvent.id)
        )
        return [(row.user_id, row.event, row.ip, row.detail) for row in rows]


def browser_at(app, ip: str) -> Browser:  # type: ignore[no-untyped-def]
    """A browser on a machine at this address (the whole visit: a login is bound to it)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return Browser(client)


def user_id(db, email: str) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(select(User.id).where(User.email == email))


@dataclass
class Person:
    """Someone signed in to the web app, with an API token beside it."""

    browser: Browser
    id: int
    token: str

    def api_get(self, url: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.browser.client.get(url, headers=headers, **kwargs)


@pytest.fixture
def ada(app, db) -> Person:
    """Ada, with an account and a read-only API token (exports only read)."""
    browser = browser_at(app, ADA_IP)
    browser.register("ada@example.com")
    ada_id = user_id(db, "ada@example.com")
    with db.session() as session:
        checking = accounts.create(
            session, ada_id, AccountInput("Checking", "checking", "EUR", "10.00")
        )
        transactions.create(
            session, ada_id, TransactionInput("expense", checking.id, DAY, "4.20", "Bakery")
        )
        _, token = tokens.create(session, ada_id, "export", scope=tokens.READ)
    return Person(browser, ada_id, token)


def test_web_exports_and_restore_are_audited(app, db, ada):
    csv_export = ada.browser.get("/transactions/export.csv")
    assert csv_export.status_code == 200
    assert "Bakery" in csv_export.get_data(as_text=True)
    backup = ada.browser.get("/settings/backup")
    assert backup.status_code == 200

    bob = browser_at(app, BOB_IP)
    bob.register("bob@example.com")
    restored = bob.submit(
        "/settings/", {"file": (io.BytesIO(backup.get_data()), "backup.json")},
        action="/settings/restore",
    )  # fmt: skip
    assert restored.status_code == 302, restored.get_data(as_text=True)
    bob_id = user_id(db, "bob@example.com")
    assert trail(db) == [
        (ada.id, "export", ADA_IP, "csv"),
        (ada.id, "export", ADA_IP, "full backup"),
        (bob_id, "restore", BOB_IP, "1 transaction record"),
    ]
    events = bob.get("/settings/").get_data(as_text=True).split('id="security-events"')[1]
    assert "restore" in events and BOB_IP in events  # Bob sees it among his security events


def test_api_exports_and_restore_are_audited(app, db, ada):
    csv_export = ada.api_get("/api/v1/exports/transactions.csv")
    assert csv_export.status_code == 200
    assert "Bakery" in csv_export.get_data(as_text=True)
    backup = ada.api_get("/api/v1/backup")
    assert backup.status_code == 200

    with db.session() as session:
        bob_id = users.register(session, "bob@example.com", "correct horse battery").id
        _, bob_token = tokens.create(session, bob_id, "restore")
    bob = Person(browser_at(app, BOB_IP), bob_id, bob_token)
    restored = bob.browser.client.post(
        "/api/v1/backup/restore", json=backup.get_json(),
        headers={"Authorization": f"Bearer {bob.token}"},
    )  # fmt: skip
    assert restored.status_code == 200, restored.get_json()
    assert trail(db) == [
        (ada.id, "export", ADA_IP, "csv"),
        (ada.id, "export", ADA_IP, "full backup"),
        (bob_id, "restore", BOB_IP, "1 transaction record"),
    ]


def test_refused_exports_and_restores_leave_no_audit_row(db, ada):
    """Filters that name nothing of Ada's are refused before anything is sent: no export."""
    assert ada.api_get("/api/v1/exports/transactions.csv?account_id=999999").status_code == 422
    refused = ada.browser.get("/transactions/export.csv?account_id=999999")
    assert refused.status_code != 200 and refused.mimetype != "text/csv"
    assert trail(db) == []

    backup = ada.api_get("/api/v1/backup").get_json()
    with db.session() as session:
        _, write_token = tokens.create(session, ada.id, "write")
    # Ada has accounts: a restore into her would mix two histories, and is refused.
    again = ada.browser.client.post(
        "/api/v1/backup/restore", json=backup, headers={"Authorization": f"Bearer {write_token}"}
    )
    assert again.status_code == 409
    assert trail(db) == [(ada.id, "export", ADA_IP, "full backup")]


def test_a_csv_download_abandoned_halfway_is_still_on_record(db, ada):
    """The audit row is committed before the first page goes out, not with the last one."""
    with db.session() as session:
        account_id = accounts.create(session, ada.id, AccountInput("Wallet", "cash", "EUR", "0")).id
        for n in range(210):  # more than one page of 200
            transactions.create(
                session, ada.id, TransactionInput("expense", account_id, DAY, "1", f"Shop {n}")
            )
    lines = exports.transactions_csv(db.session, ada.id, ip=ADA_IP)
    assert next(lines).startswith("date,account,")
    lines.close()  # type: ignore[attr-defined]  # a generator; the person closed the tab
    assert trail(db) == [(ada.id, "export", ADA_IP, "csv")]
