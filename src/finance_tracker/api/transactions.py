"""Income, expenses, transfers (both legs) and splits; search with filters, sort and pages.

A transaction reads the way it is written: a positive `amount` whose direction the `kind` gives,
a transfer seen from the account the money left. `ledger_entry` adds the signed amount this very
row puts on its own account, which is what balances add up.
"""

from __future__ import annotations

import dataclasses

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate
from sqlalchemy.orm import Session

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.schemas import (
    ID_PATH,
    Amount,
    Id,
    MinorOut,
    MoneyOut,
    PageQuery,
    Text,
    UtcDateTime,
    money,
    page_of,
    page_schema,
    patch_schema,
)
from finance_tracker.api.session import unit_of_work
from finance_tracker.domain.ledger import Cleared, TransactionKind, split_line_amount
from finance_tracker.ops.metrics import TRANSACTIONS_CREATED
from finance_tracker.services import accounts, transactions
from finance_tracker.store.models import Transaction as TransactionRow

blp = ApiBlueprint(
    "Transactions",
    __name__,
    url_prefix="/api/v1/transactions",
    description="Income, expenses, transfers between accounts, and split transactions.",
)
KINDS = [kind.value for kind in TransactionKind]
CLEARED = (
    "where it stands against the bank: uncleared (entered here), cleared (the bank has it) or "
    "reconciled (matched to a statement; imported bank statements are)"
)
MAX_SPLITS = 100
MAX_TAGS = 50


class SplitInput(ma.Schema):
    amount = Amount(required=True, metadata={"example": "20.00"})
    category_id = Id(load_default=None, allow_none=True)
    memo = Text(load_default="")


class TransactionInput(ma.Schema):
    kind = Text(required=True, validate=validate.OneOf(KINDS))
    account_id = Id(required=True, metadata={"description": "for a transfer: where money left"})
    date = fields.Date(required=True, metadata={"example": "2026-01-31"})
    amount = Amount(
        required=True, metadata={"description": "positive; the kind gives the direction"}
    )
    payee = Text(load_default="")
    memo = Text(load_default="")
    category_id = Id(load_default=None, allow_none=True)
    tags = fields.List(Text(), load_default=list, validate=validate.Length(max=MAX_TAGS))
    splits = fields.List(
        fields.Nested(SplitInput),
        load_default=list,
        validate=validate.Length(max=MAX_SPLITS),
        metadata={"description": "two or more lines adding up to the amount, or none"},
    )
    to_account_id = Id(
        load_default=None, allow_none=True, metadata={"description": "transfers: where it went"}
    )
    to_amount = Amount(
        load_default=None,
        allow_none=True,
        metadata={"description": "transfers between currencies: the amount that arrived"},
    )
    cleared = Text(
        load_default=Cleared.uncleared.value,
        validate=validate.OneOf([c.value for c in Cleared]),
        metadata={"description": CLEARED},
    )


class SplitLine(ma.Schema):
    category_id = fields.Integer(allow_none=True, required=True)
    category = fields.String(allow_none=True, required=True, metadata={"description": "name"})
    memo = fields.String(required=True)
    amount = MoneyOut(
        "the line's share in the transaction's direction; negative for a line against it, "
        "like the tax withheld on a payslip"
    )
    amount_minor = MinorOut("the line's share")


class LedgerEntry(ma.Schema):
    account_id = fields.Integer(required=True)
    currency = fields.String(required=True)
    amount = MoneyOut("signed: money into the account is positive")
    amount_minor = MinorOut("signed amount")


