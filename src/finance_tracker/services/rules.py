"""Rules that categorise transactions on create and import, or on existing ones after a preview.

Rules run in their order; the first active rule that matches decides. On a new transaction a rule
fills the category only when none was chosen; applied to existing ones it sets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finance_tracker.domain.money import MoneyError, parse_amount
from finance_tracker.domain.rules import Condition, RuleError, compile_condition, matches
from finance_tracker.domain.text import Text, message_of
from finance_tracker.services import accounts, categories, tags, users
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.store import summaries
from finance_tracker.store.models import Rule, Transaction

MAX_PREVIEW = 200


@dataclass
class RuleInput:
    name: str
    pattern: str
    match_field: str = "payee"
    match_type: str = "contains"
    amount_min: str | Decimal | None = None
    amount_max: str | Decimal | None = None
    account_id: int | None = None
    set_category_id: int | None = None
    set_tags: list[str] = field(default_factory=list)
    set_payee: str = ""
    active: bool = True
    position: int | None = None


@dataclass(frozen=True)
class Outcome:
    category_id: int | None
    tag_names: list[str]
    payee: str | None


@dataclass(frozen=True)
class CompiledRule:
    rule_id: int
    condition: Condition
    outcome: Outcome


def _currency_for_bounds(session: Session, user_id: int, account_id: int | None) -> str:
    if account_id is not None:
        return accounts.get(session, user_id, account_id).currency
    return users.home_currency(session, user_id)


def _validate(session: Session, user_id: int, data: RuleInput) -> dict[str, object]:
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name or len(name) > 80:
        errors["name"] = Text("give the rule a name of at most 80 characters")
    if data.account_id is not None:
        try:
            accounts.get(session, user_id, data.account_id)
        except NotFound:
            errors["account_id"] = Text("unknown account")
    if data.set_category_id is not None:
        try:
            categories.get(session, user_id, data.set_category_id)
        except NotFound:
            errors["set_category_id"] = Text("unknown category")
    bounds: dict[str, int | None] = {"amount_min": None, "amount_max": None}
    if "account_id" not in errors:
        currency = _currency_for_bounds(session, user_id, data.account_id)
        for key in bounds:
            value = getattr(data, key)
            if value not in (None, ""):
                try:
                    bounds[key] = abs(parse_amount(value, currency))
                except MoneyError as error:
                    errors[key] = message_of(error)
    tag_names: list[str] = []
    try:
        tag_names = [tags.clean_name(t, "set_tags") for t in data.set_tags if t.strip()]
    except InvalidInput as error:
        errors.update(error.errors)
    payee = (data.set_payee or "").strip()
    if len(payee) > 200:
        errors["set_payee"] = Text("use at most %(count)s characters", count=200)
    if data.set_category_id is None and not tag_names and not payee:
        errors["set_category_id"] = Text("a rule must set a category, tags or a payee")
    condition = None
    if not errors:
        try:
            condition = compile_condition(
                data.match_field, data.match_type, data.pattern,
                bounds["amount_min"], bounds["amount_max"], data.account_id,
            )  # fmt: skip
        except RuleError as error:
            errors[error.field] = error.message
    if errors:
        raise InvalidInput(errors)
    assert condition is not None
    return {
        "name": name, "match_field": condition.match_field.value,
        "match_type": condition.match_type.value, "pattern": condition.pattern,
        "amount_min_minor": bounds["amount_min"], "amount_max_minor": bounds["amount_max"],
        "account_id": data.account_id, "set_category_id": data.set_category_id,
        "set_tags": ",".join(tag_names), "set_payee": payee, "active": bool(data.active),
    }  # fmt: skip


def list_all(session: Session, user_id: int) -> list[Rule]:
    return list(
        session.scalars(
            select(Rule).where(Rule.user_id == user_id).order_by(Rule.position, Rule.id)
        )
    )


def get(session: Session, user_id: int, rule_id: int) -> Rule:
    rule = session.get(Rule, rule_id)
    if rule is None or rule.user_id != user_id:
        raise NotFound("rule")
    return rule


def create(session: Session, user_id: int, data: RuleInput) -> Rule:
    values = _validate(session, user_id, data)
    if data.position is None:
        last = session.scalar(select(func.max(Rule.position)).where(Rule.user_id == user_id))
        position = (last or 0) + 1
    else:
        position = data.position
    rule = Rule(user_id=user_id, position=position, **values)
    session.add(rule)
    session.flush()
    return rule


def update(session: Session, user_id: int, rule_id: int, data: RuleInput) -> Rule:
    rule = get(session, user_id, rule_id)
    for key, value in _validate(session, user_id, data).items():
        setattr(rule, key, value)
    if data.position is not None:
        rule.position = data.position
    session.flush()
    return rule


def delete(session: Session, user_id: int, rule_id: int) -> None:
    session.delete(get(session, user_id, rule_id))
    session.flush()


def _compile(rule: Rule) -> CompiledRule:
    condition = compile_condition(
        rule.match_field, rule.match_type, rule.pattern,
        rule.amount_min_minor, rule.amount_max_minor, rule.account_id,
    )  # fmt: skip
    names = [t for t in rule.set_tags.split(",") if t]
    return CompiledRule(
        rule.id, condition, Outcome(rule.set_category_id, names, rule.set_payee or None)
    )


class RuleBook:
    """A user's active rules, compiled once: for a request, or for a whole import."""

    def __init__(self, session: Session, user_id: int) -> None:
        self.rules = [_compile(r) for r in list_all(session, user_id) if r.active]

    def first_match(
        self, payee: str, memo: str, amount_minor: int, account_id: int
    ) -> CompiledRule | None:
        for rule in self.rules:
            if matches(rule.condition, payee, memo, amount_minor, account_id):
                return rule
        return None


