"""Budgets: an amount per category and month, and the month's budget against what was spent.

`GET /budgets/{month}` is benchmarked at a million transactions: it adds nothing to the service's
few queries but turning its rows into plain values.

A month is in the URL as YYYY-MM. A parent category's budget covers its subcategories; with
rollover, what was left (or overspent) carries into the next month's budget of the category.
"""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask import Response, jsonify
from flask.views import MethodView
from marshmallow import fields
from sqlalchemy import select
from sqlalchemy.orm import Session

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.conversion import (
    ConversionOut,
    MissingRateOut,
    present_missing,
    present_notes,
)
from finance_tracker.api.schemas import (
    ID_PATH,
    Amount,
    MinorOut,
    MoneyOut,
    Month,
    Text,
    money,
    path_month,
)
from finance_tracker.api.session import unit_of_work
from finance_tracker.domain.budgets import BudgetLine as Line
from finance_tracker.services import budgets, categories
from finance_tracker.services.errors import NotFound
from finance_tracker.store.models import Budget as BudgetRow

blp = ApiBlueprint(
    "Budgets",
    __name__,
    url_prefix="/api/v1/budgets",
    description="A budget per category and month, budget against actual, rollover.",
)

MONTH_PATH = "/<month:month>"
FIGURES = ("budgeted", "carried", "available", "spent", "remaining")


class Figures(ma.Schema):
    budgeted = MoneyOut("the month's own budget")
    budgeted_minor = MinorOut("the month's own budget")
    carried = MoneyOut("left over (or overspent, negative) from rolling months before")
    carried_minor = MinorOut("carried over")
    available = MoneyOut("budgeted plus carried")
    available_minor = MinorOut("available")
    spent = MoneyOut(
        "expenses in the category and its subcategories, in the budget's currency: spending "
        "from accounts in other currencies converted at the rate of its day"
    )
    spent_minor = MinorOut("spent")
    remaining = MoneyOut("available minus spent; negative when over budget")
    remaining_minor = MinorOut("remaining")
    over_budget = fields.Boolean(required=True)


class SpentIn(ma.Schema):
    currency = fields.String(required=True)
    spent = MoneyOut("spent this month in this currency, as spent")
    spent_minor = MinorOut("spent")


class BudgetLine(Figures):
    budget_id = fields.Integer(required=True)
    category_id = fields.Integer(required=True)
    category = fields.String(required=True, metadata={"example": "Food › Groceries"})
    currency = fields.String(required=True, metadata={"example": "EUR"})
    rollover = fields.Boolean(required=True)
    spent_originals = fields.List(
        fields.Nested(SpentIn),
        required=True,
        metadata={"description": "this month's spending per currency before conversion"},
    )
    missing_rates = fields.List(
        fields.Nested(MissingRateOut),
        required=True,
        metadata={"description": "rates lacking: the spending they would convert is not in spent"},
    )


class BudgetTotal(Figures):
    currency = fields.String(required=True, metadata={"example": "EUR"})


class BudgetMonth(ma.Schema):
    month = Month(required=True)
    items = fields.List(
        fields.Nested(BudgetLine),
        required=True,
        metadata={"description": "every budgeted category, by name"},
    )
    totals = fields.List(
        fields.Nested(BudgetTotal),
        required=True,
        metadata={"description": "per budget currency"},
    )
    conversions = fields.List(
        fields.Nested(ConversionOut),
        required=True,
        metadata={"description": "per budget currency: the rates its spending was converted at"},
    )


class Budget(ma.Schema):
    id = fields.Integer(required=True)
    month = Month(required=True)
    category_id = fields.Integer(required=True)
    category = fields.String(required=True, metadata={"example": "Food › Groceries"})
    currency = fields.String(required=True, metadata={"example": "EUR"})
    amount = MoneyOut("the month's budget")
    amount_minor = MinorOut("the month's budget")
    rollover = fields.Boolean(required=True)


class BudgetInput(ma.Schema):
    amount = Amount(required=True, metadata={"description": "zero or more", "example": "400.00"})
    currency = Text(
        required=True,
        metadata={"description": "ISO 4217; spending in this currency counts", "example": "EUR"},
    )
    rollover = fields.Boolean(
        load_default=False,
        metadata={"description": "carry what is left (or overspent) into the next month"},
    )


