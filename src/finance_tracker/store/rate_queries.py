"""What conversion reads: stored rates, rates learnt from cross-currency transfers, and the
amounts of accounts in other currencies summed per day (each day has its own rate).

Everything here reads only what a conversion needs: rates inside the range plus the latest one
before it per pair, and rows of the accounts whose currency is not the target's (found through
their account index), so a person whose money is all in one currency pays nothing for it."""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable
from decimal import Decimal
from typing import Generic, TypeVar

from sqlalchemy import BigInteger, and_, cast, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from finance_tracker.domain.rates import TRANSFER, Rate, rate_of_transfer
from finance_tracker.store import summaries
from finance_tracker.store.models import (
    Account,
    AccountActivity,
    ExchangeRate,
    Transaction,
    User,
)

TRANSACTIONS = Transaction.__table__
V = TypeVar("V")

# (currency, day, category id or 0, kind, total_minor)
DayRow = tuple[str, dt.date, int, str, int]


def as_date(value: dt.date | str) -> dt.date:
    """A date column's value: SQLite hands dates back as text."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def accounts_not_in(session: Session, user_id: int, currency: str) -> dict[int, str]:
    """Account id -> currency, for the person's accounts in any other currency."""
    return dict(
        session.execute(
            select(Account.id, Account.currency).where(
                Account.user_id == user_id, Account.currency != currency
            )
        ).all()
    )


def stored_rates(
    session: Session, user_id: int, currencies: set[str], start: dt.date, end: dt.date
) -> list[Rate]:
    """Entered and uploaded rates between `currencies`, from `start` to `end`, plus each pair's
    latest one before `start` (the closest earlier rate of the range's first days).

    Read whole once per process and kept while the person's rates_version stays the same: ten
    years of daily rates turned into objects on every report were a fifth of a converted
    ten-year report's time."""
    version = session.scalar(select(User.rates_version).where(User.id == user_id)) or 0
    key = (user_id, frozenset(currencies))
    kept = _kept.get(key)
    if kept is None or kept[0] != version:
        kept = (version, _all_stored(session, user_id, currencies))
        _kept.put(key, kept, len(kept[1]))
    return _in_range(kept[1], start, end)


