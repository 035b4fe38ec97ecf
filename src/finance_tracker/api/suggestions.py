"""Payees from the person's own history, and the category a transaction with one would likely
get: what the web form offers while typing, for an API client's own entry form."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields, validate

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.schemas import Amount, Id, Text
from finance_tracker.api.session import unit_of_work
from finance_tracker.domain.money import parse_amount
from finance_tracker.services import accounts, suggestions
from finance_tracker.services.errors import InvalidInput, NotFound

blp = ApiBlueprint(
    "Payees",
    __name__,
    url_prefix="/api/v1/payees",
    description="Payees from your history, and the category one would likely get.",
)


class PayeeQuery(ma.Schema):
    prefix = Text(
        load_default="",
        validate=validate.Length(max=suggestions.MAX_PAYEE),
        metadata={
            "description": "how the payee starts; case does not matter (none: no payees)",
            "example": "Li",
        },
    )
    limit = fields.Integer(load_default=10, validate=validate.Range(1, suggestions.MAX_SUGGESTIONS))


class Payee(ma.Schema):
    payee = fields.String(required=True, metadata={"example": "Lidl"})
    transactions = fields.Integer(
        required=True, metadata={"description": "how often it was used (in the newest 20,000)"}
    )
    last_date = fields.Date(required=True)


class Payees(ma.Schema):
    items = fields.List(
        fields.Nested(Payee),
        required=True,
        metadata={"description": "the most used first, then the most recent"},
    )


class CategoryQuery(ma.Schema):
    payee = Text(
        load_default="",
        validate=validate.Length(max=suggestions.MAX_PAYEE),
        metadata={"description": "none: nothing to suggest", "example": "Lidl"},
    )
    account_id = Id(
        strict=False, load_default=None, metadata={"description": "rules about an account"}
    )
    amount = Amount(
        load_default=None,
        metadata={"description": 'rules about amounts: the size, decimal string like "42.50"'},
    )


class CategorySuggestion(ma.Schema):
    category_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: nothing to suggest"}
    )
    category = fields.String(required=True, allow_none=True, metadata={"description": "name"})
    source = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf(["rule", "history"]),
        metadata={"description": "your first matching rule, or your last such transaction"},
    )
    rule = fields.String(required=True, allow_none=True, metadata={"description": "its name"})
    last_date = fields.Date(
        required=True, allow_none=True, metadata={"description": "of the transaction it is from"}
    )


@blp.route("")
class PayeeList(MethodView):
    @blp.arguments(PayeeQuery, location="query")
    @blp.response(200, Payees)
    def get(self, query: dict) -> dict:
        """Payees you used that start with a prefix ("Li" finds "Lidl")"""
        with unit_of_work() as session:
            found = suggestions.payees(session, current_user_id(), query["prefix"], query["limit"])
        return {"items": [vars(s) for s in found]}


@blp.route("/category")
class PayeeCategory(MethodView):
    @blp.arguments(CategoryQuery, location="query")
    @blp.response(200, CategorySuggestion)
    def get(self, query: dict) -> dict:
        """The category a new income or expense with this payee would likely get"""
        user_id = current_user_id()
        with unit_of_work() as session:
            amount_minor = None
            if query["account_id"] is not None:
                try:
                    currency = accounts.get(session, user_id, query["account_id"]).currency
                except NotFound:
                    raise InvalidInput({"account_id": "unknown account"}) from None
                if query["amount"] is not None:
                    amount_minor = abs(parse_amount(query["amount"], currency))
            found = suggestions.category_for(
                session, user_id, query["payee"], account_id=query["account_id"],
                amount_minor=amount_minor,
            )  # fmt: skip
        if found is None:
            return {"category_id": None, "category": None, "source": None, "rule": None,
                    "last_date": None}  # fmt: skip
        return vars(found)
