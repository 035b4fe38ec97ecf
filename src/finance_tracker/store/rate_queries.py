"""What conversion reads: stored rates, rates learnt from cross-currency transfers, and the
amounts of accounts in other currencies summed per day (each day has its own rate).

Everything here reads only what a conversion needs: rates inside the range plus the latest one
before it per pair, and rows of the accounts whose currency is not the target's (found through
their account index), so a person whose money is all in one currency pays nothing for it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from finance_tracker.domain.rates import TRANSFER, Rate, rate_of_transfer
from finance_tracker.store.models import Account, ExchangeRate, Transaction

# (currency, day, category id or 0, kind, total_minor)
DayRow = tuple[str, dt.date, int, str, int]


def _as_date(value: dt.date | str) -> dt.date:
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
    latest one before `start` (the closest earlier rate of the range's first days)."""
    mine = (
        ExchangeRate.user_id == user_id,
        ExchangeRate.base.in_(currencies),
        ExchangeRate.quote.in_(currencies),
    )
    latest_before = (
        select(ExchangeRate.base, ExchangeRate.quote, func.max(ExchangeRate.day).label("day"))
        .where(*mine, ExchangeRate.day < start)
        .group_by(ExchangeRate.base, ExchangeRate.quote)
        .subquery()
    )
    query = select(
        ExchangeRate.base, ExchangeRate.quote, ExchangeRate.day, ExchangeRate.rate,
        ExchangeRate.source,
    ).where(
        *mine,
        or_(
            ExchangeRate.day.between(start, end),
            and_(
                ExchangeRate.base == latest_before.c.base,
                ExchangeRate.quote == latest_before.c.quote,
                ExchangeRate.day == latest_before.c.day,
            ),
        ),
    )  # fmt: skip
    query = query.outerjoin(
        latest_before,
        and_(
            ExchangeRate.base == latest_before.c.base,
            ExchangeRate.quote == latest_before.c.quote,
        ),
    )
    return [
        Rate(base, quote, _as_date(day), Decimal(rate), source)
        for base, quote, day, rate, source in session.execute(query)
    ]


def transfer_rates(
    session: Session, user_id: int, foreign: dict[int, str], start: dt.date, end: dt.date
) -> list[Rate]:
    """The rate each cross-currency transfer made (sent and received amounts) that touches a
    `foreign` account, from `start` to `end`, plus the latest one before `start` per pair."""
    if not foreign:
        return []
    sent, received = aliased(Transaction), aliased(Transaction)
    sent_account, received_account = aliased(Account), aliased(Account)
    pairs = (
        select(
            sent.date, sent_account.currency, sent.amount_minor,
            received_account.currency, received.amount_minor, sent.id,
        )
        .join(received, and_(
            received.transfer_group == sent.transfer_group, received.id != sent.id,
        ))
        .join(sent_account, sent_account.id == sent.account_id)
        .join(received_account, received_account.id == received.account_id)
        .where(
            sent.user_id == user_id,
            sent.transfer_group.is_not(None),
            sent.amount_minor < 0,
            received.amount_minor > 0,
            sent_account.currency != received_account.currency,
            or_(sent.account_id.in_(foreign), received.account_id.in_(foreign)),
        )
    )  # fmt: skip
    found = list(session.execute(pairs.where(sent.date.between(start, end))))
    before = list(
        session.execute(pairs.where(sent.date < start).order_by(sent.date.desc()).limit(200))
    )
    latest: dict[tuple[str, str], dt.date] = {}
    for day, out_currency, _a, in_currency, _b, _id in before:
        latest.setdefault((out_currency, in_currency), _as_date(day))
    found += [
        row for row in before if latest.get((row[1], row[3])) == _as_date(row[0])
    ]  # fmt: skip
    rates = []
    for day, out_currency, out_minor, in_currency, in_minor, _id in sorted(
        found, key=lambda row: row[5]
    ):
        rates.append(
            Rate(
                out_currency, in_currency, _as_date(day),
                rate_of_transfer(-out_minor, out_currency, in_minor, in_currency), TRANSFER,
            )
        )  # fmt: skip
    return rates


def day_totals(
    session: Session,
    account_ids: list[int],
    user_id: int,
    start: dt.date,
    end: dt.date,
    kinds: tuple[str, ...],
    *,
    by_category: bool = True,
    category_ids: set[int] | None = None,
) -> list[DayRow]:
    """Sums per currency, day, category and kind of the leaf rows of `account_ids`."""
    if not account_ids:
        return []
    category = (
        func.coalesce(Transaction.category_id, literal_column("0"))
        if by_category
        else literal_column("0")
    )
    query = (
        select(
            Account.currency, Transaction.date, category, Transaction.kind,
            func.sum(Transaction.amount_minor),
        )
        .join(Account, Account.id == Transaction.account_id)
        .where(
            Transaction.account_id.in_(account_ids),
            Transaction.user_id == user_id,
            Transaction.is_split.is_(False),
            Transaction.date.between(start, end),
            Transaction.kind.in_(kinds),
        )
        .group_by(Account.currency, Transaction.date, Transaction.kind)
    )  # fmt: skip
    if by_category:
        query = query.group_by(category)
    if category_ids is not None:
        query = query.where(Transaction.category_id.in_(category_ids))
    return [
        (currency, _as_date(day), int(cat), kind, int(total))
        for currency, day, cat, kind, total in session.execute(query)
    ]
