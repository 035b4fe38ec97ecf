"""Writing an import fast and all at once, inside the caller's transaction.

Rows arrive in chunks. For each chunk: look up which import keys their accounts already have (one
indexed query per account), then write only the new rows — plain rows with COPY straight into
`transactions` on PostgreSQL, executemany on SQLite; the few splits and transfers a bank file
holds row by row. The unique (account_id, import_key) index stays the last word: a concurrent
import of the same rows makes this one fail whole, never duplicate.

The database work runs in a second thread while the caller's thread parses the next chunk, so
an import takes about as long as the slower of the two instead of their sum.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import Connection, Executable, bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from finance_tracker.store.models import Transaction, utcnow

CHUNK = 5_000
_COLUMNS = (
    "user_id", "account_id", "date", "amount_minor", "kind", "payee", "memo", "category_id",
    "is_split", "import_key", "import_batch_id", "cleared", "created_at", "updated_at",
)  # fmt: skip
_LINK_TAGS = text(
    "INSERT INTO transaction_tags (transaction_id, tag_id)"
    " SELECT t.id, g.id FROM transactions t JOIN tags g ON g.user_id = :user_id AND g.name = :tag"
    " WHERE t.account_id = :account_id AND t.import_key = :key"
    " ON CONFLICT DO NOTHING"
)


@dataclass(frozen=True, slots=True)
class ImportLine:
    """One line of an imported split: signed like its transaction."""

    amount_minor: int
    category_id: int | None
    memo: str


@dataclass(frozen=True, slots=True)
class ImportRow:
    account_id: int
    date: dt.date
    amount_minor: int
    kind: str
    payee: str
    memo: str
    category_id: int | None
    import_key: str
    tags: str  # comma-separated tag names (a rule's, the file's classes), usually ""
    cleared: str = "reconciled"
    lines: tuple[ImportLine, ...] = ()  # a split: the lines carry the categories
    # A transfer: the account of its other leg, and that leg's import key there.
    transfer_account_id: int | None = None
    transfer_key: str | None = None
    transfer_amount_minor: int | None = None  # what arrives there: -amount_minor by default
    # Other keys this row may be in its account under already (a transfer written earlier
    # from the other account's file).
    also_known_as: tuple[str, ...] = ()
    part: int = 0  # a record of the file may be several rows (a split with a transfer line)

    def places(self) -> list[tuple[int, str]]:
        """Every (account, key) this row occupies or may be found under."""
        found = [(self.account_id, self.import_key)]
        found += [(self.account_id, key) for key in self.also_known_as]
        if self.transfer_account_id is not None and self.transfer_key:
            found.append((self.transfer_account_id, self.transfer_key))
        return found


@dataclass
class Written:
    """Rows written, and the file's records: a record is new when any of its rows is."""

    rows: int = 0
    inserted: int = 0
    months: set[dt.date] = field(default_factory=set)
    records: int = 0
    new_records: int = 0
    _record_counted: bool = False

    def count(self, row: ImportRow, is_new: bool) -> None:
        self.rows += 1
        self.inserted += is_new
        if row.part == 0:
            self.records += 1
            self._record_counted = False
        if is_new and not self._record_counted:
            self.new_records += 1
            self._record_counted = True


