"""The month_totals summary, kept equal to a GROUP BY of the leaf rows whatever runs at once.

Writes never touch the summary in the middle of their unit of work. Services only say what they
changed — `add_changes` for rows whose before and after they hold (one transaction created,
edited or deleted: a few increments), `refresh` for whole months to recompute (imports, bulk
changes, restores) — and `apply_pending` runs as the session commits, as its last statements:

1. one lock per user (PostgreSQL: a transaction-scoped advisory lock, taken in user-id order;
   SQLite: the write transaction is already exclusive). Summary maintenance of one user is thus
   one at a time, and after the lock every statement sees what earlier holders committed;
2. months to recompute: deleted and inserted again from the rows;
3. increments for the other buckets: `INSERT … ON CONFLICT DO UPDATE` adding sum and count;
   a bucket whose count reaches 0 is deleted, as a recomputation would not have it.

Taken last, the lock is held only for those statements and the commit, and never while waiting
for any other lock: no deadlock, and the rows read before it are locked by their writers (see
`services.transactions`), so the before-and-after each writer reports is the truth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, event, func, insert, literal, literal_column, or_, select
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from finance_tracker.store.models import MonthTotal, Transaction
from finance_tracker.store.sqlfunctions import insert_for, month_of

# pg_advisory_xact_lock(namespace, user id): the namespace keeps our locks apart from others'.
_LOCK_NAMESPACE = 0x4654  # "FT"
_PENDING = "finance_tracker.summaries"

# month, account id, category id (0: uncategorised), kind
Bucket = tuple[dt.date, int, int, str]


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_of_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Leaf:
    """What one leaf row (not a split parent) adds to the summary."""

    date: dt.date
    account_id: int
    category_id: int | None
    kind: str
    amount_minor: int

    @classmethod
    def of(cls, row: Transaction) -> Leaf:
        return cls(row.date, row.account_id, row.category_id, row.kind, row.amount_minor)

    @property
    def bucket(self) -> Bucket:
        return (first_of_month(self.date), self.account_id, self.category_id or 0, self.kind)


@dataclass
class _Change:
    """One noted change, with the (nested) transaction it was made in."""

    transaction: SessionTransaction | None
    user_id: int
    deltas: dict[Bucket, tuple[int, int]] = field(default_factory=dict)
    months: set[dt.date] | None = field(default_factory=set)  # None: every month
    category_ids: set[int] = field(default_factory=set)


def _note(session: Session, change: _Change) -> None:
    session.info.setdefault(_PENDING, []).append(change)


def _current_transaction(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def add_changes(
    session: Session, user_id: int, before: Iterable[Leaf], after: Iterable[Transaction]
) -> None:
    """Rows that were `before` (captured ahead of the change) are now `after` (leaf rows)."""
    deltas: dict[Bucket, tuple[int, int]] = {}
    for sign, leaves in ((-1, before), (1, (Leaf.of(row) for row in after))):
        for leaf in leaves:
            total, count = deltas.get(leaf.bucket, (0, 0))
            deltas[leaf.bucket] = (total + sign * leaf.amount_minor, count + sign)
    deltas = {bucket: d for bucket, d in deltas.items() if d != (0, 0)}
    if deltas:
        _note(session, _Change(_current_transaction(session), user_id, deltas=deltas))


def refresh(session: Session, user_id: int, days: Iterable[dt.date] | None = None) -> None:
    """Recompute, as this unit of work commits, the months containing `days` (None: all)."""
    months = None if days is None else {first_of_month(d) for d in days}
    if months != set():
        _note(session, _Change(_current_transaction(session), user_id, months=months))


def refresh_categories(session: Session, user_id: int, category_ids: Iterable[int]) -> None:
    """Recompute every month that has these categories in the summary, found under the lock
    (so a transaction committed meanwhile into one of them is not missed)."""
    wanted = set(category_ids)
    if wanted:
        _note(session, _Change(_current_transaction(session), user_id, category_ids=wanted))


def settle(session: Session) -> None:
    """Apply what this unit of work changed now, before reading the summary in it."""
    apply_pending(session)


def apply_pending(session: Session) -> None:
    changes: list[_Change] = session.info.pop(_PENDING, [])
    if not changes:
        return
    session.flush()
    by_user: dict[int, list[_Change]] = {}
    for change in changes:
        by_user.setdefault(change.user_id, []).append(change)
    for user_id in sorted(by_user):
        _lock(session, user_id)
        _apply(session, user_id, by_user[user_id])


def _lock(session: Session, user_id: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_LOCK_NAMESPACE, user_id)))


def _apply(session: Session, user_id: int, changes: list[_Change]) -> None:
    months: set[dt.date] | None = set()
    category_ids: set[int] = set()
    deltas: dict[Bucket, tuple[int, int]] = {}
    for change in changes:
        if change.months is None or months is None:
            months = None
        else:
            months |= change.months
        category_ids |= change.category_ids
        for bucket, (total, count) in change.deltas.items():
            old_total, old_count = deltas.get(bucket, (0, 0))
            deltas[bucket] = (old_total + total, old_count + count)
    if category_ids and months is not None:
        months |= set(
            session.scalars(
                select(MonthTotal.month)
                .where(MonthTotal.user_id == user_id, MonthTotal.category_id.in_(category_ids))
                .distinct()
            )
        )
    if months is None or months:
        _recompute(session, user_id, None if months is None else sorted(months))
    # A recomputed month already holds this unit of work's own rows.
    increments = {
        bucket: delta
        for bucket, delta in sorted(deltas.items())
        if delta != (0, 0) and months is not None and bucket[0] not in months
    }
    if increments:
        _increment(session, user_id, increments)


def _recompute(session: Session, user_id: int, months: list[dt.date] | None) -> None:
    wipe = delete(MonthTotal).where(MonthTotal.user_id == user_id)
    month = month_of(Transaction.date)
    category = func.coalesce(Transaction.category_id, literal_column("0"))
    source = select(
        literal(user_id),
        month,
        Transaction.account_id,
        category,
        Transaction.kind,
        func.sum(Transaction.amount_minor),
        func.count(),
    ).where(Transaction.user_id == user_id, Transaction.is_split.is_(False))
    if months is not None:
        wipe = wipe.where(MonthTotal.month.in_(months))
        ranges = [Transaction.date.between(m, last_of_month(m)) for m in months]
        source = source.where(or_(*ranges))
    source = source.group_by(month, Transaction.account_id, category, Transaction.kind)
    session.execute(wipe)
    session.execute(
        insert(MonthTotal).from_select(
            ["user_id", "month", "account_id", "category_id", "kind", "total_minor", "count"],
            source,
        )
    )


def _increment(session: Session, user_id: int, increments: dict[Bucket, tuple[int, int]]) -> None:
    statement = insert_for(session, MonthTotal).values(
        [
            {
                "user_id": user_id,
                "month": month,
                "account_id": account_id,
                "category_id": category_id,
                "kind": kind,
                "total_minor": total,
                "count": count,
            }  # fmt: skip
            for (month, account_id, category_id, kind), (total, count) in increments.items()
        ]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "month", "account_id", "category_id", "kind"],
        set_={
            "total_minor": MonthTotal.total_minor + statement.excluded.total_minor,
            "count": MonthTotal.count + statement.excluded.count,
        },
    ).returning(
        MonthTotal.month, MonthTotal.account_id, MonthTotal.category_id, MonthTotal.kind,
        MonthTotal.count,
    )  # fmt: skip
    emptied = [row[:4] for row in session.execute(statement) if row[4] == 0]
    if emptied:
        session.execute(
            delete(MonthTotal).where(
                MonthTotal.user_id == user_id,
                or_(
                    *(
                        and_(
                            MonthTotal.month == month,
                            MonthTotal.account_id == account_id,
                            MonthTotal.category_id == category_id,
                            MonthTotal.kind == kind,
                        )  # fmt: skip
                        for month, account_id, category_id, kind in emptied
                    )
                ),
            )
        )


def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """A savepoint rolled back takes the changes noted inside it along (and a full rollback all)."""
    changes: list[_Change] = session.info.get(_PENDING, [])
    if not changes:
        return

    def inside(transaction: SessionTransaction | None) -> bool:
        while transaction is not None:
            if transaction is previous:
                return True
            transaction = transaction.parent
        return False

    kept = [c for c in changes if not inside(c.transaction)]
    if previous.parent is None:
        kept = []
    session.info[_PENDING] = kept


def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint released is not the commit yet
        apply_pending(session)


def install(sessions: sessionmaker[Session]) -> None:
    """Sessions from `sessions` apply the summary changes as they commit."""
    event.listen(sessions, "before_commit", _before_commit)
    event.listen(sessions, "after_soft_rollback", _forget_rolled_back)
