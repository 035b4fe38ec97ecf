"""Reports over a date range: JSON by default, CSV with `Accept: text/csv` or `?format=csv`.

Two of these answer at a million transactions in a few milliseconds (they read monthly
summaries): the handlers add nothing to the service call but turning its plain rows into
dictionaries, and answer them without a schema pass over every row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import marshmallow as ma
from flask import Response, jsonify, request
from flask.views import MethodView
from marshmallow import fields, validate

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.conversion import (
    ConversionOut,
    ConvertedMinorOut,
    ConvertedOut,
    present_notes,
)
from finance_tracker.api.schemas import Id, MinorOut, MoneyOut, Month, money
from finance_tracker.api.session import unit_of_work
from finance_tracker.domain.ledger import EARLIEST_DATE
from finance_tracker.domain.money import format_plain
from finance_tracker.services import converted, reports, users
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.services.exports import safe_cell
from finance_tracker.store.summaries import first_of_month

blp = ApiBlueprint(
    "Reports",
    __name__,
    url_prefix="/api/v1/reports",
    description="Spending, income and net worth over time; JSON, or CSV for a spreadsheet. "
    "`items` keep each currency apart, as spent; `converted` adds them up in the person's home "
    "currency, each amount at the rate of its own day or the closest earlier one. CSV: the "
    "items, or with `view=converted` the converted items (currency: the home one; an empty cell "
    "where a rate is missing).",
)
CSV = "text/csv"
JSON = "application/json"
CSV_DOC = {
    200: {
        "content": {
            CSV: {
                "schema": {
                    "type": "string",
                    "description": "the same rows as CSV with a header line; text cells that a "
                    "spreadsheet would run as a formula start with an apostrophe",
                }
            }
        }
    }
}


def with_csv(func: Callable[..., Any]) -> Callable[..., Any]:
    """Document that the 200 may also be CSV, beside the JSON schema of @blp.response."""
    return blp.doc(responses=CSV_DOC)(func)


@blp.after_request
def _vary(response: Response) -> Response:
    response.vary.add("Accept")  # the same URL answers JSON or CSV
    return response


def _format() -> fields.String:
    return fields.String(
        load_default=None,
        validate=validate.OneOf(["json", "csv"]),
        metadata={"description": "json or csv; overrides the Accept header"},
    )


def _date_to() -> fields.Date:
    return fields.Date(load_default=None, metadata={"description": "inclusive; default: today"})


class MonthRange(ma.Schema):
    """A range that defaults to this month so far."""

    date_from = fields.Date(
        load_default=None,
        metadata={"description": "default: the first day of date_to's month"},
    )
    date_to = _date_to()
    format = _format()


class YearRange(ma.Schema):
    """A range that defaults to twelve months, this one included."""

    date_from = fields.Date(
        load_default=None,
        metadata={"description": "default: the first day of the month 11 months before date_to's"},
    )
    date_to = _date_to()
    format = _format()


def _view() -> fields.String:
    return fields.String(
        load_default="as_held",
        validate=validate.OneOf(["as_held", "converted"]),
        metadata={
            "description": "CSV only: the items in each currency as held, or converted into the "
            "home currency (the JSON has both)"
        },
    )


class ConvertedYearRange(YearRange):
    view = _view()


class SpendingQuery(MonthRange):
    view = _view()
    parent_id = Id(
        strict=False,
        load_default=None,
        metadata={"description": "a top-level category: its subcategories instead"},
    )


class TopPayeesQuery(MonthRange):
    limit = fields.Integer(load_default=10, validate=validate.Range(1, 100))


class MonthQuery(ma.Schema):
    month = Month(load_default=None, metadata={"description": "default: this month"})
    format = _format()


class CategorySpent(ma.Schema):
    currency = fields.String(required=True)
    category_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: uncategorised"}
    )
    category = fields.String(required=True, metadata={"description": "name"})
    spent = MoneyOut("spent, positive")
    spent_minor = MinorOut("spent")
    has_children = fields.Boolean(
        required=True, metadata={"description": "subcategories to drill down into"}
    )


class CurrencyTotal(ma.Schema):
    currency = fields.String(required=True)
    spent = MoneyOut("spent, positive")
    spent_minor = MinorOut("spent")


class ConvertedCategory(ma.Schema):
    category_id = fields.Integer(required=True, allow_none=True)
    category = fields.String(required=True)
    spent = ConvertedOut("spent, positive")
    spent_minor = ConvertedMinorOut("spent")
    has_children = fields.Boolean(required=True)
    originals = fields.List(
        fields.Nested(CurrencyTotal), required=True, metadata={"description": "as spent"}
    )


class ConvertedSpending(ConversionOut):
    items = fields.List(fields.Nested(ConvertedCategory), required=True)
    total = ConvertedOut("spent in all")
    total_minor = ConvertedMinorOut("spent in all")


class SpendingReport(ma.Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    items = fields.List(
        fields.Nested(CategorySpent),
        required=True,
        metadata={"description": "per currency, biggest first"},
    )
    totals = fields.List(fields.Nested(CurrencyTotal), required=True)
    converted = fields.Nested(ConvertedSpending, required=True)


class MonthIncomeExpense(ma.Schema):
    currency = fields.String(required=True)
    month = Month(required=True)
    income = MoneyOut("income")
    income_minor = MinorOut("income")
    expense = MoneyOut("expenses, positive")
    expense_minor = MinorOut("expenses")
    net = MoneyOut("income minus expenses")
    net_minor = MinorOut("net")


class ConvertedMonth(ma.Schema):
    month = Month(required=True)
    income = ConvertedOut("income")
    income_minor = ConvertedMinorOut("income")
    expense = ConvertedOut("expenses, positive")
    expense_minor = ConvertedMinorOut("expenses")
    net = ConvertedOut("income minus expenses")
    net_minor = ConvertedMinorOut("net")


class ConvertedFlows(ConversionOut):
    items = fields.List(fields.Nested(ConvertedMonth), required=True)


class IncomeExpenseReport(ma.Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    items = fields.List(
        fields.Nested(MonthIncomeExpense),
        required=True,
        metadata={"description": "every month of the range per currency, empty ones included"},
    )
    converted = fields.Nested(ConvertedFlows, required=True)


class NetWorthPoint(ma.Schema):
    currency = fields.String(required=True)
    date = fields.Date(
        required=True, metadata={"description": "a month's last day, or the end of the range"}
    )
    net_worth = MoneyOut("sum of the balances of the accounts in this currency")
    net_worth_minor = MinorOut("net worth")


class ConvertedPoint(ma.Schema):
    date = fields.Date(required=True)
    net_worth = ConvertedOut("every balance, valued at that day's rates,")
    net_worth_minor = ConvertedMinorOut("net worth")


class ConvertedNetWorth(ConversionOut):
    items = fields.List(fields.Nested(ConvertedPoint), required=True)


class NetWorthReport(ma.Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    items = fields.List(fields.Nested(NetWorthPoint), required=True)
    converted = fields.Nested(ConvertedNetWorth, required=True)


class PayeeTotal(ma.Schema):
    currency = fields.String(required=True)
    payee = fields.String(required=True)
    spent = MoneyOut("spent, positive")
    spent_minor = MinorOut("spent")
    payments = fields.Integer(required=True)


class TopPayeesReport(ma.Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    items = fields.List(fields.Nested(PayeeTotal), required=True)


class Comparison(ma.Schema):
    currency = fields.String(required=True)
    category_id = fields.Integer(required=True, allow_none=True)
    category = fields.String(required=True)
    previous = MoneyOut("spent the month before")
    previous_minor = MinorOut("spent the month before")
    current = MoneyOut("spent this month")
    current_minor = MinorOut("spent this month")
    change = MoneyOut("current minus previous")
    change_minor = MinorOut("change")


class MonthOverMonthReport(ma.Schema):
    month = Month(required=True)
    previous_month = Month(required=True)
    items = fields.List(fields.Nested(Comparison), required=True)


def _months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months - 1` before `day`'s: `months` months in all."""
    index = day.year * 12 + day.month - 1 - (months - 1)
    if index < EARLIEST_DATE.year * 12:
        return EARLIEST_DATE
    return dt.date(index // 12, index % 12 + 1, 1)


def _range(query: dict, months: int) -> tuple[dt.date, dt.date]:
    end = query["date_to"] or dt.date.today()
    start = query["date_from"] or _months_before(end, months)
    return start, end


def _wants_csv(query: dict) -> bool:
    if query.get("format"):
        return query["format"] == "csv"
    return request.accept_mimetypes.best_match([JSON, CSV], default=JSON) == CSV


def _csv(name: str, header: list[str], rows: Iterable[list[object]]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    response = Response(buffer.getvalue(), mimetype=CSV)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _answer(
    query: dict,
    body: dict,
    name: str,
    header: list[str],
    rows: Callable[[], Iterable[list[object]]],
) -> Response:
    """JSON (the rows are plain values already: no schema pass), or the CSV of the rows."""
    if _wants_csv(query):
        return _csv(name, header, rows())
    return jsonify(body)


@blp.route("/spending-by-category")
class SpendingByCategory(MethodView):
    @blp.arguments(SpendingQuery, location="query")
    @blp.response(200, SpendingReport)
    @with_csv
    def get(self, query: dict) -> Response:
        """Spending per top-level category, or per subcategory of parent_id (the drill-down)"""
        start, end = _range(query, 1)
        parent_id = query["parent_id"]
        with unit_of_work() as session:
            try:
                home = converted.spending_by_category(
                    session,
                    current_user_id(),
                    users.home_currency(session, current_user_id()),
                    start,
                    end,
                    parent_id,
                )
                found = home.by_currency
            except NotFound:
                raise InvalidInput(
                    {"parent_id": "unknown category, or not a top-level one"}
                ) from None
        items: list[dict[str, Any]] = [
            {
                "currency": row.currency,
                "category_id": row.category_id,
                "category": row.name,
                **money("spent", row.spent_minor, row.currency),
                "has_children": row.has_children,
            }
            for row in found
        ]
        totals: dict[str, int] = defaultdict(int)
        for row in found:
            totals[row.currency] += row.spent_minor
        body: dict[str, Any] = {
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            "parent_id": parent_id,
            "items": items,
            "totals": [
                {"currency": currency, **money("spent", total, currency)}
                for currency, total in sorted(totals.items())
            ],
            "converted": {
                **present_notes(home.notes),
                "items": [
                    {
                        "category_id": row.category_id,
                        "category": row.name,
                        **money("spent", row.spent_minor, home.currency),
                        "has_children": row.has_children,
                        "originals": [
                            {"currency": c, **money("spent", a, c)}
                            for c, a in sorted(row.originals.items())
                        ],
                    }
                    for row in home.rows
                ],
                **money("total", home.total_minor, home.currency),
            },
        }
        if query["view"] == "converted":
            return _answer(
                query, body, f"spending-by-category-{start}-{end}-in-{home.currency}",
                ["currency", "category", "spent"],
                lambda: ([home.currency, safe_cell(i["category"]), i["spent"]]
                         for i in body["converted"]["items"]),
            )  # fmt: skip
        return _answer(
            query,
            body,
            f"spending-by-category-{start}-{end}",
            ["currency", "category", "spent"],
            lambda: ([i["currency"], safe_cell(i["category"]), i["spent"]] for i in items),
        )


@blp.route("/income-expense")
class IncomeExpense(MethodView):
    @blp.arguments(ConvertedYearRange, location="query")
    @blp.response(200, IncomeExpenseReport)
    @with_csv
    def get(self, query: dict) -> Response:
        """Income and expenses per month and currency"""
        start, end = _range(query, 12)
        with unit_of_work() as session:
            flows = reports.income_expense_by_month(session, current_user_id(), start, end)
            home = converted.income_expense_by_month(
                session,
                current_user_id(),
                users.home_currency(session, current_user_id()),
                start,
                end,
                flows,
            )
        items: list[dict[str, Any]] = [
            {
                "currency": flow.currency,
                "month": f"{flow.month:%Y-%m}",
                **money("income", flow.income_minor, flow.currency),
                **money("expense", flow.expense_minor, flow.currency),
                **money("net", flow.net_minor, flow.currency),
            }
            for flow in flows
        ]
        body: dict[str, Any] = {
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            "items": items,
            "converted": {
                **present_notes(home.notes),
                "items": [
                    {
                        "month": f"{m.month:%Y-%m}",
                        **money("income", m.income_minor, home.currency),
                        **money("expense", m.expense_minor, home.currency),
                        **money("net", m.net_minor, home.currency),
                    }
                    for m in home.months
                ],
            },
        }
        if query["view"] == "converted":
            return _answer(
                query, body, f"income-expense-{start}-{end}-in-{home.currency}",
                ["currency", "month", "income", "expense", "net"],
                lambda: ([home.currency, i["month"], i["income"], i["expense"], i["net"]]
                         for i in body["converted"]["items"]),
            )  # fmt: skip
        return _answer(
            query,
            body,
            f"income-expense-{start}-{end}",
            ["currency", "month", "income", "expense", "net"],
            lambda: (
                [i["currency"], i["month"], i["income"], i["expense"], i["net"]] for i in items
            ),
        )


@blp.route("/net-worth")
class NetWorth(MethodView):
    @blp.arguments(ConvertedYearRange, location="query")
    @blp.response(200, NetWorthReport)
    @with_csv
    def get(self, query: dict) -> Response:
        """Net worth per currency at the end of every month of the range"""
        start, end = _range(query, 12)
        with unit_of_work() as session:
            points = reports.net_worth_over_time(session, current_user_id(), start, end)
            home = converted.net_worth_over_time(
                session,
                current_user_id(),
                users.home_currency(session, current_user_id()),
                start,
                end,
                points,
            )
        items: list[dict[str, Any]] = [
            {
                "currency": point.currency,
                "date": point.day.isoformat(),
                **money("net_worth", point.net_worth_minor, point.currency),
            }
            for point in points
        ]
        body: dict[str, Any] = {
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            "items": items,
            "converted": {
                **present_notes(home.notes),
                "items": [
                    {
                        "date": p.day.isoformat(),
                        **money("net_worth", p.net_worth_minor, home.currency),
                    }
                    for p in home.points
                ],
            },
        }
        if query["view"] == "converted":
            return _answer(
                query, body, f"net-worth-{start}-{end}-in-{home.currency}",
                ["currency", "date", "net_worth"],
                lambda: ([home.currency, i["date"], i["net_worth"]]
                         for i in body["converted"]["items"]),
            )  # fmt: skip
        return _answer(
            query,
            body,
            f"net-worth-{start}-{end}",
            ["currency", "date", "net_worth"],
            lambda: ([i["currency"], i["date"], i["net_worth"]] for i in items),
        )


@blp.route("/top-payees")
class TopPayees(MethodView):
    @blp.arguments(TopPayeesQuery, location="query")
    @blp.response(200, TopPayeesReport)
    @with_csv
    def get(self, query: dict) -> Response:
        """The payees most was spent with, biggest first"""
        start, end = _range(query, 1)
        with unit_of_work() as session:
            payees = reports.top_payees(session, current_user_id(), start, end, query["limit"])
        items: list[dict[str, Any]] = [
            {
                "currency": payee.currency,
                "payee": payee.payee,
                **money("spent", payee.spent_minor, payee.currency),
                "payments": payee.payments,
            }
            for payee in payees
        ]
        body = {"date_from": start.isoformat(), "date_to": end.isoformat(), "items": items}
        return _answer(
            query,
            body,
            f"top-payees-{start}-{end}",
            ["currency", "payee", "spent", "payments"],
            lambda: (
                [i["currency"], safe_cell(i["payee"]), i["spent"], i["payments"]] for i in items
            ),
        )


@blp.route("/month-over-month")
class MonthOverMonth(MethodView):
    @blp.arguments(MonthQuery, location="query")
    @blp.response(200, MonthOverMonthReport)
    @with_csv
    def get(self, query: dict) -> Response:
        """Spending per top-level category in a month beside the month before"""
        month = query["month"] or first_of_month(dt.date.today())
        if month <= EARLIEST_DATE:
            raise InvalidInput({"month": "the first month has no month before it"})
        with unit_of_work() as session:
            rows = reports.month_over_month(session, current_user_id(), month)
        items: list[dict[str, Any]] = [
            {
                "currency": row.currency,
                "category_id": row.category_id,
                "category": row.name,
                "previous": format_plain(row.previous_minor, row.currency),
                "previous_minor": row.previous_minor,
                "current": format_plain(row.current_minor, row.currency),
                "current_minor": row.current_minor,
                **money("change", row.change_minor, row.currency),
            }
            for row in rows
        ]
        previous = first_of_month(month - dt.timedelta(days=1))
        body = {"month": f"{month:%Y-%m}", "previous_month": f"{previous:%Y-%m}", "items": items}
        return _answer(
            query,
            body,
            f"month-over-month-{month:%Y-%m}",
            ["currency", "category", "previous", "current", "change"],
            lambda: (
                [i["currency"], safe_cell(i["category"]), i["previous"], i["current"], i["change"]]
                for i in items
            ),
        )