class KeyCheck:
    """Which rows are new: in the database under none of their keys, and not earlier in this
    file. The preview asks it too, so that what the preview counts is what the commit writes."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.query: Executable
        if self.postgres:  # one array parameter: no 5,000-placeholder statement to build
            self.query = text(
                "SELECT import_key FROM transactions"
                " WHERE account_id = :account AND import_key = ANY(:keys)"
            )
        else:
            self.query = select(Transaction.import_key).where(
                Transaction.account_id == bindparam("account"),
                Transaction.import_key.in_(bindparam("keys", expanding=True)),
            )
        self.ranges: dict[int, tuple[dt.date | None, dt.date | None]] = {}
        # Keys that can repeat within a file: a bank's id, a transfer seen from both sides.
        # (Hash keys count their own repeats, so a million of them need not be kept.)
        self.seen: set[tuple[int, str]] = set()

    def _range(self, account_id: int) -> tuple[dt.date | None, dt.date | None]:
        """A row can only have been imported before if its date falls within the dates this
        account holds imported rows for (a bank id keeps its date): outside that range, and on
        a first import, there is nothing to look up."""
        if account_id not in self.ranges:
            self.ranges[account_id] = tuple(  # type: ignore[assignment]
                self.connection.execute(
                    select(func.min(Transaction.date), func.max(Transaction.date)).where(
                        Transaction.account_id == account_id, Transaction.import_key.is_not(None)
                    )
                ).one()
            )
        return self.ranges[account_id]

    def _existing(self, chunk: list[ImportRow]) -> set[tuple[int, str]]:
        wanted: dict[int, list[str]] = {}
        for row in chunk:
            places = row.places() if row.also_known_as or row.transfer_account_id else None
            for account_id, key in places or ((row.account_id, row.import_key),):
                low, high = self.ranges.get(account_id) or self._range(account_id)
                if low is not None and high is not None and low <= row.date <= high:
                    wanted.setdefault(account_id, []).append(key)
        found: set[tuple[int, str]] = set()
        for account_id, keys in wanted.items():
            rows = self.connection.execute(self.query, {"account": account_id, "keys": keys})
            found.update((account_id, key) for key in rows.scalars())
        return found

    def new(self, chunk: list[ImportRow]) -> list[bool]:
        existing, seen = self._existing(chunk), self.seen
        verdicts = []
        for row in chunk:
            if row.also_known_as or row.transfer_account_id is not None:
                places = row.places()
                is_new = not any(p in existing or p in seen for p in places)
                if is_new:
                    seen.update(places)
            else:  # a plain row, nearly every row of a bank file: one key
                place = (row.account_id, row.import_key)
                is_new = place not in existing and place not in seen
                if is_new and not row.import_key.startswith("h:"):
                    seen.add(place)
            verdicts.append(is_new)
        return verdicts


def _chunks(rows: Iterable[ImportRow]) -> Iterator[list[ImportRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def write(
    session: Session,
    *,
    user_id: int,
    batch_id: int,
    rows: Iterable[ImportRow],
    progress: Callable[[int], None] = lambda _done: None,
) -> Written:
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    check = KeyCheck(connection)
    now = utcnow()
    written = Written()

    def store(chunk: list[ImportRow]) -> None:
        new = []
        for row, is_new in zip(chunk, check.new(chunk), strict=True):
            written.count(row, is_new)
            if is_new:
                new.append(row)
        plain = [r for r in new if not r.lines and r.transfer_account_id is None]
        values = [
            (user_id, r.account_id, r.date, r.amount_minor, r.kind, r.payee, r.memo,
             r.category_id, False, r.import_key, batch_id, r.cleared, now, now)
            for r in plain
        ]  # fmt: skip
        if values:
            (_copy if postgres else _executemany)(connection, values)
        for row in new:
            if row.lines or row.transfer_account_id is not None:
                _write_one(connection, row, user_id=user_id, batch_id=batch_id, now=now)
        tagged = [
            {"user_id": user_id, "account_id": account_id, "key": key, "tag": tag}
            for r in new
            if r.tags
            for tag in r.tags.split(",")
            for account_id, key in r.places()
            if key != "" and key not in r.also_known_as
        ]
        if tagged:
            connection.execute(_LINK_TAGS, tagged)
        written.months.update(r.date.replace(day=1) for r in new)
        progress(written.records)

    _pipeline(_chunks(rows), store)
    return written


def _write_one(
    connection: Connection, row: ImportRow, *, user_id: int, batch_id: int, now: dt.datetime
) -> None:
    """A split (its row, then its lines) or a transfer (both legs)."""
    common = {"user_id": user_id, "date": row.date, "payee": row.payee,
              "import_batch_id": batch_id, "cleared": row.cleared, "created_at": now,
              "updated_at": now}  # fmt: skip
    if row.transfer_account_id is not None:
        group = str(uuid.uuid4())
        connection.execute(
            insert(Transaction),
            [
                {**common, "account_id": row.account_id, "amount_minor": row.amount_minor,
                 "kind": "transfer", "memo": row.memo, "category_id": None, "is_split": False,
                 "transfer_group": group, "import_key": row.import_key},
                {**common, "account_id": row.transfer_account_id, "kind": "transfer",
                 "amount_minor": -row.amount_minor if row.transfer_amount_minor is None
                 else row.transfer_amount_minor, "memo": row.memo, "category_id": None,
                 "is_split": False, "transfer_group": group, "import_key": row.transfer_key},
            ],
        )  # fmt: skip
        return
    parent_id = connection.execute(
        insert(Transaction)
        .values(**common, account_id=row.account_id, amount_minor=row.amount_minor,
                kind=row.kind, memo=row.memo, category_id=None, is_split=True,
                import_key=row.import_key)
        .returning(Transaction.id)
    ).scalar_one()  # fmt: skip
    connection.execute(
        insert(Transaction),
        [
            {**common, "account_id": row.account_id, "amount_minor": line.amount_minor,
             # a payslip's tax line is spending, whatever the payslip's own kind
             "kind": "income" if line.amount_minor > 0 else "expense",
             "memo": line.memo, "category_id": line.category_id,
             "is_split": False, "parent_id": parent_id, "import_key": None}
            for line in row.lines
        ],
    )  # fmt: skip


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
