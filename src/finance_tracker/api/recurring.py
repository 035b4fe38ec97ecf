"""Recurring transactions and bills: a template on a schedule, turned into ordinary transactions
once per due date (never twice), by the scheduler or by `POST /api/v1/recurring/run-due`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.schemas import (
    ID_PATH,
    Amount,
    Id,
    PageQuery,
    Text,
    UtcDateTime,
    in_ledger,
    page_of,
    page_schema,
    patch_schema,
)
from finance_tracker.api.session import unit_of_work
from finance_tracker.domain.ledger import TransactionKind
from finance_tracker.domain.money import MoneyError, format_plain, parse_amount
from finance_tracker.domain.recurrence import LAST_DAY, MAX_COUNT, MAX_INTERVAL, Frequency
from finance_tracker.services import recurring
from finance_tracker.store.models import RecurringTransaction as RecurringRow

blp = ApiBlueprint(
    "Recurring",
    __name__,
    url_prefix="/api/v1/recurring",
    description="Recurring transactions and bills: templates on a schedule.",
)
KINDS = [kind.value for kind in TransactionKind]
FREQUENCIES = [frequency.value for frequency in Frequency]
MAX_TAGS = 50
MAX_UPCOMING_DAYS = 366


class RecurringInput(ma.Schema):
    name = Text(required=True, metadata={"example": "Rent"})
    kind = Text(required=True, validate=validate.OneOf(KINDS))
    account_id = Id(required=True, metadata={"description": "for a transfer: where money leaves"})
    amount = Amount(
        required=True, metadata={"description": "positive; the kind gives the direction"}
    )
    frequency = Text(required=True, validate=validate.OneOf(FREQUENCIES))
    start_date = fields.Date(
        required=True, metadata={"description": "the first occurrence", "example": "2026-01-01"}
    )
    interval = fields.Integer(
        load_default=1,
        validate=validate.Range(1, MAX_INTERVAL),
        metadata={"description": "every N days, weeks, months or years"},
    )
    day_of_month = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(LAST_DAY, 31),
        metadata={"description": f"monthly only: 1 to 31, or {LAST_DAY} for the last day"},
    )
    end_date = fields.Date(load_default=None, allow_none=True)
    max_count = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, MAX_COUNT),
        metadata={"description": "stop after this many occurrences"},
    )
    payee = Text(load_default="")
    memo = Text(load_default="")
    category_id = Id(load_default=None, allow_none=True)
    tags = fields.List(Text(), load_default=list, validate=validate.Length(max=MAX_TAGS))
    to_account_id = Id(
        load_default=None, allow_none=True, metadata={"description": "transfers: where it goes"}
    )
    to_amount = Amount(
        load_default=None,
        allow_none=True,
        metadata={"description": "transfers between currencies: the amount that arrives"},
    )
    active = fields.Boolean(load_default=True)


class Recurring(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    account_id = fields.Integer(required=True)
    currency = fields.String(required=True, metadata={"example": "EUR"})
    amount = fields.String(
        required=True, metadata={"description": "positive (decimal string)", "example": "12.30"}
    )
    amount_minor = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "in minor units; null if the account's currency changed since"},
    )
    frequency = fields.String(required=True, validate=validate.OneOf(FREQUENCIES))
    interval = fields.Integer(required=True)
    day_of_month = fields.Integer(required=True, allow_none=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True, allow_none=True)
    max_count = fields.Integer(required=True, allow_none=True)
    payee = fields.String(required=True)
    memo = fields.String(required=True)
    category_id = fields.Integer(required=True, allow_none=True)
    tags = fields.List(fields.String(), required=True)
    to_account_id = fields.Integer(required=True, allow_none=True)
    to_amount = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "transfers between currencies, as entered"},
    )
    active = fields.Boolean(required=True)
    next_date = fields.Date(
        required=True,
        allow_none=True,
        metadata={"description": "the next scheduled date from today on; null when finished"},
    )
    created_at = UtcDateTime(required=True)


class UpcomingItem(ma.Schema):
    recurring_id = fields.Integer(required=True)
    name = fields.String(required=True)
    date = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    account_id = fields.Integer(required=True)
    currency = fields.String(required=True)
    amount = fields.String(required=True, metadata={"description": "positive (decimal string)"})
    amount_minor = fields.Integer(required=True, allow_none=True)
    payee = fields.String(required=True)
    overdue = fields.Boolean(
        required=True, metadata={"description": "due before today but not created yet"}
    )


class UpcomingQuery(PageQuery):
    days = fields.Integer(
        load_default=30,
        validate=validate.Range(0, MAX_UPCOMING_DAYS),
        metadata={"description": "how far ahead to look"},
    )
    today = fields.Date(
        load_default=None,
        validate=in_ledger,
        metadata={"description": "the day to look from; default: today"},
    )


class RunReport(ma.Schema):
    created = fields.Integer(required=True, metadata={"description": "transactions created"})
    failed = fields.Integer(
        required=True,
        metadata={"description": "occurrences that could not be created (e.g. a deleted account)"},
    )


RecurringPage = page_schema(Recurring, "RecurringPage")
UpcomingPage = page_schema(UpcomingItem, "UpcomingPage")


def _amount(text: str, currency: str) -> tuple[str, int | None]:
    """The amount as stored (checked when entered) as a plain decimal plus minor units; as
    stored, without minor units, if it no longer fits the account's currency."""
    try:
        minor = parse_amount(text, currency)
    except MoneyError:
        return text, None
    return format_plain(minor, currency), minor


