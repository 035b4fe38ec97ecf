"""The month_totals summary, kept equal to a GROUP BY of the leaf rows whatever runs at once.

Writes never touch the summary in the middle of their unit of work. Services only say what they
changed — `add_changes` for rows whose before and after they hold (one transaction created,
edited or deleted, Set category, a rule applied: a few increments), `refresh` for months to
recompute (imports, restores) — and `apply_pending` runs as the session commits, last:

- increments, on PostgreSQL, are appended to `month_total_deltas`: an INSERT that waits on no
  other write, where updating the shared month_totals row would make every write of that month
  wait for the one before to commit. Readers `settle` first: the user's deltas are folded into
  month_totals in one statement (DELETE … RETURNING feeding an upsert) under a per-user advisory
  lock. On SQLite the write transaction is already the only one, and increments go straight in
  with `INSERT … ON CONFLICT DO UPDATE`;
- recomputing months takes the same lock, folds, and replaces those months from the rows — on
  PostgreSQL deleting their newer deltas in the same statement that reads the rows, so that a
  write committed meanwhile is counted once.

Either way a bucket whose count reaches 0 is deleted, as a recomputation would not have it.
The increments are exact because what a change replaces is read under the row's lock (see
`services.transactions`), and the lock, taken last and only by folds and recomputes, never waits
while holding another: no deadlock.

Each fold or recompute also gives the accounts it touched a new `account_activity` version, under
the same lock, so that processes drop the day totals they kept of them (rate_queries.day_totals).
A change that moves no month total (a row moved within its month) appends an empty delta as its
mark. Writes themselves never wait on each other for it, and a version written under the lock
never waits for an account's row (see `_accounts_changed`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, event, func, insert, literal, literal_column, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from finance_tracker.store.models import (
    Account,
    AccountActivity,
    MonthTotal,
    MonthTotalDelta,
    Transaction,
)
from finance_tracker.store.sqlfunctions import insert_for, month_of

# pg_advisory_xact_lock(namespace, user id): the namespace keeps our locks apart from others'.
_LOCK_NAMESPACE = 0x4654  # "FT"
_PENDING = "finance_tracker.summaries"
_SETTLED = "finance_tracker.summaries.settled"

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
    # Accounts whose day totals changed, each with a bucket of the change: a row moved within
    # its month changes no month total, and its account needs a new activity version all the same.
    touched: dict[int, Bucket] = field(default_factory=dict)


def _note(session: Session, change: _Change) -> None:
    session.info.setdefault(_PENDING, []).append(change)


def _current_transaction(session: Session) -> SessionTransaction | None:
    return session.get_nested_transaction() or session.get_transaction()


def add_changes(
    session: Session, user_id: int, before: Iterable[Leaf], after: Iterable[Transaction]
) -> None:
    """Rows that were `before` (captured ahead of the change) are now `after` (leaf rows)."""
    deltas: dict[Bucket, tuple[int, int]] = {}
    days: dict[tuple[dt.date, Bucket], int] = {}  # the same per day, for `touched`
    for sign, leaves in ((-1, before), (1, [Leaf.of(row) for row in after])):
        for leaf in leaves:
            total, count = deltas.get(leaf.bucket, (0, 0))
            deltas[leaf.bucket] = (total + sign * leaf.amount_minor, count + sign)
            day = (leaf.date, leaf.bucket)
            days[day] = days.get(day, 0) + sign * leaf.amount_minor
    deltas = {bucket: d for bucket, d in deltas.items() if d != (0, 0)}
    touched = {bucket[1]: bucket for (_day, bucket), total in days.items() if total}
    if deltas or touched:
        change = _Change(_current_transaction(session), user_id, deltas=deltas, touched=touched)
        _note(session, change)


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


def settle(session: Session, user_id: int) -> None:
    """Before reading the summary of `user_id`: this unit of work's own changes applied, and on
    PostgreSQL what other writes appended folded in (so a write acknowledged before this read
    began is in what it reads)."""
    settled: set[int] = session.info.setdefault(_SETTLED, set())
    if apply_pending(session):
        settled.clear()
    if _is_postgresql(session) and user_id not in settled:
        _fold(session, user_id)
        settled.add(user_id)  # later reads of this unit of work read what it read


def apply_pending(session: Session) -> bool:
    """Apply what this unit of work noted; False when there was nothing."""
    changes: list[_Change] = session.info.pop(_PENDING, [])
    if not changes:
        return False
    session.flush()
    by_user: dict[int, list[_Change]] = {}
    for change in changes:
        by_user.setdefault(change.user_id, []).append(change)
    for user_id in sorted(by_user):  # locks, where taken, always in user-id order
        _apply(session, user_id, by_user[user_id])
    return True


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _lock(session: Session, user_id: int) -> None:
    """Until this transaction ends, the only one folding or recomputing this user's summary."""
    if _is_postgresql(session):
        session.execute(select(func.pg_advisory_xact_lock(_LOCK_NAMESPACE, user_id)))


