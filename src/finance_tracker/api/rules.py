"""Rules that categorise: new and imported transactions on the way in, existing ones after a
preview. The first active rule (by position) that matches decides."""

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
from finance_tracker.domain.money import format_plain
from finance_tracker.domain.rules import MatchField, MatchType
from finance_tracker.services import accounts, categories, rules, users
from finance_tracker.store.models import Rule as RuleRow

blp = ApiBlueprint(
    "Rules",
    __name__,
    url_prefix="/api/v1/rules",
    description="Rules that set a category, tags or a payee on matching transactions.",
)
MATCH_FIELDS = [m.value for m in MatchField]
MATCH_TYPES = [m.value for m in MatchType]
MAX_TAGS = 50
MAX_POSITION = 1_000_000


class RuleInput(ma.Schema):
    name = Text(required=True, metadata={"example": "Coffee shops"})
    pattern = Text(
        required=True,
        metadata={"description": "text to find, or a regular expression", "example": "coffee"},
    )
    match_field = Text(load_default="payee", validate=validate.OneOf(MATCH_FIELDS))
    match_type = Text(load_default="contains", validate=validate.OneOf(MATCH_TYPES))
    amount_min = Amount(
        load_default=None,
        allow_none=True,
        metadata={"description": "smallest size of the amount (sign ignored)"},
    )
    amount_max = Amount(
        load_default=None,
        allow_none=True,
        metadata={"description": "largest size of the amount (sign ignored)"},
    )
    account_id = Id(
        load_default=None, allow_none=True, metadata={"description": "only in this account"}
    )
    set_category_id = Id(load_default=None, allow_none=True)
    set_tags = fields.List(Text(), load_default=list, validate=validate.Length(max=MAX_TAGS))
    set_payee = Text(load_default="")
    active = fields.Boolean(load_default=True)
    position = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, MAX_POSITION),
        metadata={"description": "rules run by position; default: after the last one"},
    )


class Rule(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    position = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    match_field = fields.String(required=True, validate=validate.OneOf(MATCH_FIELDS))
    match_type = fields.String(required=True, validate=validate.OneOf(MATCH_TYPES))
    pattern = fields.String(required=True)
    currency = fields.String(
        required=True,
        metadata={"description": "of the amount bounds: the account's, or your default one"},
    )
    amount_min = fields.String(required=True, allow_none=True)
    amount_min_minor = fields.Integer(required=True, allow_none=True)
    amount_max = fields.String(required=True, allow_none=True)
    amount_max_minor = fields.Integer(required=True, allow_none=True)
    account_id = fields.Integer(required=True, allow_none=True)
    set_category_id = fields.Integer(required=True, allow_none=True)
    set_tags = fields.List(fields.String(), required=True)
    set_payee = fields.String(required=True)
    created_at = UtcDateTime(required=True)


class RulePreviewQuery(ma.Schema):
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(0, rules.MAX_PREVIEW),
        metadata={"description": "how many of the changes to show"},
    )


class RuleChange(ma.Schema):
    transaction_id = fields.Integer(required=True)
    date = fields.Date(required=True)
    account_id = fields.Integer(required=True)
    currency = fields.String(required=True)
    amount = MoneyOut("signed: money into the account is positive")
    amount_minor = MinorOut("signed amount")
    payee = fields.String(required=True)
    new_payee = fields.String(required=True)
    category_id = fields.Integer(required=True, allow_none=True)
    category = fields.String(required=True, allow_none=True)
    new_category_id = fields.Integer(required=True, allow_none=True)
    new_category = fields.String(required=True, allow_none=True)
    added_tags = fields.List(fields.String(), required=True)


class RulePreview(ma.Schema):
    total = fields.Integer(
        required=True, metadata={"description": "transactions that applying would change"}
    )
    items = fields.List(
        fields.Nested(RuleChange), required=True, metadata={"description": "newest first"}
    )


class RuleApplied(ma.Schema):
    changed = fields.Integer(required=True, metadata={"description": "transactions changed"})


RulePage = page_schema(Rule, "RulePage")


def _bounds_currency(session: Session, user_id: int, rule: RuleRow) -> str:
    # As the service reads the bounds: in the rule's account's currency, else the default one.
    # Both lookups go through the session's identity map: one query per account at most.
    if rule.account_id is not None:
        return accounts.get(session, user_id, rule.account_id).currency
    return users.home_currency(session, user_id)


def _bound(name: str, minor: int | None, currency: str) -> dict:
    if minor is None:
        return {name: None, f"{name}_minor": None}
    return money(name, minor, currency)


def present(session: Session, user_id: int, rule: RuleRow) -> dict:
    currency = _bounds_currency(session, user_id, rule)
    return {
        "id": rule.id,
        "name": rule.name,
        "position": rule.position,
        "active": rule.active,
        "match_field": rule.match_field,
        "match_type": rule.match_type,
        "pattern": rule.pattern,
        "currency": currency,
        **_bound("amount_min", rule.amount_min_minor, currency),
        **_bound("amount_max", rule.amount_max_minor, currency),
        "account_id": rule.account_id,
        "set_category_id": rule.set_category_id,
        "set_tags": [tag for tag in rule.set_tags.split(",") if tag],
        "set_payee": rule.set_payee,
        "created_at": rule.created_at,
    }


