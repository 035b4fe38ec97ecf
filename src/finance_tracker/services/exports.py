"""Exports: transactions as CSV, and a full JSON backup of one user that restores exactly.

The backup refers to rows by their position ("ref"), never by database ids, so exporting,
restoring into another database and exporting again gives the very same file.

Every export and every restore is written to the audit log here, whoever asks (the web pages,
the API): a new way in cannot forget it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from finance_tracker.domain.csv_style import CsvStyle
from finance_tracker.domain.ledger import Cleared
from finance_tracker.domain.text import Text
from finance_tracker.services import audit, transactions
from finance_tracker.services.errors import Conflict, InvalidInput
from finance_tracker.services.transactions import TransactionFilter
from finance_tracker.store import summaries
from finance_tracker.store.models import (
    Account,
    Budget,
    Category,
    CsvMapping,
    RecurringTransaction,
    Rule,
    Tag,
    Transaction,
    User,
    transaction_tags,
)

BACKUP_FORMAT = "finance-tracker-backup"
BACKUP_VERSION = 1
CSV_HEADER = ["date", "account", "kind", "amount", "currency", "payee", "memo", "category",
              "tags", "transfer_account", "transfer_amount", "split_of"]  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: make them plain text."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def transactions_csv(
    sessions: Callable[..., AbstractContextManager[Session]],
    user_id: int,
    filters: TransactionFilter | None = None,
    *,
    ip: str | None,
    style: CsvStyle | None = None,
) -> Iterator[str]:
    """The transactions as CSV, in pieces to stream. `sessions(readonly=…)` opens a unit of work.
    `style`: the machine format (the default) or a person's (domain/csv_style.py).

    The filters are checked here, by the first page's search (InvalidInput before anything is
    sent); then the export is recorded in the audit log in a transaction of its own, so that a
    download abandoned halfway is on record too; the rest is read from one unit of work that
    stays open while the answer streams, and ends when it is closed."""
    lines = _csv_lines(sessions, user_id, filters, style or CsvStyle())
    first = next(lines)
    try:
        with sessions(readonly=False) as session:
            audit.record(session, audit.EXPORT, user_id, ip=ip, detail="csv")
    except BaseException:
        lines.close()
        raise
    return _chain(first, lines)


def _csv_lines(
    sessions: Callable[..., AbstractContextManager[Session]],
    user_id: int,
    filters: TransactionFilter | None,
    style: CsvStyle,
) -> Generator[str, None, None]:
    # Read-only: on SQLite the stream must not hold the write lock while it is downloaded.
    with sessions(readonly=True) as session:
        yield from _csv_pages(session, user_id, filters, style)


def _chain(first: str, rest: Generator[str, None, None]) -> Iterator[str]:
    try:
        yield first
        yield from rest
    finally:
        rest.close()  # ends its unit of work


def _csv_pages(
    session: Session,
    user_id: int,
    filters: TransactionFilter | None = None,
    style: CsvStyle | None = None,
) -> Iterator[str]:
    """One CSV line per split line or transaction, newest first, streamed a batch at a time. A
    transfer is one line, from the account the money left, with what the other account got."""
    style = style or CsvStyle()
    buffer = io.StringIO()
    buffer.write(style.start)
    writer = csv.writer(buffer, delimiter=style.delimiter)
    writer.writerow(style.header(CSV_HEADER))
    batches = transactions.newest_first_in_batches(session, user_id, filters, batch_size=500)
    empty = True
    for batch in batches:
        others = transactions.transfer_counterparts(session, user_id, batch)
        for row in batch:
            other = others.get(row.id)
            for line in row.lines or [row]:
                writer.writerow([
                    style.date(row.date), safe_cell(row.account.name), style.kind(row.kind),
                    style.amount(line.amount_minor, row.account.currency), row.account.currency,
                    safe_cell(row.payee), safe_cell(line.memo),
                    safe_cell(line.category.full_name) if line.category else "",
                    safe_cell(",".join(t.name for t in row.tags)),
                    safe_cell(other.account.name) if other else "",
                    style.amount(other.amount_minor, other.account.currency) if other else "",
                    str(row.id) if row.lines else "",
                ])  # fmt: skip
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        empty = False
    if empty:  # the header alone
        yield buffer.getvalue()


def _date(value: dt.date | dt.datetime | None) -> str | None:
    """ISO 8601; timestamps always in UTC with an offset (SQLite hands them back naive)."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    return value.isoformat() if value is not None else None


def backup(session: Session, user_id: int, *, ip: str | None) -> dict[str, Any]:
    """Everything of one user's, as one document; the export is recorded in the audit log in
    the same transaction."""
    document = _backup_document(session, user_id)
    audit.record(session, audit.EXPORT, user_id, ip=ip, detail="full backup")
    return document