def _apply(session: Session, user_id: int, changes: list[_Change]) -> None:
    months: set[dt.date] | None = set()
    category_ids: set[int] = set()
    deltas: dict[Bucket, tuple[int, int]] = {}
    touched: dict[int, Bucket] = {}
    for change in changes:
        touched.update(change.touched)
        if change.months is None or months is None:
            months = None
        else:
            months |= change.months
        category_ids |= change.category_ids
        for bucket, (total, count) in change.deltas.items():
            old_total, old_count = deltas.get(bucket, (0, 0))
            deltas[bucket] = (old_total + total, old_count + count)
    locked = bool(months is None or months or category_ids)
    if locked:
        _lock(session, user_id)
        if _is_postgresql(session):
            _fold(session, user_id, locked=True)
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
    if locked:  # recomputed: what those months' deltas said is gone, so every account
        _accounts_changed(session, user_id, None)
    if _is_postgresql(session):
        if not locked:  # an account with no increment gets an empty one: its fold's mark
            with_increments = {account_id for _month, account_id, _c, _k in increments}
            for account_id, bucket in touched.items():
                if account_id not in with_increments:
                    increments[bucket] = (0, 0)
        if increments:
            session.execute(insert(MonthTotalDelta), _rows(user_id, increments))
    else:  # SQLite: this write transaction is the only one; add to the totals at once
        if increments:
            _add_to_totals(session, user_id, increments)
        if not locked:
            _accounts_changed(session, user_id, set(touched))


def _accounts_changed(session: Session, user_id: int, accounts: set[int] | None) -> None:
    """New activity versions for these accounts (None: all the user's), so that every process
    drops the day totals it kept of them. On PostgreSQL only under the user's advisory lock (a
    fold or a recompute): writes that append deltas never wait on each other for it. A random
    step, for the reason rates_version has one (services.rates): a rolled-back write's version
    must not come back for a committed one."""
    if accounts == set():
        return
    mine = select(Account.id).where(Account.user_id == user_id)
    if accounts is not None:
        mine = mine.where(Account.id.in_(sorted(accounts)))
    step = secrets.randbelow(2**29) + 1
    session.execute(  # the versions there are: no lock on the accounts
        update(AccountActivity)
        .where(AccountActivity.account_id.in_(mine.scalar_subquery()))
        .values(version=(AccountActivity.version + step) % 2**30)
        .execution_options(synchronize_session=False)
    )
    # An account with none yet gets one. Its foreign key locks the account's row: one locked for
    # deletion (only an empty account goes: nothing to version) is skipped, not waited for.
    missing = (
        mine.add_columns(literal(secrets.randbelow(2**29)))
        .where(~select(AccountActivity.account_id)
               .where(AccountActivity.account_id == Account.id).exists())
        .with_for_update(read=True, key_share=True, skip_locked=True)
    )  # fmt: skip
    session.execute(
        insert_for(session, AccountActivity)
        .from_select(["account_id", "version"], missing)
        .on_conflict_do_nothing(index_elements=["account_id"])
    )