def _as_input(session: Session, user_id: int, rule: RuleRow) -> rules.RuleInput:
    currency = _bounds_currency(session, user_id, rule)

    def plain(minor: int | None) -> str | None:
        return None if minor is None else format_plain(minor, currency)

    return rules.RuleInput(
        name=rule.name,
        pattern=rule.pattern,
        match_field=rule.match_field,
        match_type=rule.match_type,
        amount_min=plain(rule.amount_min_minor),
        amount_max=plain(rule.amount_max_minor),
        account_id=rule.account_id,
        set_category_id=rule.set_category_id,
        set_tags=[tag for tag in rule.set_tags.split(",") if tag],
        set_payee=rule.set_payee,
        active=rule.active,
        position=rule.position,
    )


@blp.route("")
class Rules(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, RulePage)
    def get(self, query: dict) -> dict:
        """List rules in the order they run"""
        user_id = current_user_id()
        with unit_of_work() as session:
            items = [present(session, user_id, rule) for rule in rules.list_all(session, user_id)]
        return page_of(items, query["page"], query["per_page"])

    @blp.arguments(RuleInput)
    @blp.response(201, Rule)
    def post(self, body: dict) -> dict:
        """Create a rule (it runs on new and imported transactions from now on)"""
        user_id = current_user_id()
        with unit_of_work() as session:
            rule = rules.create(session, user_id, rules.RuleInput(**body))
            return present(session, user_id, rule)


@blp.route(f"/<{ID_PATH}:rule_id>")
class RuleItem(MethodView):
    @blp.response(200, Rule)
    @blp.not_found()
    def get(self, rule_id: int) -> dict:
        """One rule"""
        user_id = current_user_id()
        with unit_of_work() as session:
            return present(session, user_id, rules.get(session, user_id, rule_id))

    @blp.arguments(RuleInput)
    @blp.response(200, Rule)
    @blp.not_found()
    def put(self, body: dict, rule_id: int) -> dict:
        """Replace a rule (optional fields left out take their defaults; position stays)"""
        user_id = current_user_id()
        with unit_of_work() as session:
            rule = rules.update(session, user_id, rule_id, rules.RuleInput(**body))
            return present(session, user_id, rule)

    @blp.arguments(patch_schema(RuleInput, "RulePatch"))
    @blp.response(200, Rule)
    @blp.not_found()
    def patch(self, changes: dict, rule_id: int) -> dict:
        """Change some fields of a rule"""
        user_id = current_user_id()
        with unit_of_work() as session:
            current = _as_input(session, user_id, rules.get(session, user_id, rule_id))
            data = dataclasses.replace(current, **changes)
            return present(session, user_id, rules.update(session, user_id, rule_id, data))

    @blp.response(204)
    @blp.not_found()
    def delete(self, rule_id: int) -> None:
        """Delete a rule; what it already set on transactions stays"""
        with unit_of_work() as session:
            rules.delete(session, current_user_id(), rule_id)


@blp.route(f"/<{ID_PATH}:rule_id>/preview")
class RulePreviewResource(MethodView):
    @blp.arguments(RulePreviewQuery, location="query")
    @blp.response(200, RulePreview)
    @blp.not_found()
    def get(self, query: dict, rule_id: int) -> dict:
        """What applying the rule to existing transactions would change: how many, and some"""
        user_id = current_user_id()
        with unit_of_work() as session:
            sample, total = rules.preview(session, user_id, rule_id, limit=query["limit"])
            names = {c.id: c.full_name for c in categories.list_all(session, user_id)}
            items = []
            for change in sample:
                row = change.transaction
                currency = row.account.currency
                items.append(
                    {
                        "transaction_id": row.id,
                        "date": row.date,
                        "account_id": row.account_id,
                        "currency": currency,
                        **money("amount", row.amount_minor, currency),
                        "payee": row.payee,
                        "new_payee": change.new_payee,
                        "category_id": row.category_id,
                        "category": names.get(row.category_id) if row.category_id else None,
                        "new_category_id": change.new_category_id,
                        "new_category": (
                            names.get(change.new_category_id) if change.new_category_id else None
                        ),
                        "added_tags": change.added_tags,
                    }
                )
        return {"total": total, "items": items}


@blp.route(f"/<{ID_PATH}:rule_id>/apply")
class RuleApply(MethodView):
    @blp.response(200, RuleApplied)
    @blp.not_found()
    def post(self, rule_id: int) -> dict:
        """Apply the rule to every existing transaction it matches (no body)"""
        with unit_of_work() as session:
            return {"changed": rules.apply_to_existing(session, current_user_id(), rule_id)}
