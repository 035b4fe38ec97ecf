"""Writing an import fast and all at once, inside the caller's transaction.

Rows arrive in chunks. For each chunk: look up which import keys the account already has (one
indexed query), then write only the new rows — with COPY straight into `transactions` on
PostgreSQL, executemany on SQLite. The unique (account_id, import_key) index stays the last
word: a concurrent import of the same rows makes this one fail whole, never duplicate.

The database work runs in a second thread while the caller's thread parses the next chunk, so
an import takes about as long as the slower of the two instead of their sum.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import Executable, bindparam, func, select, text
from sqlalchemy.orm import Session

from finance_tracker.store.models import Transaction, utcnow

CHUNK = 5_000
_COLUMNS = (
    "user_id", "account_id", "date", "amount_minor", "kind", "payee", "memo", "category_id",
    "is_split", "import_key", "import_batch_id", "created_at", "updated_at",
)  # fmt: skip
_LINK_TAGS = text(
    "INSERT INTO transaction_tags (transaction_id, tag_id)"
    " SELECT t.id, g.id FROM transactions t JOIN tags g ON g.user_id = :user_id AND g.name = :tag"
    " WHERE t.account_id = :account_id AND t.import_key = :key"
    " ON CONFLICT DO NOTHING"
)


@dataclass(frozen=True, slots=True)
class ImportRow:
    date: dt.date
    amount_minor: int
    kind: str
    payee: str
    memo: str
    category_id: int | None
    import_key: str
    tags: str  # comma-separated tag names set by a rule, usually ""


@dataclass
class Written:
    rows: int
    inserted: int
    months: set[dt.date]


def _chunks(rows: Iterable[ImportRow]) -> Iterator[list[ImportRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def write(
    session: Session,
    *,
    user_id: int,
    account_id: int,
    batch_id: int,
    rows: Iterable[ImportRow],
    progress: Callable[[int], None] = lambda _done: None,
) -> Written:
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    existing_query: Executable
    if postgres:  # one array parameter: no 5,000-placeholder statement to build and parse
        existing_query = text(
            "SELECT import_key FROM transactions"
            " WHERE account_id = :account AND import_key = ANY(:keys)"
        ).bindparams(account=account_id)
    else:
        existing_query = select(Transaction.import_key).where(
            Transaction.account_id == account_id,
            Transaction.import_key.in_(bindparam("keys", expanding=True)),
        )
    now = utcnow()
    seen_in_file: set[str] = set()  # a bank id repeated inside one file counts once
    written = Written(0, 0, set())

    # A row can only have been imported before if its date falls within the dates this
    # account already holds imported rows for (a bank id keeps its date): outside that range,
    # and on a first import, there is nothing to look up.
    low, high = connection.execute(
        select(func.min(Transaction.date), func.max(Transaction.date)).where(
            Transaction.account_id == account_id, Transaction.import_key.is_not(None)
        )
    ).one()

    def store(chunk: list[ImportRow]) -> None:
        keys = [r.import_key for r in chunk if low is not None and low <= r.date <= high]
        existing = set(connection.execute(existing_query, {"keys": keys}).scalars()) if keys else ()
        new = []
        for row in chunk:
            if row.import_key in existing or row.import_key in seen_in_file:
                continue
            if row.import_key.startswith("fitid:"):
                seen_in_file.add(row.import_key)
            new.append(row)
            written.months.add(row.date.replace(day=1))
        values = [
            (user_id, account_id, r.date, r.amount_minor, r.kind, r.payee, r.memo, r.category_id,
             False, r.import_key, batch_id, now, now)
            for r in new
        ]  # fmt: skip
        if values:
            (_copy if postgres else _executemany)(connection, values)
        tagged = [
            {"user_id": user_id, "account_id": account_id, "key": r.import_key, "tag": tag}
            for r in new
            if r.tags
            for tag in r.tags.split(",")
        ]
        if tagged:
            connection.execute(_LINK_TAGS, tagged)
        written.rows += len(chunk)
        written.inserted += len(new)
        progress(written.rows)

    _pipeline(_chunks(rows), store)
    return written


def _pipeline(chunks: Iterator[list[ImportRow]], store: Callable[[list[ImportRow]], None]) -> None:
    """Produce chunks here, store them in a worker thread; the first error on either side
    stops both and is raised here (the caller's transaction then rolls everything back)."""
    pending: queue.Queue[list[ImportRow] | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def consume() -> None:
        while (chunk := pending.get()) is not None:
            if failure:
                continue  # drain: the producer stops at its next put
            try:
                store(chunk)
            except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
                failure.append(error)

    worker = threading.Thread(target=consume, name="import-writer", daemon=True)
    worker.start()
    try:
        for chunk in chunks:
            if failure:
                break
            pending.put(chunk)
    finally:
        pending.put(None)
        worker.join()
    if failure:
        raise failure[0]


def _copy(connection, values: list[tuple]) -> None:  # type: ignore[no-untyped-def]
    raw = connection.connection.driver_connection  # psycopg's own connection, same transaction
    statement = f"COPY transactions ({', '.join(_COLUMNS)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in values:
            copy.write_row(row)


def _executemany(connection, values: list[tuple]) -> None:  # type: ignore[no-untyped-def]
    names = ", ".join(_COLUMNS)
    marks = ", ".join(f":{c}" for c in _COLUMNS)
    statement = text(f"INSERT INTO transactions ({names}) VALUES ({marks})")  # noqa: S608
    connection.execute(statement, [dict(zip(_COLUMNS, row, strict=True)) for row in values])