class KeptLists(Generic[V]):
    """Values kept by key, each counted as its number of rows; once more than `limit` rows are
    held in all, the least recently used go first, and a value larger than the whole allowance
    is not kept at all. Shared by the threads of a process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0  # rows
        self._values: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            kept = self._values.get(key)
            if kept is None:
                return None
            self._values.move_to_end(key)
            return kept[0]

    def put(self, key: Hashable, value: V, rows: int) -> None:
        with self._lock:
            replaced = self._values.pop(key, None)
            self.held -= replaced[1] if replaced is not None else 0
            if rows > self.limit:
                return  # more than the whole allowance: read each time rather than hold it
            self._values[key] = (value, rows)
            self.held += rows
            while self.held > self.limit:
                _key, (_value, dropped) = self._values.popitem(last=False)
                self.held -= dropped


# (user id, currencies) -> (rates_version, their rates by day). Bounded by rates, not lists: one
# person with the ECB's history since 1999 holds ~6,000 a pair. At ~400 bytes a rate
# (measured), KEPT_RATES is ~20 MB a process at most (a web pod: 512 MiB).
KEPT_RATES = 50_000
_kept: KeptLists[tuple[int, list[Rate]]] = KeptLists(KEPT_RATES)


def _all_stored(session: Session, user_id: int, currencies: set[str]) -> list[Rate]:
    query = (
        select(
            ExchangeRate.base, ExchangeRate.quote, ExchangeRate.day, ExchangeRate.rate,
            ExchangeRate.source,
        )
        .where(
            ExchangeRate.user_id == user_id,
            ExchangeRate.base.in_(currencies),
            ExchangeRate.quote.in_(currencies),
        )
        .order_by(ExchangeRate.day)
    )  # fmt: skip
    return [
        Rate(base, quote, as_date(day), Decimal(rate), source)
        for base, quote, day, rate, source in session.execute(query).all()
    ]


def _in_range(rates: list[Rate], start: dt.date, end: dt.date) -> list[Rate]:
    """Of rates in day order: those from `start` to `end`, and each pair's on its last day
    before `start`."""
    first = bisect.bisect_left(rates, start, key=lambda rate: rate.day)
    after = bisect.bisect_right(rates, end, key=lambda rate: rate.day)
    before: list[Rate] = []
    last_day: dict[tuple[str, str], dt.date] = {}
    for rate in reversed(rates[:first]):
        if last_day.setdefault((rate.base, rate.quote), rate.day) == rate.day:
            before.append(rate)
    return before + rates[first:after]


# Made once: an alias made per call built its column expressions anew each time (a third of a
# month's conversion, measured at 1M rows).
_LEG, _OTHER = aliased(Transaction, name="leg"), aliased(Transaction, name="other_leg")
_LEG_ACCOUNT, _OTHER_ACCOUNT = (
    aliased(Account, name="leg_account"),
    aliased(Account, name="other_account"),
)


def transfer_rates(
    session: Session, user_id: int, foreign: dict[int, str], start: dt.date, end: dt.date
) -> list[Rate]:
    """The rate each cross-currency transfer made (sent and received amounts) that touches a
    `foreign` account, from `start` to `end`, plus the latest one before `start` per pair.

    Read from the foreign accounts' own legs (their account index) to the other leg (the
    transfer-group index): starting from all transfers instead scanned every transaction."""
    if not foreign:
        return []
    leg, other, leg_account, other_account = _LEG, _OTHER, _LEG_ACCOUNT, _OTHER_ACCOUNT
    pairs = (
        select(
            leg.date, leg.amount_minor, leg_account.currency,
            other.amount_minor, other_account.currency, leg.transfer_group, leg.id,
        )
        .join(other, and_(other.transfer_group == leg.transfer_group, other.id != leg.id))
        .join(leg_account, leg_account.id == leg.account_id)
        .join(other_account, other_account.id == other.account_id)
        .where(
            leg.account_id.in_(foreign),
            leg.user_id == user_id,
            leg.transfer_group.is_not(None),  # the predicate of ix_transactions_transfer_legs
            leg_account.currency != other_account.currency,
        )
    )  # fmt: skip
    found = list(session.execute(pairs.where(leg.date.between(start, end))))
    before = list(
        session.execute(pairs.where(leg.date < start).order_by(leg.date.desc()).limit(50))
    )
    rates: dict[str, Rate] = {}  # per transfer: a transfer between two foreign accounts twice
    latest: dict[tuple[str, str], dt.date] = {}
    for in_range, rows in ((True, found), (False, before)):
        for day, minor, currency, other_minor, other_currency, group, _id in rows:
            day = as_date(day)
            if minor < 0:
                sent, sent_currency, received, received_currency = (
                    -minor, currency, other_minor, other_currency)  # fmt: skip
            else:
                sent, sent_currency, received, received_currency = (
                    -other_minor, other_currency, minor, currency)  # fmt: skip
            if sent <= 0 or received <= 0:
                continue
            pair = (sent_currency, received_currency)
            if not in_range and latest.setdefault(pair, day) != day:
                continue  # only the latest day before the range, per pair
            rates[group or ""] = Rate(
                sent_currency, received_currency, day,
                rate_of_transfer(sent, sent_currency, received, received_currency), TRANSFER,
            )  # fmt: skip
    return sorted(rates.values(), key=lambda r: r.day)


def day_totals(
    session: Session,
    accounts: dict[int, str],
    user_id: int,
    start: dt.date,
    end: dt.date,
    kinds: tuple[str, ...],
    *,
    by_category: bool = True,
    category_ids: set[int] | None = None,
) -> list[DayRow]:
    """Sums per currency, day, category and kind of the leaf rows of `accounts` (id ->
    currency), in no particular order. The list may be shared: read it, never change it.

    Kept per process while the accounts' activity versions stay the same (store.summaries
    gives one a new value once a write of the account's rows is folded into the month totals,
    which `settle` does first): ten years of an account in another currency are thousands of
    day totals, a third of a converted report's time to read, and they change only when the
    account's rows do."""
    if not accounts:
        return []
    summaries.settle(session, user_id)  # this unit of work's writes too: under a new version
    versions = dict(
        session.execute(
            select(AccountActivity.account_id, AccountActivity.version).where(
                AccountActivity.account_id.in_(sorted(accounts))
            )
        ).all()
    )
    key = (
        user_id,
        tuple((a, accounts[a], versions.get(a)) for a in sorted(accounts)),
        start, end, kinds, by_category,
        None if category_ids is None else frozenset(category_ids),
    )  # fmt: skip
    kept = _kept_days.get(key)
    if kept is not None:
        return kept
    rows = _read_day_totals(
        session, accounts, user_id, start, end, kinds, by_category, category_ids
    )
    _kept_days.put(key, rows, len(rows))
    return rows


# (user, accounts with currency and version, range, kinds, by category, categories) -> their
# day totals. Bounded by rows: ~230 bytes each (measured with tracemalloc: 6,440 rows, 1.49 MB),
# so KEPT_DAY_ROWS is ~23 MB a process at most; ten years of one account are 3,000-6,500 rows.
KEPT_DAY_ROWS = 100_000
_kept_days: KeptLists[list[DayRow]] = KeptLists(KEPT_DAY_ROWS)


def _read_day_totals(
    session: Session,
    accounts: dict[int, str],
    user_id: int,
    start: dt.date,
    end: dt.date,
    kinds: tuple[str, ...],
    by_category: bool,
    category_ids: set[int] | None,
) -> list[DayRow]:
    """Grouped by account, not joined to it for the currency: the join doubled the time of
    ten years of an account (12 ms against 6 at 1M rows)."""
    # The table's columns, not the mapped class's: a plain Core statement, whose thousands of
    # rows skip the ORM's row loading (a third of this read's time).
    rows = TRANSACTIONS.c
    category = (
        func.coalesce(rows.category_id, literal_column("0")) if by_category else literal_column("0")
    )
    query = (
        select(
            rows.account_id, rows.date, category, rows.kind,
            cast(func.sum(rows.amount_minor), BigInteger),  # an int, not a Decimal
        )
        .where(
            rows.account_id.in_(sorted(accounts)),
            rows.user_id == user_id,
            rows.is_split.is_(False),
            rows.date.between(start, end),
            rows.kind.in_(kinds),
        )
        .group_by(rows.account_id, rows.date, rows.kind)
    )  # fmt: skip
    if by_category:
        query = query.group_by(category)
    if category_ids is not None:
        query = query.where(rows.category_id.in_(category_ids))
    return [
        (accounts[account_id], as_date(day), int(cat), kind, int(total))
        for account_id, day, cat, kind, total in session.execute(query).all()
    ]
