"""Writing an import fast and all at once, inside the caller's transaction.

PostgreSQL: COPY the rows into a temporary table, then one INSERT … ON CONFLICT DO NOTHING into
transactions; the unique (account_id, import_key) index drops rows imported before, even by a
concurrent import. SQLite: the same statement, row batches through executemany.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from finance_tracker.store.models import utcnow

CHUNK = 10_000


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


_COLUMNS = "date, amount_minor, kind, payee, memo, category_id, import_key, tags"
_INSERT = """
    INSERT INTO transactions (user_id, account_id, date, amount_minor, kind, payee, memo,
        category_id, is_split, import_key, import_batch_id, created_at, updated_at)
    SELECT :user_id, :account_id, date, amount_minor, kind, payee, memo, category_id, false,
        import_key, :batch_id, :now, :now
    FROM import_rows
    ORDER BY position
    ON CONFLICT (account_id, import_key) DO NOTHING
"""
_TAGS = """
    INSERT INTO transaction_tags (transaction_id, tag_id)
    SELECT t.id, g.id FROM transactions t
    JOIN import_rows r ON r.import_key = t.import_key
    JOIN tags g ON g.user_id = :user_id AND (',' || r.tags || ',') LIKE ('%,' || g.name || ',%')
    WHERE t.import_batch_id = :batch_id AND t.account_id = :account_id AND r.tags <> ''
    ON CONFLICT DO NOTHING
"""


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
    connection.execute(text("DROP TABLE IF EXISTS import_rows"))
    connection.execute(
        text(
            "CREATE TEMPORARY TABLE import_rows (position INTEGER, date DATE, amount_minor BIGINT,"
            " kind VARCHAR(10), payee VARCHAR(200), memo TEXT, category_id INTEGER,"
            " import_key VARCHAR(64), tags VARCHAR(400))"
        )
    )
    months: set[dt.date] = set()
    if postgres:
        count = _copy(connection, rows, months, progress)
    else:
        count = _executemany(connection, rows, months, progress)
    params = {"user_id": user_id, "account_id": account_id, "batch_id": batch_id, "now": utcnow()}
    inserted = connection.execute(text(_INSERT), params).rowcount
    connection.execute(text(_TAGS), params)
    connection.execute(text("DROP TABLE import_rows"))
    progress(count)
    return Written(count, inserted, months)


def _copy(connection, rows, months, progress) -> int:  # type: ignore[no-untyped-def]
    raw = connection.connection.driver_connection  # psycopg's own connection, same transaction
    count = 0
    statement = f"COPY import_rows (position, {_COLUMNS}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for count, row in enumerate(rows, start=1):
            copy.write_row((count, row.date, row.amount_minor, row.kind, row.payee, row.memo,
                            row.category_id, row.import_key, row.tags))  # fmt: skip
            months.add(row.date.replace(day=1))
            if count % CHUNK == 0:
                progress(count)
    return count


def _executemany(connection, rows, months, progress) -> int:  # type: ignore[no-untyped-def]
    statement = text(
        f"INSERT INTO import_rows (position, {_COLUMNS}) VALUES "  # noqa: S608 - constants only
        "(:position, :date, :amount_minor, :kind, :payee, :memo, :category_id, :import_key, :tags)"
    )
    batch: list[dict[str, object]] = []
    count = 0
    for count, row in enumerate(rows, start=1):
        batch.append({"position": count, "date": row.date, "amount_minor": row.amount_minor,
                      "kind": row.kind, "payee": row.payee, "memo": row.memo,
                      "category_id": row.category_id, "import_key": row.import_key,
                      "tags": row.tags})  # fmt: skip
        months.add(row.date.replace(day=1))
        if len(batch) == CHUNK:
            connection.execute(statement, batch)
            batch.clear()
            progress(count)
    if batch:
        connection.execute(statement, batch)
    return count