class Copied(ma.Schema):
    month = Month(required=True)
    copied = fields.Integer(
        required=True,
        metadata={"description": "budgets copied; categories already budgeted are left alone"},
    )


def _figures(line: Line, currency: str) -> dict:
    values = {
        "budgeted": line.budgeted_minor,
        "carried": line.carried_minor,
        "available": line.available_minor,
        "spent": line.spent_minor,
        "remaining": line.remaining_minor,
    }
    figures: dict = {"over_budget": line.over_budget}
    for name in FIGURES:
        figures.update(money(name, values[name], currency))
    return figures


def present_month(view: budgets.BudgetMonth) -> dict:
    """Plain values only (strings, numbers, booleans): answered as they are, no schema pass."""
    return {
        "month": f"{view.month:%Y-%m}",
        "items": [
            {
                "budget_id": row.budget_id,
                "category_id": row.category_id,
                "category": row.category_name,
                "currency": row.currency,
                "rollover": row.rollover,
                **_figures(row.line, row.currency),
                "spent_originals": [
                    {"currency": c, **money("spent", a, c)} for c, a in row.originals.items()
                ],
                "missing_rates": [present_missing(gap) for gap in row.missing],
            }
            for row in view.rows
        ],
        "totals": [
            {"currency": currency, **_figures(line, currency)}
            for currency, line in sorted(view.totals().items())
        ],
        "conversions": [present_notes(notes) for notes in view.notes],
    }


def present(budget: BudgetRow, category_name: str) -> dict:
    return {
        "id": budget.id,
        "month": budget.month,
        "category_id": budget.category_id,
        "category": category_name,
        "currency": budget.currency,
        **money("amount", budget.amount_minor, budget.currency),
        "rollover": budget.rollover,
    }


@blp.route(MONTH_PATH)
class BudgetMonthResource(MethodView):
    @blp.response(200, BudgetMonth)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, month: str) -> Response:
        """The month's budgets against what was spent, per category and per currency"""
        first = path_month(month)
        with unit_of_work() as session:
            view = budgets.month_view(session, current_user_id(), first)
        return jsonify(present_month(view))


@blp.route(MONTH_PATH + "/copy-previous")
class CopyPrevious(MethodView):
    @blp.response(200, Copied)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, month: str) -> dict:
        """Copy the month before's budgets into this month (no body)"""
        first = path_month(month)
        with unit_of_work() as session:
            copied = budgets.copy_previous(session, current_user_id(), first)
        return {"month": first, "copied": copied}


@blp.route(MONTH_PATH + f"/<{ID_PATH}:category_id>")
class BudgetItem(MethodView):
    @blp.arguments(BudgetInput)
    @blp.response(200, Budget)
    @blp.not_found()
    def put(self, body: dict, month: str, category_id: int) -> dict:
        """Set (create or replace) the budget of a category for a month"""
        user_id = current_user_id()
        first = path_month(month)
        with unit_of_work() as session:
            category = categories.get(session, user_id, category_id)  # someone else's: 404
            budget = budgets.set_budget(
                session, user_id, budgets.BudgetInput(category_id, first, **body)
            )
            return present(budget, category.full_name)

    @blp.response(204)
    @blp.not_found()
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def delete(self, month: str, category_id: int) -> None:
        """Remove the budget of a category for a month"""
        user_id = current_user_id()
        first = path_month(month)
        with unit_of_work() as session:
            budgets.delete(session, user_id, _budget_id(session, user_id, first, category_id))


@blp.route(f"/by-id/<{ID_PATH}:budget_id>")
class BudgetById(MethodView):
    @blp.response(204)
    @blp.not_found()
    def delete(self, budget_id: int) -> None:
        """Remove a budget by its id (the budget_id of a month's line)"""
        with unit_of_work() as session:
            budgets.delete(session, current_user_id(), budget_id)


def _budget_id(session: Session, user_id: int, month: dt.date, category_id: int) -> int:
    """The id of the category's budget for the month; the service deletes by id."""
    found = session.scalar(
        select(BudgetRow.id).where(
            BudgetRow.user_id == user_id,
            BudgetRow.category_id == category_id,
            BudgetRow.month == month,
        )
    )
    if found is None:
        raise NotFound("budget")
    return int(found)
