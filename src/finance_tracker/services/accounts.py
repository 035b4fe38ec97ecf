"""Accounts and their balances."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from finance_tracker.domain.ledger import AccountType
from finance_tracker.domain.money import MoneyError, normalise_currency, parse_amount
from finance_tracker.domain.text import Plural, Text, message_of
from finance_tracker.services.errors import Conflict, InvalidInput, NotFound
from finance_tracker.store import queries
from finance_tracker.store.models import Account, Transaction
from finance_tracker.store.sqlfunctions import added, flushed

MAX_NAME_LENGTH = 80


NAME_TAKEN = Text("you already have an account with this name")


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


def running_balances(
    session: Session, user_id: int, account_id: int, rows: list[Transaction], *, newest_first: bool
) -> dict[int, int]:
    """The account's balance after each of `rows`, by id: a page of the account's transactions in
    date order (newest or oldest first, ties by id, as the lists sort), opening balance included.

    One sum over the account's rows up to the page's first, read through the (account, date)
    index; then each row on the page moves it by its own amount."""
    if not rows:
        return {}
    account = get(session, user_id, account_id)
    first = rows[0]
    top = func.coalesce(Transaction.parent_id, Transaction.id)  # a split line sorts as its split
    same_day = top <= first.id if newest_first else top < first.id
    before = session.scalar(
        select(func.coalesce(func.sum(Transaction.amount_minor), 0)).where(
            Transaction.user_id == user_id,
            Transaction.account_id == account_id,
            Transaction.is_split.is_(False),  # the lines of a split carry its amount
            or_(Transaction.date < first.date, and_(Transaction.date == first.date, same_day)),
        )
    )
    balance = account.opening_balance_minor + int(before or 0)
    balances: dict[int, int] = {}
    for row in rows:
        if newest_first:
            balances[row.id] = balance
            balance -= row.amount_minor
        else:
            balance += row.amount_minor
            balances[row.id] = balance
    return balances


def _validate(
    session: Session, user_id: int, data: AccountInput, own: Account | None
) -> tuple[str, str, int]:
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = Text("enter a name")
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = Text("use at most %(count)s characters", count=MAX_NAME_LENGTH)
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
        errors["currency"] = message_of(error)
    opening = 0
    if currency:
        try:
            opening = parse_amount(data.opening_balance, currency)
        except MoneyError as error:
            errors["opening_balance"] = message_of(error)
    if (
        own is not None
        and currency
        and currency != own.currency
        and queries.transaction_count(session, own.id)
    ):
        errors["currency"] = Text("the currency cannot change once the account has transactions")
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
        raise Conflict(
            Plural(
                "this account has %(count)s transaction: archive it instead of deleting it",
                "this account has %(count)s transactions: archive it instead of deleting it",
                count,
            )
        )
    session.delete(account)
    session.flush()
