"""Exchange rates a person keeps: entered by hand, uploaded from the ECB, learnt from transfers;
the home currency everything is converted into; and the rate book a conversion reads."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from finance_tracker.domain.ledger import check_date
from finance_tracker.domain.money import MoneyError, normalise_currency
from finance_tracker.domain.rates import ECB, MANUAL, Rate, RateBook, check_pair, parse_rate
from finance_tracker.domain.text import Text, message_of
from finance_tracker.importers import ecb_rates
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.store import rate_queries
from finance_tracker.store.models import Account, ExchangeRate, User
from finance_tracker.store.sqlfunctions import insert_for

PAGE_SIZE = 50


@dataclass
class RateInput:
    base: str
    quote: str
    day: dt.date | None
    rate: str | Decimal


def _checked(data: RateInput) -> Rate:
    errors: dict[str, str] = {}
    base = quote = ""
    try:
        base = normalise_currency(data.base)
    except MoneyError as error:
        errors["base"] = message_of(error)
    try:
        quote = normalise_currency(data.quote)
    except MoneyError as error:
        errors["quote"] = message_of(error)
    if base and quote:
        try:
            check_pair(base, quote)
        except MoneyError as error:
            errors["quote"] = message_of(error)
    if data.day is None:
        errors["date"] = Text("enter a date")
    else:
        try:
            check_date(data.day)
        except ValueError as error:
            errors["date"] = message_of(error)
    rate = Decimal(0)
    try:
        rate = parse_rate(data.rate)
    except MoneyError as error:
        errors["rate"] = message_of(error)
    if errors:
        raise InvalidInput(errors)
    assert data.day is not None
    return Rate(base, quote, data.day, rate, MANUAL)


def _upsert(session: Session, user_id: int, rates: list[Rate]) -> None:
    """Write rates, replacing the same pair, day and source (a corrected rate, a file again)."""
    statement = insert_for(session, ExchangeRate.__table__)
    now = dt.datetime.now(dt.UTC)
    for start in range(0, len(rates), 1000):
        values = [
            {
                "user_id": user_id, "base": r.base, "quote": r.quote, "day": r.day,
                "rate": str(r.value), "source": r.source, "created_at": now,
            }
            for r in rates[start : start + 1000]
        ]  # fmt: skip
        insert = statement.values(values)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=["user_id", "base", "quote", "day", "source"],
                set_={"rate": insert.excluded.rate, "created_at": insert.excluded.created_at},
            )
        )
    _rates_changed(session, user_id)


def _rates_changed(session: Session, user_id: int) -> None:
    """Every process drops the rates it kept for this person (rate_queries.stored_rates). A
    random step, not +1: a write rolled back and another committed after it must not meet at
    the same number while a process kept the rolled-back one's rates; never 0, so the version
    always changes."""
    step = secrets.randbelow(2**29) + 1  # the sum stays under 2**31, an INTEGER
    session.execute(
        update(User)
        .where(User.id == user_id)
        .values(rates_version=(User.rates_version + step) % 2**30)
    )


def add(session: Session, user_id: int, data: RateInput) -> ExchangeRate:
    """Enter a rate by hand; the same pair and day entered again replaces it."""
    rate = _checked(data)
    _upsert(session, user_id, [rate])
    return session.scalars(
        select(ExchangeRate).where(
            ExchangeRate.user_id == user_id, ExchangeRate.base == rate.base,
            ExchangeRate.quote == rate.quote, ExchangeRate.day == rate.day,
            ExchangeRate.source == MANUAL,
        ).execution_options(populate_existing=True)
    ).one()  # fmt: skip


def delete_rate(session: Session, user_id: int, rate_id: int) -> None:
    row = session.get(ExchangeRate, rate_id)
    if row is None or row.user_id != user_id:
        raise NotFound("rate")
    session.delete(row)
    session.flush()
    _rates_changed(session, user_id)


@dataclass(frozen=True)
class UploadResult:
    rates: int
    days: int
    currencies: list[str]
    first_day: dt.date | None
    last_day: dt.date | None
    unknown_currencies: list[str]


def import_ecb(session: Session, user_id: int, data: bytes) -> UploadResult:
    """An ECB reference-rates file (daily or historical, CSV or zip): all its rates or none."""
    try:
        parsed = ecb_rates.parse(data)
    except ecb_rates.RatesFileError as error:
        raise InvalidInput({"file": message_of(error)}) from None
    _upsert(session, user_id, parsed.rates)
    return UploadResult(
        len(parsed.rates),
        parsed.days,
        sorted({r.quote for r in parsed.rates}),
        parsed.first_day,
        parsed.last_day,
        parsed.unknown_currencies,
    )


def set_fetch_ecb(session: Session, user: User, fetch: bool) -> None:
    """Whether the scheduled jobs bring the ECB's reference rates in for this person (on a
    server that fetches them: ECB_RATES_FETCH)."""
    user.fetch_ecb_rates = bool(fetch)


def people_fetching_ecb(session: Session) -> dict[int, dt.date | None]:
    """Who asked for the ECB's rates, and the last day of the ECB rates each already has."""
    latest = (
        select(ExchangeRate.user_id, func.max(ExchangeRate.day).label("day"))
        .where(ExchangeRate.source == ECB)
        .group_by(ExchangeRate.user_id)
        .subquery()
    )
    rows = session.execute(
        select(User.id, latest.c.day)
        .outerjoin(latest, latest.c.user_id == User.id)
        .where(User.fetch_ecb_rates.is_(True))
    ).all()
    return {user_id: None if day is None else rate_queries.as_date(day) for user_id, day in rows}