def _backup_document(session: Session, user_id: int) -> dict[str, Any]:
    user = session.get(User, user_id)
    assert user is not None

    def rows(model, *order):  # type: ignore[no-untyped-def]
        return list(session.scalars(select(model).where(model.user_id == user_id).order_by(*order)))

    accounts = rows(Account, Account.id)
    cats = rows(Category, Category.id)
    tag_rows = rows(Tag, Tag.id)
    txns = rows(Transaction, Transaction.id)
    ref = {
        "account": {a.id: n for n, a in enumerate(accounts)},
        "category": {c.id: n for n, c in enumerate(cats)},
        "transaction": {t.id: n for n, t in enumerate(txns)},
    }
    tag_name = {t.id: t.name for t in tag_rows}
    links: dict[int, list[str]] = {}
    for transaction_id, tag_id in session.execute(
        select(transaction_tags.c.transaction_id, transaction_tags.c.tag_id).where(
            transaction_tags.c.transaction_id.in_(
                select(Transaction.id).where(Transaction.user_id == user_id)
            )
        )
    ):
        links.setdefault(transaction_id, []).append(tag_name[tag_id])

    def cat_ref(category_id: int | None) -> int | None:
        return ref["category"].get(category_id) if category_id is not None else None

    return {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "default_currency": user.default_currency,
        "accounts": [
            {"name": a.name, "type": a.type, "currency": a.currency,
             "opening_balance_minor": a.opening_balance_minor, "archived": a.archived,
             "created_at": _date(a.created_at)}
            for a in accounts
        ],
        "categories": [{"name": c.name, "parent": cat_ref(c.parent_id)} for c in cats],
        "tags": sorted(tag_name.values()),
        "transactions": [
            {"account": ref["account"][t.account_id], "date": t.date.isoformat(),
             "amount_minor": t.amount_minor, "kind": t.kind, "payee": t.payee, "memo": t.memo,
             "category": cat_ref(t.category_id),
             "parent": ref["transaction"][t.parent_id] if t.parent_id else None,
             "is_split": t.is_split, "transfer_group": t.transfer_group,
             "import_key": t.import_key, "cleared": t.cleared,
             "tags": sorted(links.get(t.id, [])),
             "created_at": _date(t.created_at), "updated_at": _date(t.updated_at)}
            for t in txns
        ],
        "budgets": [
            {"category": cat_ref(b.category_id), "month": b.month.isoformat(),
             "amount_minor": b.amount_minor, "currency": b.currency, "rollover": b.rollover}
            for b in rows(Budget, Budget.month, Budget.category_id)
        ],
        "recurring": [
            {"name": r.name, "kind": r.kind, "account": ref["account"][r.account_id],
             "to_account": ref["account"].get(r.to_account_id) if r.to_account_id else None,
             "amount": r.amount, "to_amount": r.to_amount, "payee": r.payee, "memo": r.memo,
             "category": cat_ref(r.category_id), "tags": r.tags, "frequency": r.frequency,
             "interval": r.interval, "day_of_month": r.day_of_month,
             "start_date": r.start_date.isoformat(), "end_date": _date(r.end_date),
             "max_count": r.max_count, "active": r.active}
            for r in rows(RecurringTransaction, RecurringTransaction.id)
        ],
        "rules": [
            {"name": r.name, "position": r.position, "active": r.active,
             "match_field": r.match_field, "match_type": r.match_type, "pattern": r.pattern,
             "amount_min_minor": r.amount_min_minor, "amount_max_minor": r.amount_max_minor,
             "account": ref["account"].get(r.account_id) if r.account_id else None,
             "set_category": cat_ref(r.set_category_id), "set_tags": r.set_tags,
             "set_payee": r.set_payee}
            for r in rows(Rule, Rule.position, Rule.id)
        ],
        "csv_mappings": [
            {"account": ref["account"][m.account_id], "settings": m.settings_json}
            for m in rows(CsvMapping, CsvMapping.account_id)
        ],
    }  # fmt: skip


def restore(session: Session, user_id: int, data: Any, *, ip: str | None) -> int:
    """Load a backup into a user who has no accounts yet; all of it, or nothing on any error.
    A restore that happened is in the audit log (one that failed changed nothing)."""
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise InvalidInput({"file": Text("this is not a Finance Tracker backup")})
    if data.get("version") != BACKUP_VERSION:
        raise InvalidInput(
            {
                "file": Text(
                    "backup version %(version)r is not supported", version=data.get("version")
                )
            }
        )
    if session.scalar(select(func.count()).where(Account.user_id == user_id)):
        raise Conflict(Text("restore into a fresh user: this one already has accounts"))
    try:
        restored = _load(session, user_id, data)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise InvalidInput(
            {
                "file": Text(
                    "the backup is damaged: %(kind)s %(error)s",
                    kind=type(error).__name__,
                    error=error,
                )
            }
        ) from None
    records = f"{restored} transaction record{'s' if restored != 1 else ''}"
    audit.record(session, audit.RESTORE, user_id, ip=ip, detail=records)
    return restored