def _rows(user_id: int, increments: dict[Bucket, tuple[int, int]]) -> list[dict]:
    return [
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


_KEY = ["user_id", "month", "account_id", "category_id", "kind"]
_COLUMNS = [*_KEY, "total_minor", "count"]


def _fold(session: Session, user_id: int, *, locked: bool = False) -> None:
    """PostgreSQL: move the user's appended deltas into month_totals, in one statement (the
    DELETE … RETURNING and the upsert share one snapshot: a delta committed meanwhile stays for
    the next fold)."""
    pending = select(literal(1)).where(MonthTotalDelta.user_id == user_id).limit(1)
    if not locked:
        if session.scalar(pending) is None:
            return
        _lock(session, user_id)
    moved = (
        delete(MonthTotalDelta)
        .where(MonthTotalDelta.user_id == user_id)
        .returning(
            MonthTotalDelta.month,
            MonthTotalDelta.account_id,
            MonthTotalDelta.category_id,
            MonthTotalDelta.kind,
            MonthTotalDelta.total_minor,
            MonthTotalDelta.count,
        )  # fmt: skip
        .cte("moved")
    )
    key = (moved.c.month, moved.c.account_id, moved.c.category_id, moved.c.kind)
    summed = select(
        literal(user_id), *key, func.sum(moved.c.total_minor), func.sum(moved.c.count)
    ).group_by(*key)
    statement = _adding(insert_for(session, MonthTotal).from_select(_COLUMNS, summed))
    upserted = session.execute(statement.add_cte(moved, nest_here=True)).all()
    if any(count == 0 for count, _account_id in upserted):
        _delete_emptied(session, user_id)
    _accounts_changed(session, user_id, {account_id for _count, account_id in upserted})


def _recompute(session: Session, user_id: int, months: list[dt.date] | None) -> None:
    """Under the lock. On PostgreSQL the deltas of these months (committed since the fold) go
    in the same statement that reads the rows: each is then counted once, in the rows."""
    wipe = delete(MonthTotal).where(MonthTotal.user_id == user_id)
    gone = delete(MonthTotalDelta).where(MonthTotalDelta.user_id == user_id)
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
        gone = gone.where(MonthTotalDelta.month.in_(months))
        ranges = [Transaction.date.between(m, last_of_month(m)) for m in months]
        source = source.where(or_(*ranges))
    source = source.group_by(month, Transaction.account_id, category, Transaction.kind)
    session.execute(wipe)
    fill = insert(MonthTotal).from_select(_COLUMNS, source)
    if _is_postgresql(session):
        fill = fill.add_cte(gone.cte("gone"), nest_here=True)
    session.execute(fill)


def _add_to_totals(
    session: Session, user_id: int, increments: dict[Bucket, tuple[int, int]]
) -> None:
    statement = _adding(insert_for(session, MonthTotal).values(_rows(user_id, increments)))
    if any(count == 0 for count, _account_id in session.execute(statement).all()):
        _delete_emptied(session, user_id)


def _adding(statement: Any) -> Any:
    """INSERT … ON CONFLICT: add sum and count to the bucket's; (count after, account id) of
    each bucket returned."""
    return statement.on_conflict_do_update(
        index_elements=_KEY,
        set_={
            "total_minor": MonthTotal.total_minor + statement.excluded.total_minor,
            "count": MonthTotal.count + statement.excluded.count,
        },
    ).returning(MonthTotal.count, MonthTotal.account_id)


def _delete_emptied(session: Session, user_id: int) -> None:
    """A bucket whose last row went: a recomputation would not have it."""
    session.execute(delete(MonthTotal).where(MonthTotal.user_id == user_id, MonthTotal.count == 0))


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