def present(row: RecurringRow, today: dt.date) -> dict:
    currency = row.account.currency
    amount, amount_minor = _amount(row.amount, currency)
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "account_id": row.account_id,
        "currency": currency,
        "amount": amount,
        "amount_minor": amount_minor,
        "frequency": row.frequency,
        "interval": row.interval,
        "day_of_month": row.day_of_month,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "max_count": row.max_count,
        "payee": row.payee,
        "memo": row.memo,
        "category_id": row.category_id,
        "tags": [tag for tag in row.tags.split(",") if tag],
        "to_account_id": row.to_account_id,
        "to_amount": row.to_amount,
        "active": row.active,
        "next_date": recurring.next_date(row, today),
        "created_at": row.created_at,
    }


def _input(body: dict) -> recurring.RecurringInput:
    return recurring.RecurringInput(**body)


def _as_input(row: RecurringRow) -> recurring.RecurringInput:
    return recurring.RecurringInput(
        name=row.name,
        kind=row.kind,
        account_id=row.account_id,
        amount=row.amount,
        frequency=row.frequency,
        start_date=row.start_date,
        interval=row.interval,
        day_of_month=row.day_of_month,
        end_date=row.end_date,
        max_count=row.max_count,
        payee=row.payee,
        memo=row.memo,
        category_id=row.category_id,
        tags=[tag for tag in row.tags.split(",") if tag],
        to_account_id=row.to_account_id,
        to_amount=row.to_amount,
        active=row.active,
    )


@blp.route("")
class RecurringList(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, RecurringPage)
    def get(self, query: dict) -> dict:
        """List recurring transactions, by name"""
        today = dt.date.today()
        with unit_of_work() as session:
            items = [present(row, today) for row in recurring.list_all(session, current_user_id())]
        return page_of(items, query["page"], query["per_page"])

    @blp.arguments(RecurringInput)
    @blp.response(201, Recurring)
    def post(self, body: dict) -> dict:
        """Create a recurring transaction"""
        with unit_of_work() as session:
            row = recurring.create(session, current_user_id(), _input(body))
            session.refresh(row)  # load the account the new row points to
            return present(row, dt.date.today())


@blp.route("/upcoming")
class Upcoming(MethodView):
    @blp.arguments(UpcomingQuery, location="query")
    @blp.response(200, UpcomingPage)
    def get(self, query: dict) -> dict:
        """What is due in the next days, plus anything overdue not created yet, by date"""
        today = query["today"] or dt.date.today()
        with unit_of_work() as session:
            due = recurring.upcoming(session, current_user_id(), today, query["days"])
            items = []
            for item in due:
                row = item.recurring
                currency = row.account.currency
                amount, amount_minor = _amount(row.amount, currency)
                items.append(
                    {
                        "recurring_id": row.id,
                        "name": row.name,
                        "date": item.date,
                        "kind": row.kind,
                        "account_id": row.account_id,
                        "currency": currency,
                        "amount": amount,
                        "amount_minor": amount_minor,
                        "payee": row.payee,
                        "overdue": item.date < today,
                    }
                )
        return page_of(items, query["page"], query["per_page"])


@blp.route("/run-due")
class RunDue(MethodView):
    @blp.response(200, RunReport)
    def post(self) -> dict:
        """Create every due occurrence of this user's templates not created yet (no body)"""
        with unit_of_work() as session:
            report = recurring.run_due(session, user_id=current_user_id())
        return {"created": report.created, "failed": report.failed}


@blp.route(f"/<{ID_PATH}:recurring_id>")
class RecurringItem(MethodView):
    @blp.response(200, Recurring)
    @blp.not_found()
    def get(self, recurring_id: int) -> dict:
        """One recurring transaction"""
        with unit_of_work() as session:
            row = recurring.get(session, current_user_id(), recurring_id)
            return present(row, dt.date.today())

    @blp.arguments(RecurringInput)
    @blp.response(200, Recurring)
    @blp.not_found()
    def put(self, body: dict, recurring_id: int) -> dict:
        """Replace a recurring transaction (optional fields left out take their defaults)"""
        return _save(recurring_id, lambda _current: _input(body))

    @blp.arguments(patch_schema(RecurringInput, "RecurringPatch"))
    @blp.response(200, Recurring)
    @blp.not_found()
    def patch(self, changes: dict, recurring_id: int) -> dict:
        """Change some fields of a recurring transaction"""
        return _save(recurring_id, lambda current: dataclasses.replace(current, **changes))

    @blp.response(204)
    @blp.not_found()
    def delete(self, recurring_id: int) -> None:
        """Delete a template; the transactions it already created stay"""
        with unit_of_work() as session:
            recurring.delete(session, current_user_id(), recurring_id)


def _save(
    recurring_id: int, build: Callable[[recurring.RecurringInput], recurring.RecurringInput]
) -> dict:
    user_id = current_user_id()
    with unit_of_work() as session:
        current = recurring.get(session, user_id, recurring_id)
        row = recurring.update(session, user_id, recurring_id, build(_as_input(current)))
        session.refresh(row)  # `account` follows a changed account_id
        return present(row, dt.date.today())