class Transaction(ma.Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    date = fields.Date(required=True)
    account_id = fields.Integer(required=True)
    currency = fields.String(required=True)
    amount = MoneyOut("positive; the kind gives the direction")
    amount_minor = MinorOut("amount")
    payee = fields.String(required=True)
    memo = fields.String(required=True)
    category_id = fields.Integer(allow_none=True, required=True)
    category = fields.String(allow_none=True, required=True, metadata={"description": "name"})
    tags = fields.List(fields.String(), required=True)
    splits = fields.List(fields.Nested(SplitLine), required=True)
    to_account_id = fields.Integer(allow_none=True, required=True)
    to_currency = fields.String(allow_none=True, required=True)
    to_amount = fields.String(allow_none=True, required=True)
    to_amount_minor = fields.Integer(allow_none=True, required=True)
    cleared = fields.String(
        required=True,
        validate=validate.OneOf([c.value for c in Cleared]),
        metadata={"description": CLEARED},
    )
    ledger_entry = fields.Nested(LedgerEntry, required=True)
    running_balance = fields.String(
        metadata={
            "description": "only in a search of one account (account_id) sorted by date: the "
            "account's balance after this transaction, opening balance included (decimal "
            "string)",
            "example": "1234.56",
        }
    )
    running_balance_minor = fields.Integer(metadata={"description": "running_balance"})
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class TransactionQuery(PageQuery):
    text = Text(
        load_default="",
        validate=validate.Length(max=200),
        metadata={"description": "in payee or memo"},
    )
    date_from = fields.Date(load_default=None)
    date_to = fields.Date(load_default=None)
    account_id = Id(strict=False, load_default=None)
    category_id = Id(strict=False, load_default=None, metadata={"description": "subcategories too"})
    uncategorised = fields.Boolean(
        load_default=False,
        metadata={
            "description": "only income and expenses without a category (splits: a line without "
            "one); not with category_id"
        },
    )
    tag = Text(load_default="", validate=validate.Length(max=40))
    amount_min = Text(
        load_default=None,
        validate=validate.Length(max=40),
        metadata={"description": "smallest size of the amount (sign ignored), decimal string"},
    )
    amount_max = Text(
        load_default=None,
        validate=validate.Length(max=40),
        metadata={"description": "largest size of the amount (sign ignored), decimal string"},
    )
    kind = Text(load_default=None, validate=validate.OneOf(KINDS))
    sort = Text(load_default="date", validate=validate.OneOf(list(transactions.SORTS)))
    order = Text(load_default="desc", validate=validate.OneOf(["asc", "desc"]))


TransactionPage = page_schema(Transaction, "TransactionPage")


class CategoriseInput(ma.Schema):
    ids = fields.List(
        Id(),
        required=True,
        validate=validate.Length(min=1, max=transactions.MAX_CATEGORISE),
        metadata={
            "description": "your transactions' ids (not transfers or split transactions); any "
            "unknown, a transfer or a split refuses the whole request and changes nothing"
        },
    )
    category_id = Id(
        required=True, allow_none=True, metadata={"description": "null removes the category"}
    )


class Categorised(ma.Schema):
    updated = fields.Integer(required=True, metadata={"description": "how many transactions"})
    category_id = fields.Integer(allow_none=True, required=True)
    category = fields.String(allow_none=True, required=True, metadata={"description": "name"})


def _line(line: TransactionRow, kind: str, currency: str) -> dict:
    return {
        "category_id": line.category_id,
        "category": line.category.full_name if line.category else None,
        "memo": line.memo,
        **money("amount", split_line_amount(kind, line.amount_minor), currency),
    }


def present(row: TransactionRow, other_leg: TransactionRow | None) -> dict:
    outgoing, incoming = row, None
    if other_leg is not None:
        outgoing, incoming = (row, other_leg) if row.amount_minor < 0 else (other_leg, row)
    currency = outgoing.account.currency
    to_currency = incoming.account.currency if incoming else None
    return {
        "id": row.id,
        "kind": row.kind,
        "date": row.date,
        "account_id": outgoing.account_id,
        "currency": currency,
        **money("amount", abs(outgoing.amount_minor), currency),
        "payee": row.payee,
        "memo": row.memo,
        "category_id": row.category_id,
        "category": row.category.full_name if row.category else None,
        "tags": sorted(tag.name for tag in row.tags),
        "splits": [_line(line, row.kind, currency) for line in row.lines],
        "to_account_id": incoming.account_id if incoming else None,
        "to_currency": to_currency,
        **(
            money("to_amount", incoming.amount_minor, to_currency)
            if incoming and to_currency
            else {"to_amount": None, "to_amount_minor": None}
        ),
        "cleared": row.cleared,
        "ledger_entry": {
            "account_id": row.account_id,
            "currency": row.account.currency,
            **money("amount", row.amount_minor, row.account.currency),
        },
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def present_page(session: Session, user_id: int, rows: list[TransactionRow]) -> list[dict]:
    legs = transactions.transfer_counterparts(session, user_id, rows)
    return [present(row, legs.get(row.id)) for row in rows]


def _present_one(session: Session, row: TransactionRow) -> dict:
    return present(row, transactions.transfer_counterpart(session, row))


def _present_saved(session: Session, row: TransactionRow) -> dict:
    # The service sets relationships as objects: `account`, `category`, tags and lines are
    # already what was saved, without a reload.
    return _present_one(session, row)


def _input(body: dict) -> transactions.TransactionInput:
    splits = [transactions.SplitInput(**line) for line in body.get("splits", [])]
    return transactions.TransactionInput(**{**body, "splits": splits})


@blp.route("")
class Transactions(MethodView):
    @blp.arguments(TransactionQuery, location="query")
    @blp.response(200, TransactionPage)
    def get(self, query: dict) -> dict:
        """Search transactions: filter, sort and page"""
        user_id = current_user_id()
        page, per_page = query.pop("page"), query.pop("per_page")
        sort, descending = query.pop("sort"), query.pop("order") == "desc"
        query["kind"] = query["kind"] or ""
        with unit_of_work() as session:
            found = transactions.search(
                session,
                user_id,
                transactions.TransactionFilter(**query),
                page=page,
                per_page=per_page,
                sort=sort,
                descending=descending,
            )
            items = present_page(session, user_id, found.items)
            account_id = query["account_id"]
            if account_id is not None and sort == "date":
                currency = accounts.get(session, user_id, account_id).currency
                balances = accounts.running_balances(
                    session, user_id, account_id, found.items, newest_first=descending
                )
                for item, row in zip(items, found.items, strict=True):
                    item.update(money("running_balance", balances[row.id], currency))
        return page_of(items, found.page, found.per_page, total=found.total)

    @blp.arguments(TransactionInput)
    @blp.response(201, Transaction)
    def post(self, body: dict) -> dict:
        """Record income, an expense or a transfer, split or not"""
        with unit_of_work() as session:
            row = transactions.create(session, current_user_id(), _input(body))
            created = _present_saved(session, row)
        TRANSACTIONS_CREATED.labels(source="api", kind=body["kind"]).inc()
        return created


@blp.route("/categorise")
class Categorise(MethodView):
    @blp.arguments(CategoriseInput)
    @blp.response(200, Categorised)
    def post(self, body: dict) -> dict:
        """Give many transactions one category (or none) at once: all of them, or none"""
        with unit_of_work() as session:
            rows = transactions.set_category(
                session, current_user_id(), body["ids"], body["category_id"]
            )
            category = rows[0].category
            return {
                "updated": len(rows),
                "category_id": body["category_id"],
                "category": category.full_name if category else None,
            }


@blp.route(f"/<{ID_PATH}:transaction_id>")
class TransactionItem(MethodView):
    @blp.response(200, Transaction)
    @blp.not_found()
    def get(self, transaction_id: int) -> dict:
        """One transaction (either leg's id finds a transfer)"""
        with unit_of_work() as session:
            return _present_one(
                session, transactions.get(session, current_user_id(), transaction_id)
            )

    @blp.arguments(TransactionInput)
    @blp.response(200, Transaction)
    @blp.not_found()
    def put(self, body: dict, transaction_id: int) -> dict:
        """Replace a transaction (optional fields left out take their defaults)"""
        user_id = current_user_id()
        with unit_of_work() as session:
            row = transactions.update(session, user_id, transaction_id, _input(body))
            return _present_saved(session, row)

    @blp.arguments(patch_schema(TransactionInput, "TransactionPatch"))
    @blp.response(200, Transaction)
    @blp.not_found()
    def patch(self, changes: dict, transaction_id: int) -> dict:
        """Change some fields of a transaction"""
        user_id = current_user_id()
        with unit_of_work() as session:
            # Read under the lock: a change made meanwhile is what these changes apply to.
            row = transactions.get_locked(session, user_id, transaction_id)
            current = transactions.as_input(session, row)
            other_leg = transactions.transfer_counterpart(session, row)
            if other_leg and other_leg.account.currency == row.account.currency:
                # Same currency: what arrived is what left, so a new amount must not be
                # checked against the old received amount.
                current.to_amount = None
            if "splits" in changes:
                changes["splits"] = [transactions.SplitInput(**s) for s in changes["splits"]]
            data = dataclasses.replace(current, **changes)
            saved = transactions.update(session, user_id, row.id, data, locked=row)
            return _present_saved(session, saved)

    @blp.response(204)
    @blp.not_found()
    def delete(self, transaction_id: int) -> None:
        """Delete a transaction: a split with its lines, a transfer with both legs"""
        with unit_of_work() as session:
            transactions.delete(session, current_user_id(), transaction_id)
