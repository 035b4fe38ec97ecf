"""Recurring transactions and bills: templates on a schedule, generated idempotently."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finance_tracker.domain.recurrence import (
    Frequency,
    Schedule,
    ScheduleError,
    next_after,
    occurrences,
)
from finance_tracker.domain.text import Text
from finance_tracker.services import transactions
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.services.rules import RuleBook
from finance_tracker.services.transactions import TransactionInput
from finance_tracker.store.models import RecurringOccurrence, RecurringTransaction

log = logging.getLogger(__name__)


@dataclass
class RecurringInput:
    name: str
    kind: str
    account_id: int
    amount: str | Decimal
    frequency: str
    start_date: dt.date
    interval: int = 1
    day_of_month: int | None = None
    end_date: dt.date | None = None
    max_count: int | None = None
    payee: str = ""
    memo: str = ""
    category_id: int | None = None
    tags: list[str] = field(default_factory=list)
    to_account_id: int | None = None
    to_amount: str | Decimal | None = None
    active: bool = True


def schedule_of(row: RecurringTransaction) -> Schedule:
    return Schedule(
        Frequency(row.frequency), row.start_date, row.interval, row.day_of_month,
        row.end_date, row.max_count,
    )  # fmt: skip


def template_of(row: RecurringTransaction, day: dt.date) -> TransactionInput:
    return TransactionInput(
        kind=row.kind, account_id=row.account_id, date=day, amount=row.amount, payee=row.payee,
        memo=row.memo, category_id=row.category_id, tags=[t for t in row.tags.split(",") if t],
        to_account_id=row.to_account_id, to_amount=row.to_amount,
    )  # fmt: skip


def _validate(session: Session, user_id: int, data: RecurringInput) -> dict[str, object]:
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name or len(name) > 80:
        errors["name"] = Text("give it a name of at most 80 characters")
    if data.frequency not in Frequency.__members__:
        errors["frequency"] = Text("choose daily, weekly, monthly or yearly")
    else:
        try:
            Schedule(
                Frequency(data.frequency), data.start_date, data.interval, data.day_of_month,
                data.end_date, data.max_count,
            )  # fmt: skip
        except ScheduleError as error:
            errors[error.field] = error.message
    template = TransactionInput(
        kind=data.kind, account_id=data.account_id, date=data.start_date, amount=data.amount,
        payee=data.payee, memo=data.memo, category_id=data.category_id, tags=data.tags,
        to_account_id=data.to_account_id, to_amount=data.to_amount,
    )  # fmt: skip
    try:
        transactions.check(session, user_id, template)
    except InvalidInput as error:
        errors.update({("start_date" if k == "date" else k): v for k, v in error.errors.items()})
    if errors:
        raise InvalidInput(errors)
    return {
        "name": name, "kind": data.kind, "account_id": data.account_id,
        "to_account_id": data.to_account_id if data.kind == "transfer" else None,
        "amount": str(data.amount).strip(),
        "to_amount": str(data.to_amount).strip() if data.to_amount not in (None, "") else None,
        "payee": (data.payee or "").strip(), "memo": (data.memo or "").strip(),
        "category_id": data.category_id,
        "tags": ",".join(t.strip().lower() for t in data.tags if t.strip()),
        "frequency": data.frequency, "interval": data.interval,
        "day_of_month": data.day_of_month, "start_date": data.start_date,
        "end_date": data.end_date, "max_count": data.max_count, "active": bool(data.active),
    }  # fmt: skip


def create(session: Session, user_id: int, data: RecurringInput) -> RecurringTransaction:
    row = RecurringTransaction(user_id=user_id, **_validate(session, user_id, data))
    session.add(row)
    session.flush()
    return row


def update(
    session: Session, user_id: int, recurring_id: int, data: RecurringInput
) -> RecurringTransaction:
    row = get(session, user_id, recurring_id)
    for key, value in _validate(session, user_id, data).items():
        setattr(row, key, value)
    session.flush()
    return row


def get(session: Session, user_id: int, recurring_id: int) -> RecurringTransaction:
    row = session.get(RecurringTransaction, recurring_id)
    if row is None or row.user_id != user_id:
        raise NotFound("recurring transaction")
    return row


def delete(session: Session, user_id: int, recurring_id: int) -> None:
    """The template goes; transactions it already created stay."""
    session.delete(get(session, user_id, recurring_id))
    session.flush()


def list_all(session: Session, user_id: int) -> list[RecurringTransaction]:
    query = select(RecurringTransaction).where(RecurringTransaction.user_id == user_id)
    return list(session.scalars(query.order_by(RecurringTransaction.name)))


@dataclass(frozen=True)
class Upcoming:
    recurring: RecurringTransaction
    date: dt.date


def upcoming(
    session: Session, user_id: int, today: dt.date | None = None, days: int = 30
) -> list[Upcoming]:
    """Dates due from today to `days` ahead, plus any overdue one not generated yet."""
    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=days)
    result = []
    for row in list_all(session, user_id):
        if not row.active:
            continue
        done = _generated_dates(session, row.id)
        for day in occurrences(schedule_of(row), horizon):
            if day not in done:
                result.append(Upcoming(row, day))
    return sorted(result, key=lambda u: (u.date, u.recurring.name))


def next_date(row: RecurringTransaction, today: dt.date) -> dt.date | None:
    """The next scheduled date from today on, generated or not."""
    return next_after(schedule_of(row), today - dt.timedelta(days=1))


def _generated_dates(session: Session, recurring_id: int) -> set[dt.date]:
    query = select(RecurringOccurrence.date).where(RecurringOccurrence.recurring_id == recurring_id)
    return set(session.scalars(query))


@dataclass
class RunReport:
    created: int = 0
    failed: int = 0


def run_due(
    session: Session, today: dt.date | None = None, user_id: int | None = None
) -> RunReport:
    """Create every due occurrence not created yet. Running it twice, or twice at once, creates
    nothing twice: each (template, date) pair is a primary key, claimed before it is written."""
    today = today or dt.date.today()
    report = RunReport()
    query = select(RecurringTransaction).where(RecurringTransaction.active.is_(True))
    if user_id is not None:
        query = query.where(RecurringTransaction.user_id == user_id)
    books: dict[int, RuleBook] = {}
    for row in list(session.scalars(query.order_by(RecurringTransaction.id))):
        done = _generated_dates(session, row.id)
        for day in occurrences(schedule_of(row), today):
            if day in done:
                continue
            try:
                with session.begin_nested():
                    claim = RecurringOccurrence(recurring_id=row.id, date=day)
                    session.add(claim)
                    session.flush()
                    book = books.setdefault(row.user_id, RuleBook(session, row.user_id))
                    created = transactions.create(
                        session, row.user_id, template_of(row, day), rule_book=book
                    )
                    claim.transaction_id = created.id
                report.created += 1
            except IntegrityError:
                continue  # another run claimed this date first
            except InvalidInput as error:
                report.failed += 1
                log.warning(
                    "recurring transaction not created",
                    extra={"recurring_id": row.id, "date": day.isoformat(), "reason": str(error)},
                )
    return report