def _parse_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _load(session: Session, user_id: int, data: dict[str, Any]) -> int:
    # A fresh user's default categories and tags make way for the backed-up ones.
    session.execute(delete(Category).where(Category.user_id == user_id))
    session.execute(delete(Tag).where(Tag.user_id == user_id))
    user = session.get(User, user_id)
    assert user is not None
    user.default_currency = str(data["default_currency"])
    accounts = []
    for a in data["accounts"]:
        account = Account(
            user_id=user_id, name=a["name"], type=a["type"], currency=a["currency"],
            opening_balance_minor=int(a["opening_balance_minor"]), archived=bool(a["archived"]),
            created_at=_parse_time(a["created_at"]),
        )  # fmt: skip
        session.add(account)
        accounts.append(account)
    categories: list[Category] = []
    for c in data["categories"]:
        parent = categories[c["parent"]] if c["parent"] is not None else None
        category = Category(user_id=user_id, name=c["name"], parent=parent)
        session.add(category)
        session.flush()  # one by one: ids keep the backup's order, so refs round-trip
        categories.append(category)
    tags = {name: Tag(user_id=user_id, name=name) for name in data["tags"]}
    session.add_all(tags.values())
    session.flush()

    def cat(ref: int | None) -> int | None:
        return categories[ref].id if ref is not None else None

    rows: list[Transaction] = []
    for t in data["transactions"]:
        row = Transaction(
            user_id=user_id, account_id=accounts[t["account"]].id,
            date=dt.date.fromisoformat(t["date"]), amount_minor=int(t["amount_minor"]),
            kind=t["kind"], payee=t["payee"], memo=t["memo"], category_id=cat(t["category"]),
            parent_id=rows[t["parent"]].id if t["parent"] is not None else None,
            is_split=bool(t["is_split"]), transfer_group=t["transfer_group"],
            import_key=t["import_key"], tags=[tags[n] for n in t["tags"]],
            # backups from before the cleared state: entered rows were uncleared
            cleared=Cleared(t.get("cleared", Cleared.uncleared.value)).value,
            created_at=_parse_time(t["created_at"]), updated_at=_parse_time(t["updated_at"]),
        )  # fmt: skip
        session.add(row)
        session.flush()
        rows.append(row)
    for b in data["budgets"]:
        session.add(Budget(
            user_id=user_id, category_id=cat(b["category"]),
            month=dt.date.fromisoformat(b["month"]), amount_minor=int(b["amount_minor"]),
            currency=b["currency"], rollover=bool(b["rollover"]),
        ))  # fmt: skip
    for r in data["recurring"]:
        session.add(RecurringTransaction(
            user_id=user_id, name=r["name"], kind=r["kind"], account_id=accounts[r["account"]].id,
            to_account_id=accounts[r["to_account"]].id if r["to_account"] is not None else None,
            amount=r["amount"], to_amount=r["to_amount"], payee=r["payee"], memo=r["memo"],
            category_id=cat(r["category"]), tags=r["tags"], frequency=r["frequency"],
            interval=int(r["interval"]), day_of_month=r["day_of_month"],
            start_date=dt.date.fromisoformat(r["start_date"]),
            end_date=dt.date.fromisoformat(r["end_date"]) if r["end_date"] else None,
            max_count=r["max_count"], active=bool(r["active"]),
        ))  # fmt: skip
    for r in data["rules"]:
        session.add(Rule(
            user_id=user_id, name=r["name"], position=int(r["position"]), active=bool(r["active"]),
            match_field=r["match_field"], match_type=r["match_type"], pattern=r["pattern"],
            amount_min_minor=r["amount_min_minor"], amount_max_minor=r["amount_max_minor"],
            account_id=accounts[r["account"]].id if r["account"] is not None else None,
            set_category_id=cat(r["set_category"]), set_tags=r["set_tags"],
            set_payee=r["set_payee"],
        ))  # fmt: skip
    for m in data["csv_mappings"]:
        session.add(CsvMapping(account_id=accounts[m["account"]].id, user_id=user_id,
                               settings_json=m["settings"]))  # fmt: skip
    session.flush()
    summaries.refresh(session, user_id)
    return len(rows)
