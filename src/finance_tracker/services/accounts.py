"""Accounts and their balances."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from finance_tracker.domain.ledger import AccountType
from finance_tracker.domain.money import MoneyError, normalise_currency, parse_amount
from finance_tracker.services.errors import Conflict, InvalidInput, NotFound
from finance_tracker.store import queries
from finance_tracker.store.models import Account
from finance_tracker.store.sqlfunctions import added, flushed

MAX_NAME_LENGTH = 80


NAME_TAKEN = "you already have an account with this name"


@dataclass
class AccountInput:
    name: str
    type: str
    currency: str
    opening_balance: str | int | Decimal = "0"
    archived: bool = False


@dataclass
class AccountWithBalance:
    account: Account
    balance_minor: int


def list_with_balances(
    session: Session, user_id: int, include_archived: bool = True
) -> list[AccountWithBalance]:
    query = select(Account).where(Account.user_id == user_id)
    if not include_archived:
        query = query.where(Account.archived.is_(False))
    accounts = session.scalars(query.order_by(Account.archived, Account.name)).all()
    balances = queries.balances(session, user_id)
    return [AccountWithBalance(a, balances.get(a.id, a.opening_balance_minor)) for a in accounts]


def get(session: Session, user_id: int, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None or account.user_id != user_id:
        raise NotFound("account")
    return account


def balance(session: Session, user_id: int, account_id: int) -> int:
    get(session, user_id, account_id)
    return queries.balances(session, user_id)[account_id]


def _validate(
    session: Session, user_id: int, data: AccountInput, own: Account | None
) -> tuple[str, str, int]:
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = "enter a name"
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = f"use at most {MAX_NAME_LENGTH} characters"
    else:
        clash = session.scalar(
            select(Account.id).where(Account.user_id == user_id, Account.name == name)
        )
        if clash is not None and (own is None or clash != own.id):
            errors["name"] = NAME_TAKEN
    if data.type not in AccountType.__members__:
        errors["type"] = "choose one of: " + ", ".join(AccountType.__members__)
    currency = ""
    try:
        currency = normalise_currency(data.currency)
    except MoneyError as error:
        errors["currency"] = str(error)
    opening = 0
    if currency:
        try:
            opening = parse_amount(data.opening_balance, currency)
        except MoneyError as error:
            errors["opening_balance"] = str(error)
    if (
        own is not None
        and currency
        and currency != own.currency
        and queries.transaction_count(session, own.id)
    ):
        errors["currency"] = "the currency cannot change once the account has transactions"
    if errors:
        raise InvalidInput(errors)
    return name, currency, opening


def create(session: Session, user_id: int, data: AccountInput) -> Account:
    name, currency, opening = _validate(session, user_id, data, None)
    account = Account(
        user_id=user_id,
        name=name,
        type=data.type,
        currency=currency,
        opening_balance_minor=opening,
        archived=bool(data.archived),
    )
    if not added(session, account):  # the same name, saved a moment ago by another request
        raise InvalidInput({"name": NAME_TAKEN})
    return account


def update(session: Session, user_id: int, account_id: int, data: AccountInput) -> Account:
    account = get(session, user_id, account_id)
    name, currency, opening = _validate(session, user_id, data, account)
    account.name, account.type, account.currency = name, data.type, currency
    account.opening_balance_minor, account.archived = opening, bool(data.archived)
    if not flushed(session):
        raise InvalidInput({"name": NAME_TAKEN})
    return account


def delete(session: Session, user_id: int, account_id: int) -> None:
    """Only an empty account can go; one with history is archived instead, so nothing is lost."""
    account = get(session, user_id, account_id)
    # Locked first: a transaction being written into it meanwhile is then counted (its
    # commit comes before this lock), or waits and finds the account gone — never deleted
    # with the account after it was saved.
    session.execute(select(Account.id).where(Account.id == account_id).with_for_update())
    count = queries.transaction_count(session, account_id)
    if count:
        raise Conflict(f"this account has {count} transactions: archive it instead of deleting it")
    session.delete(account)
    session.flush()
