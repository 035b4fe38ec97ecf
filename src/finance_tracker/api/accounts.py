"""Accounts with their balances."""

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
from finance_tracker.domain.ledger import AccountType
from finance_tracker.domain.money import format_plain
from finance_tracker.services import accounts
from finance_tracker.store.models import Account as AccountRow

blp = ApiBlueprint(
    "Accounts",
    __name__,
    url_prefix="/api/v1/accounts",
    description="Bank accounts, cards, cash, loans and investments, with their balances.",
)


class Account(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(list(AccountType)))
    currency = fields.String(required=True, metadata={"example": "EUR"})
    opening_balance = MoneyOut("balance before the first transaction")
    opening_balance_minor = MinorOut("opening balance")
    balance = MoneyOut("current balance, opening balance included")
    balance_minor = MinorOut("current balance")
    archived = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)


class AccountInput(ma.Schema):
    name = Text(required=True, metadata={"example": "Checking"})
    type = Text(
        required=True, validate=validate.OneOf(list(AccountType)), metadata={"example": "checking"}
    )
    currency = Text(required=True, metadata={"description": "ISO 4217 code", "example": "EUR"})
    opening_balance = Amount(load_default="0", metadata={"example": "100.00"})
    archived = fields.Boolean(load_default=False)


class AccountQuery(PageQuery):
    include_archived = fields.Boolean(load_default=True)


AccountPage = page_schema(Account, "AccountPage")


def present(account: AccountRow, balance_minor: int) -> dict:
    return {
        "id": account.id,
        "name": account.name,
        "type": account.type,
        "currency": account.currency,
        **money("opening_balance", account.opening_balance_minor, account.currency),
        **money("balance", balance_minor, account.currency),
        "archived": account.archived,
        "created_at": account.created_at,
    }


def _present_one(session: Session, user_id: int, account: AccountRow) -> dict:
    return present(account, accounts.balance(session, user_id, account.id))


@blp.route("")
class Accounts(MethodView):
    @blp.arguments(AccountQuery, location="query")
    @blp.response(200, AccountPage)
    def get(self, query: dict) -> dict:
        """List accounts with their balances"""
        with unit_of_work() as session:
            rows = accounts.list_with_balances(
                session, current_user_id(), include_archived=query["include_archived"]
            )
            items = [present(row.account, row.balance_minor) for row in rows]
        return page_of(items, query["page"], query["per_page"])

    @blp.arguments(AccountInput)
    @blp.response(201, Account)
    def post(self, body: dict) -> dict:
        """Open an account"""
        user_id = current_user_id()
        with unit_of_work() as session:
            account = accounts.create(session, user_id, accounts.AccountInput(**body))
            return _present_one(session, user_id, account)


@blp.route(f"/<{ID_PATH}:account_id>")
class AccountItem(MethodView):
    @blp.response(200, Account)
    @blp.not_found()
    def get(self, account_id: int) -> dict:
        """One account with its balance"""
        user_id = current_user_id()
        with unit_of_work() as session:
            return _present_one(session, user_id, accounts.get(session, user_id, account_id))

    @blp.arguments(AccountInput)
    @blp.response(200, Account)
    @blp.not_found()
    def put(self, body: dict, account_id: int) -> dict:
        """Replace an account (optional fields left out take their defaults)"""
        user_id = current_user_id()
        with unit_of_work() as session:
            account = accounts.update(session, user_id, account_id, accounts.AccountInput(**body))
            return _present_one(session, user_id, account)

    @blp.arguments(patch_schema(AccountInput, "AccountPatch"))
    @blp.response(200, Account)
    @blp.not_found()
    def patch(self, changes: dict, account_id: int) -> dict:
        """Change some fields of an account"""
        user_id = current_user_id()
        with unit_of_work() as session:
            current = accounts.get(session, user_id, account_id)
            data = accounts.AccountInput(
                name=current.name,
                type=current.type,
                currency=current.currency,
                opening_balance=format_plain(current.opening_balance_minor, current.currency),
                archived=current.archived,
            )
            data = dataclasses.replace(data, **changes)
            account = accounts.update(session, user_id, account_id, data)
            return _present_one(session, user_id, account)

    @blp.response(204)
    @blp.not_found()
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, account_id: int) -> None:
        """Delete an account that has no transactions (archive one that has)"""
        with unit_of_work() as session:
            accounts.delete(session, current_user_id(), account_id)
