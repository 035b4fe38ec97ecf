"""Reports: spending by category (with drill-down), income vs expense by month, net worth over
time, top payees, month over month. Each page has a date range, a chart, a table and a CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user
from wtforms import Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from finance_tracker.domain.csv_style import CsvStyle
from finance_tracker.domain.money import minor_digits
from finance_tracker.domain.text import Text
from finance_tracker.services import categories, converted, reports
from finance_tracker.services.errors import InvalidInput
from finance_tracker.services.exports import safe_cell
from finance_tracker.web import downloads, i18n, periods
from finance_tracker.web.forms import UNCATEGORISED
from finance_tracker.web.helpers import (
    apply_errors,
    chart_amount,
    private_blueprint,
    unit_of_work,
    user_id,
)
from finance_tracker.web.planning_forms import ReportForm

blueprint = private_blueprint("reports", __name__, "/reports")


@dataclass(frozen=True)
class ReportInfo:
    endpoint: str
    title: str
    description: str


REPORTS = [
    ReportInfo("reports.spending", _l("Spending by category"),
               _l("Where the money went, category by category; open one to see its "
                  "subcategories.")),
    ReportInfo("reports.income_expense", _l("Income vs expense"),
               _l("Money in and money out per month, and what was left over.")),
    ReportInfo("reports.net_worth", _l("Net worth over time"),
               _l("All your accounts together at the end of each month.")),
    ReportInfo("reports.top_payees", _l("Top payees"), _l("Who you pay the most, and how often.")),
    ReportInfo("reports.month_over_month", _l("Month over month"),
               _l("This month's spending per category beside the month before.")),
]  # fmt: skip
PAYEE_LIMITS = [10, 25, 50]
TALL_CHART_ROWS = 12


class PayeeReportForm(ReportForm):
    limit = SelectField(
        _l("Show"),
        choices=[SelectChoice(n, _l("top %(count)s", count=n)) for n in PAYEE_LIMITS],
        coerce=int,
        default=PAYEE_LIMITS[0],
    )


class MonthReportForm(Form):
    month = StringField(_l("Month"), validators=[Length(max=20)])


def _info(endpoint: str) -> ReportInfo:
    return next(r for r in REPORTS if r.endpoint == endpoint)


def wants_csv() -> bool:
    return request.args.get("format") == "csv"


def wants_converted() -> bool:
    """The CSV of the figures converted into the home currency (?view=converted)."""
    return request.args.get("view") == "converted"


def csv_amount(style: CsvStyle, minor: int | None, currency: str) -> str:
    """A converted figure whose rate is missing is an empty cell, never a zero."""
    return "" if minor is None else style.amount(minor, currency)


def csv_download(name: str, header: list[str], rows: Iterable[list[object]]) -> Response:
    """A CSV attachment in the style chosen (`downloads.chosen_style`): callers pass text
    cells through `safe_cell`, amounts, dates and months through the style."""
    style = downloads.chosen_style()
    buffer = io.StringIO()
    buffer.write(style.start)
    writer = csv.writer(buffer, delimiter=style.delimiter)
    writer.writerow(style.header(header))
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _cell(name: str) -> str:
    """A name for a CSV cell: the app's own ones ("Uncategorised") in the reader's language
    when the file is in their format, in English in the machine format."""
    return i18n.label(name) if downloads.chosen_style().locale else str(name)


def presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    last_month = periods.shift(today.replace(day=1), -1)
    return [
        (_("This month"), *periods.this_month(today)),
        (_("Last month"), last_month, periods.end_of_month(last_month)),
        (_("Last 12 months"), *periods.last_twelve_months(today)),
        (_("This year"), dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)),
        (_("Last year"), dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
    ]


def _date_range(
    form: ReportForm, default: Callable[[dt.date], tuple[dt.date, dt.date]]
) -> tuple[dt.date, dt.date] | None:
    """The range asked for (the report's usual one when none), or None when the form is wrong."""
    form.use_defaults(*default(dt.date.today()))
    if not form.validate():
        return None
    return form.date_from.data, form.date_to.data  # type: ignore[return-value]


def _compute(form: Form, compute: Callable) -> tuple[list, int]:  # type: ignore[type-arg]
    """Run a report; the services' range errors show beside the form's fields with 422."""
    try:
        with unit_of_work() as session:
            return compute(session), 200
    except InvalidInput as error:
        apply_errors(form, error)
        return [], 422


def by_currency(rows: list, key: Callable = lambda r: r.currency) -> list[tuple[str, list]]:  # type: ignore[type-arg]
    ordered = sorted(rows, key=key)
    return [(currency, list(group)) for currency, group in groupby(ordered, key=key)]


def chart(currency: str, kind: str, labels: list[str], series: list[dict], **extra: object) -> dict:
    """What static/charts.js draws for a report. Amounts travel as decimal strings."""
    return {"currency": currency, "digits": minor_digits(currency), "type": kind,
            "labels": labels, "series": series, **extra}  # fmt: skip


def series(
    label: str, currency: str, amounts: list[int] | list[int | None], colour: str, **extra: object
) -> dict:
    return {"label": label, "values": [chart_amount(a, currency) for a in amounts],
            "colour": colour, **extra}  # fmt: skip


def _home() -> str:
    return str(current_user.default_currency)


def converts(rows: list) -> bool:  # type: ignore[type-arg]
    """Whether a converted view adds anything: money in another currency than the home one."""
    return any(r.currency != _home() for r in rows)


def percent(part: int, whole: int) -> str:
    """A share in whole percent, as the reader's locale writes it (12%, 12 %)."""
    return i18n.percent(part, whole)


def _page(template: str, endpoint: str, form: Form, status: int, **values: object):  # type: ignore[no-untyped-def]
    html = render_template(
        template, info=_info(endpoint), reports=REPORTS, form=form,
        presets=presets(dt.date.today()), status_ok=status == 200, **values,
    )  # fmt: skip
    return html, status


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("reports/index.html", reports=REPORTS)


@blueprint.get("/spending-by-category")
def spending():  # type: ignore[no-untyped-def]
    form = ReportForm(request.args)
    text = request.args.get("parent_id", "").strip()
    if text and not text.isdigit():
        abort(404)
    parent_id = int(text) if text else None
    span = _date_range(form, periods.this_month)
    parent_name = None
    spent: converted.Spending | None = None
    rows: list = []
    status = 422
    if span is not None:
        start, end = span

        def compute(session):  # type: ignore[no-untyped-def]
            nonlocal parent_name, spent
            # The report per currency comes with the converted one: one read of each.
            spent = converted.spending_by_category(
                session, user_id(), _home(), start, end, parent_id
            )
            if parent_id is not None:  # the service has checked it is this user's parent
                parent_name = categories.get(session, user_id(), parent_id).name
            return spent.by_currency

        rows, status = _compute(form, compute)
    if status == 200 and wants_csv() and wants_converted() and spent is not None:
        style, home_rows = downloads.chosen_style(), spent.rows
        return csv_download(
            f"spending-by-category-{start}-{end}-in-{spent.currency}",
            ["currency", "category", "spent"],
            ([spent.currency, safe_cell(_cell(r.name)),
              csv_amount(style, r.spent_minor, spent.currency)] for r in home_rows),
        )  # fmt: skip
    if status == 200 and wants_csv():
        name = f"spending-by-category-{start}-{end}"
        style = downloads.chosen_style()
        return csv_download(name, ["currency", "category", "spent"], (
            [r.currency, safe_cell(_cell(r.name)), style.amount(r.spent_minor, r.currency)]
            for r in rows
        ))  # fmt: skip

    def drill(row) -> str | None:  # type: ignore[no-untyped-def]
        if row.has_children:
            return url_for(".spending", date_from=start, date_to=end, parent_id=row.category_id)
        return transactions_link(row)

    def transactions_link(row) -> str | None:  # type: ignore[no-untyped-def]
        if row.category_id is not None and row.category_id == parent_id:
            return None  # no filter finds a parent without its children
        category = UNCATEGORISED if row.category_id is None else row.category_id
        return url_for("transactions.index", category_id=category, kind="expense",
                       date_from=start, date_to=end)  # fmt: skip

    groups = []
    for currency, group in by_currency(rows):
        total = sum(r.spent_minor for r in group)
        data = chart(currency, "doughnut", [i18n.label(r.name) for r in group],
                     [series(_("Spent"), currency, [r.spent_minor for r in group], "palette")],
                     links=[drill(r) for r in group])  # fmt: skip
        groups.append((currency, group, total, data))
    home = None
    if spent is not None and status == 200 and converts(rows):
        data = chart(spent.currency, "doughnut", [i18n.label(r.name) for r in spent.rows],
                     [series(_("Spent"), spent.currency, [r.spent_minor for r in spent.rows],
                             "palette")],
                     links=[drill(r) for r in spent.rows])  # fmt: skip
        home = (spent, data)
    return _page(
        "reports/spending.html", "reports.spending", form, status, groups=groups,
        parent_id=parent_id, parent_name=parent_name, drill=drill,
        transactions_link=transactions_link, percent=percent, home=home,
    )  # fmt: skip


@blueprint.get("/income-vs-expense")
def income_expense():  # type: ignore[no-untyped-def]
    form = ReportForm(request.args)
    span = _date_range(form, periods.last_twelve_months)
    rows, status = [], 422
    if span is not None:
        rows, status = _compute(
            form, lambda s: reports.income_expense_by_month(s, user_id(), *span)
        )
    if status == 200 and wants_csv() and wants_converted():
        style, flows = downloads.chosen_style(), _home_flows(span, rows)
        home_currency = flows.currency
        return csv_download(
            f"income-vs-expense-{span[0]}-{span[1]}-in-{home_currency}",  # type: ignore[index]
            ["currency", "month", "income", "expense", "net"],
            ([home_currency, style.month(m.month), csv_amount(style, m.income_minor, home_currency),
              csv_amount(style, m.expense_minor, home_currency),
              csv_amount(style, m.net_minor, home_currency)] for m in flows.months),
        )  # fmt: skip
    if status == 200 and wants_csv():
        style = downloads.chosen_style()
        return csv_download(
            f"income-vs-expense-{span[0]}-{span[1]}",  # type: ignore[index]
            ["currency", "month", "income", "expense", "net"],
            ([r.currency, style.month(r.month), style.amount(r.income_minor, r.currency),
              style.amount(r.expense_minor, r.currency), style.amount(r.net_minor, r.currency)]
             for r in rows),
        )  # fmt: skip
    groups = []
    for currency, group in by_currency(rows):
        totals = (sum(r.income_minor for r in group), sum(r.expense_minor for r in group))
        data = chart(currency, "bar", [periods.short_month(r.month) for r in group], [
            series(pgettext("report column", "Income"), currency,
                   [r.income_minor for r in group], "positive"),
            series(pgettext("report column", "Expense"), currency,
                   [r.expense_minor for r in group], "negative"),
            series(_("Net"), currency, [r.net_minor for r in group], "primary", line=True),
        ])  # fmt: skip
        groups.append((currency, group, totals, data))
    home = None
    if status == 200 and converts(rows):
        flows = _home_flows(span, rows)
        months, c = flows.months, flows.currency
        data = chart(c, "bar", [periods.short_month(m.month) for m in months], [
            series(pgettext("report column", "Income"), c,
                   [m.income_minor for m in months], "positive"),
            series(pgettext("report column", "Expense"), c,
                   [m.expense_minor for m in months], "negative"),
            series(_("Net"), c, [m.net_minor for m in months], "primary", line=True),
        ])  # fmt: skip
        home = (flows, data, _sum([m.income_minor for m in months]),
                _sum([m.expense_minor for m in months]))  # fmt: skip
    return _page("reports/income_expense.html", "reports.income_expense", form, status,
                 groups=groups, periods=periods, home=home)  # fmt: skip


def _home_flows(span: tuple[dt.date, dt.date], rows: list) -> converted.Flows:  # type: ignore[type-arg]
    """The months of `rows` (each currency as held) converted into the home currency."""
    with unit_of_work() as session:
        return converted.income_expense_by_month(session, user_id(), _home(), *span, originals=rows)


def _home_worth(span: tuple[dt.date, dt.date], rows: list) -> converted.NetWorth:  # type: ignore[type-arg]
    """The net worth points of `rows` valued in the home currency."""
    with unit_of_work() as session:
        return converted.net_worth_over_time(session, user_id(), _home(), *span, points=rows)


def _sum(values: list[int | None]) -> int | None:
    """A total of converted figures: unknown if any of them is."""
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


@blueprint.get("/net-worth")
def net_worth():  # type: ignore[no-untyped-def]
    form = ReportForm(request.args)
    span = _date_range(form, periods.last_twelve_months)
    rows, status = [], 422
    if span is not None:
        rows, status = _compute(form, lambda s: reports.net_worth_over_time(s, user_id(), *span))
    if status == 200 and wants_csv() and wants_converted():
        style, worth = downloads.chosen_style(), _home_worth(span, rows)
        home_currency = worth.currency
        return csv_download(
            f"net-worth-{span[0]}-{span[1]}-in-{home_currency}",  # type: ignore[index]
            ["currency", "date", "net_worth"],
            ([home_currency, style.date(p.day), csv_amount(style, p.net_worth_minor, home_currency)]
             for p in worth.points),
        )  # fmt: skip
    if status == 200 and wants_csv():
        style = downloads.chosen_style()
        return csv_download(
            f"net-worth-{span[0]}-{span[1]}",  # type: ignore[index]
            ["currency", "date", "net_worth"],
            ([r.currency, style.date(r.day), style.amount(r.net_worth_minor, r.currency)]
             for r in rows),
        )  # fmt: skip
    groups = []
    for currency, group in by_currency(rows):
        data = chart(currency, "line", [periods.short_month(r.day) for r in group], [
            series(_("Net worth"), currency, [r.net_worth_minor for r in group], "primary")
        ])  # fmt: skip
        groups.append((currency, group, data))
    home = None
    if status == 200 and converts(rows):
        worth = _home_worth(span, rows)
        data = chart(worth.currency, "line", [periods.short_month(p.day) for p in worth.points], [
            series(_("Net worth"), worth.currency,
                   [p.net_worth_minor for p in worth.points], "primary")
        ])  # fmt: skip
        home = (worth, data)
    return _page("reports/net_worth.html", "reports.net_worth", form, status, groups=groups,
                 home=home)  # fmt: skip


@blueprint.get("/top-payees")
def top_payees():  # type: ignore[no-untyped-def]
    form = PayeeReportForm(request.args)
    span = _date_range(form, periods.last_twelve_months)
    rows, status = [], 422
    if span is not None:
        limit = form.limit.data or PAYEE_LIMITS[0]
        rows, status = _compute(form, lambda s: reports.top_payees(s, user_id(), *span, limit))
    if status == 200 and wants_csv():
        style = downloads.chosen_style()
        return csv_download(
            f"top-payees-{span[0]}-{span[1]}",  # type: ignore[index]
            ["currency", "payee", "payments", "spent"],
            ([r.currency, safe_cell(_cell(r.payee)), r.payments,
              style.amount(r.spent_minor, r.currency)]
             for r in rows),
        )  # fmt: skip

    def payee_link(row) -> str:  # type: ignore[no-untyped-def]
        text = "" if isinstance(row.payee, Text) else row.payee  # Text: "(no payee)"
        return url_for("transactions.index", text=text or None, kind="expense",
                       date_from=span[0], date_to=span[1])  # type: ignore[index]  # fmt: skip

    groups = []
    for currency, group in by_currency(rows):
        group.sort(key=lambda r: (-r.spent_minor, r.payee))
        data = chart(currency, "bar", [i18n.label(r.payee) for r in group],
                     [series(_("Spent"), currency, [r.spent_minor for r in group], "negative")],
                     horizontal=True)  # fmt: skip
        groups.append((currency, group, data))
    return _page("reports/top_payees.html", "reports.top_payees", form, status, groups=groups,
                 payee_link=payee_link, tall=TALL_CHART_ROWS)  # fmt: skip


@blueprint.get("/month-over-month")
def month_over_month():  # type: ignore[no-untyped-def]
    form = MonthReportForm(request.args)
    today = dt.date.today()
    text = (form.month.data or "").strip()
    month = periods.parse_month(text) if text else today.replace(day=1)
    form.month.data = text or periods.month_key(month)  # type: ignore[arg-type]
    rows, status = [], 422
    if month is None or not form.validate():
        form.month.errors = [periods.BAD_MONTH]
    else:
        rows, status = _compute(form, lambda s: reports.month_over_month(s, user_id(), month))
    previous = periods.shift(month, -1) if month else None
    if status == 200 and wants_csv():
        assert month is not None and previous is not None
        style = downloads.chosen_style()
        return csv_download(
            f"month-over-month-{periods.month_key(month)}",
            ["currency", "category", style.month(previous), style.month(month), "change"],
            ([r.currency, safe_cell(_cell(r.name)), style.amount(r.previous_minor, r.currency),
              style.amount(r.current_minor, r.currency), style.amount(r.change_minor, r.currency)]
             for r in rows),
        )  # fmt: skip

    def category_link(row) -> str | None:  # type: ignore[no-untyped-def]
        if row.category_id is None or month is None:
            return None
        return url_for("transactions.index", category_id=row.category_id, kind="expense",
                       date_from=month, date_to=periods.end_of_month(month))  # fmt: skip

    groups = []
    for currency, group in by_currency(rows):
        group.sort(key=lambda r: (-max(r.current_minor, r.previous_minor), r.name))
        assert month is not None and previous is not None
        data = chart(currency, "bar", [i18n.label(r.name) for r in group], [
            series(periods.short_month(previous), currency, [r.previous_minor for r in group],
                   "muted"),
            series(periods.short_month(month), currency, [r.current_minor for r in group],
                   "primary"),
        ])  # fmt: skip
        totals = (sum(r.previous_minor for r in group), sum(r.current_minor for r in group))
        groups.append((currency, group, totals, data))
    return _page(
        "reports/month_over_month.html", "reports.month_over_month", form, status,
        groups=groups, month=month, previous=previous, periods=periods,
        category_link=category_link,
    )  # fmt: skip
