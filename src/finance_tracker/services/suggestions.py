"""Quicker everyday entry: payees from the person's own history as they type ("Li" offers
"Lidl"), and the category a new transaction with a payee would likely get.

The category comes from what saving would do first, the person's rules (their first matching
active rule decides, as on create), and otherwise from the last transaction with that payee.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finance_tracker.domain.ledger import TransactionKind
from finance_tracker.domain.rules import matches
from finance_tracker.domain.text import Text
from finance_tracker.services import categories
from finance_tracker.services.errors import InvalidInput
from finance_tracker.services.rules import RuleBook
from finance_tracker.services.rules import list_all as all_rules
from finance_tracker.store.models import Transaction

MAX_SUGGESTIONS = 20
MAX_PAYEE = 200
# Suggestions read the newest transactions only: as fast with a million rows as with a hundred,
# and the payees people use now are in there.
HISTORY = 20_000


@dataclass(frozen=True)
class PayeeSuggestion:
    payee: str
    transactions: int  # how often it was used, within the history read
    last_date: dt.date


@dataclass(frozen=True)
class CategorySuggestion:
    category_id: int
    category: str  # its full name: Food › Groceries
    source: str  # "rule" or "history"
    rule: str | None  # the rule's name, when a rule decided
    last_date: dt.date | None  # the transaction it was taken from, when history decided


def _clean(text: str, field: str) -> str:
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_PAYEE:
        raise InvalidInput({field: Text("use at most %(count)s characters", count=MAX_PAYEE)})
    return cleaned


def payees(session: Session, user_id: int, prefix: str, limit: int = 10) -> list[PayeeSuggestion]:
    """The person's payees that start with `prefix` (case does not matter), the most used
    first, then the most recent."""
    prefix = _clean(prefix, "prefix")
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise InvalidInput({"limit": Text("between 1 and %(count)s", count=MAX_SUGGESTIONS)})
    if not prefix:
        return []
    recent = (
        select(Transaction.payee, Transaction.date)
        .where(
            Transaction.user_id == user_id,
            Transaction.parent_id.is_(None),
            Transaction.payee != "",
        )
        .order_by(Transaction.date.desc(), Transaction.id.desc())
        .limit(HISTORY)
        .subquery()
    )
    used, last = func.count().label("used"), func.max(recent.c.date).label("last")
    query = (
        select(recent.c.payee, used, last)
        .where(func.lower(recent.c.payee).startswith(prefix.lower(), autoescape=True))
        .group_by(recent.c.payee)
        .order_by(used.desc(), last.desc(), recent.c.payee)
        .limit(limit)
    )
    return [
        PayeeSuggestion(payee, int(count), _as_date(day))
        for payee, count, day in session.execute(query)
    ]


def _as_date(value: object) -> dt.date:
    # max() over a date column comes back as text from SQLite.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def category_for(
    session: Session,
    user_id: int,
    payee: str,
    *,
    account_id: int | None = None,
    amount_minor: int | None = None,
    memo: str = "",
) -> CategorySuggestion | None:
    """The category a new income or expense with this payee would get: from the first of the
    person's rules that matches (a rule about an account or an amount only when those are
    known), else from their last categorised transaction with that payee; None if neither."""
    payee = _clean(payee, "payee")
    if not payee:
        return None
    names = {c.id: c.full_name for c in categories.list_all(session, user_id)}
    book = RuleBook(session, user_id)
    rule_names = {r.id: r.name for r in all_rules(session, user_id)}
    for rule in book.rules:
        condition = rule.condition
        needs_amount = (condition.amount_min_minor, condition.amount_max_minor) != (None, None)
        if (needs_amount and amount_minor is None) or (
            condition.account_id is not None and account_id is None
        ):
            continue
        if matches(condition, payee, memo, amount_minor or 0, account_id or 0):
            category_id = rule.outcome.category_id
            if category_id is None or category_id not in names:
                break  # the first rule that matches decides, and it sets no category
            return CategorySuggestion(
                category_id, names[category_id], "rule", rule_names.get(rule.rule_id), None
            )
    last = session.execute(
        select(Transaction.category_id, Transaction.date)
        .where(
            Transaction.user_id == user_id,
            Transaction.parent_id.is_(None),
            Transaction.is_split.is_(False),
            Transaction.kind != TransactionKind.transfer.value,
            Transaction.category_id.is_not(None),
            func.lower(Transaction.payee) == payee.lower(),
        )
        .order_by(Transaction.date.desc(), Transaction.id.desc())
        .limit(1)
    ).first()
    if last is None or last.category_id not in names:
        return None
    return CategorySuggestion(
        last.category_id, names[last.category_id], "history", None, _as_date(last.date)
    )