@dataclass(frozen=True)
class PreviewRow:
    transaction: Transaction
    new_category_id: int | None
    new_payee: str
    added_tags: list[str]


def _candidates(
    session: Session, user_id: int, rule: Rule, *, lock: bool = False
) -> Iterator[Transaction]:
    """`lock`: locked in id order (as every bulk change locks) and read as they are now."""
    query = select(Transaction).where(
        Transaction.user_id == user_id,
        Transaction.parent_id.is_(None),
        Transaction.is_split.is_(False),
        Transaction.kind != "transfer",
    )
    if rule.account_id is not None:
        query = query.where(Transaction.account_id == rule.account_id)
    size = func.abs(Transaction.amount_minor)
    if rule.amount_min_minor is not None:
        query = query.where(size >= rule.amount_min_minor)
    if rule.amount_max_minor is not None:
        query = query.where(size <= rule.amount_max_minor)
    if lock:
        query = (
            query.order_by(Transaction.id)
            .with_for_update(of=Transaction)
            .execution_options(populate_existing=True)
        )
    else:
        query = query.order_by(Transaction.date.desc(), Transaction.id.desc())
    yield from session.scalars(query)


def _changes(compiled: CompiledRule, row: Transaction) -> PreviewRow | None:
    if not matches(compiled.condition, row.payee, row.memo, row.amount_minor, row.account_id):
        return None
    outcome = compiled.outcome
    new_category = outcome.category_id if outcome.category_id is not None else row.category_id
    new_payee = outcome.payee if outcome.payee is not None else row.payee
    have = {t.name for t in row.tags}
    added = [t for t in outcome.tag_names if t not in have]
    if new_category == row.category_id and new_payee == row.payee and not added:
        return None
    return PreviewRow(row, new_category, new_payee, added)


def preview(
    session: Session, user_id: int, rule_id: int, limit: int = MAX_PREVIEW
) -> tuple[list[PreviewRow], int]:
    """What applying the rule to existing transactions would change: a sample and the count."""
    rule = get(session, user_id, rule_id)
    compiled = _compile(rule)
    sample: list[PreviewRow] = []
    total = 0
    for row in _candidates(session, user_id, rule):
        change = _changes(compiled, row)
        if change is not None:
            total += 1
            if len(sample) < limit:
                sample.append(change)
    return sample, total


def apply_to_existing(session: Session, user_id: int, rule_id: int) -> int:
    """Apply the rule to every existing transaction it matches; returns how many changed."""
    rule = get(session, user_id, rule_id)
    compiled = _compile(rule)
    before: list[summaries.Leaf] = []
    changed: list[Transaction] = []
    for row in list(_candidates(session, user_id, rule, lock=True)):
        change = _changes(compiled, row)
        if change is None:
            continue
        before.append(summaries.Leaf.of(row))
        row.category_id, row.payee = change.new_category_id, change.new_payee
        if change.added_tags:
            row.tags = [*row.tags, *tags.resolve(session, user_id, change.added_tags)]
        changed.append(row)
    session.flush()
    summaries.add_changes(session, user_id, before, changed)
    return len(changed)