def add_fetched_ecb(session: Session, user_id: int, fetched: list[Rate]) -> None:
    """Rates of a fetched ECB file (jobs/ecb_rates.py), stored as an upload of it would be."""
    _upsert(session, user_id, fetched)


@dataclass(frozen=True)
class RatePage:
    rows: list[ExchangeRate]
    total: int
    page: int
    pages: int


def list_stored(
    session: Session, user_id: int, currency: str | None = None, page: int = 1
) -> RatePage:
    """Entered and uploaded rates, newest day first; `currency` keeps the pairs that have it."""
    query = select(ExchangeRate).where(ExchangeRate.user_id == user_id)
    if currency:
        try:
            code = normalise_currency(currency)
        except MoneyError as error:
            raise InvalidInput({"currency": message_of(error)}) from None
        query = query.where(or_(ExchangeRate.base == code, ExchangeRate.quote == code))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.scalars(
        query.order_by(ExchangeRate.day.desc(), ExchangeRate.base, ExchangeRate.quote)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return RatePage(list(rows), total, page, pages)


def learnt(session: Session, user_id: int, limit: int = PAGE_SIZE) -> list[Rate]:
    """Rates the person's cross-currency transfers made, newest first."""
    accounts = dict(
        session.execute(
            select(Account.id, Account.currency).where(Account.user_id == user_id)
        ).all()
    )
    if len(set(accounts.values())) < 2:
        return []
    found = rate_queries.transfer_rates(
        session, user_id, accounts, dt.date(1, 1, 1), dt.date(9999, 12, 31)
    )
    return sorted(found, key=lambda r: r.day, reverse=True)[:limit]


def book_for(
    session: Session, user_id: int, target: str, start: dt.date, end: dt.date
) -> tuple[RateBook, dict[int, str]]:
    """The rates a conversion into `target` of amounts from `start` to `end` can use, and the
    accounts in other currencies (empty: nothing to convert, and nothing was read)."""
    foreign = rate_queries.accounts_not_in(session, user_id, target)
    if not foreign:
        return RateBook(()), foreign
    currencies = set(foreign.values()) | {target, "EUR"}
    stored = rate_queries.stored_rates(session, user_id, currencies, start, end)
    learnt_rates = rate_queries.transfer_rates(session, user_id, foreign, start, end)
    return RateBook([*stored, *learnt_rates]), foreign
