"""Reports in the person's home currency: every amount converted at the rate of its own day
(or the closest earlier one), each figure rounded once, with the originals beside it.

The amounts in the home currency come from the month totals as before; only the accounts in
other currencies are read per day, since each day has its own rate. A figure that needs a rate
nobody has is None, and `notes.missing` says which pair and from which day: never a zero."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from finance_tracker.domain.rates import Converter, MissingRate, RateBook, RateUse
from finance_tracker.services import categories, rates, reports
from finance_tracker.store import rate_queries
from finance_tracker.store.summaries import first_of_month, last_of_month


@dataclass(frozen=True)
class Notes:
    currency: str
    used: list[RateUse] = field(default_factory=list)
    missing: list[MissingRate] = field(default_factory=list)


def notes_of(converter: Converter) -> Notes:
    return Notes(converter.target, converter.rates_used(), converter.missing_rates())


# The rates a conversion can use and the accounts in other currencies (rates.book_for): built
# once and shared by the figures of one page (the dashboard's four), else once per figure.
Prepared = tuple[RateBook, dict[int, str]]


def prepare(session: Session, user_id: int, home: str, start: dt.date, end: dt.date) -> Prepared:
    return rates.book_for(session, user_id, home, start, end)


def _converter(
    session: Session,
    user_id: int,
    home: str,
    start: dt.date,
    end: dt.date,
    prepared: Prepared | None = None,
) -> tuple[Converter, dict[int, str]]:
    """A converter into `home`, and the accounts in other currencies (id -> currency)."""
    book, foreign = prepared or rates.book_for(session, user_id, home, start, end)
    return Converter(book, home), foreign


@dataclass(frozen=True)
class CategorySpent:
    category_id: int | None
    name: str
    spent_minor: int | None
    has_children: bool
    originals: dict[str, int]  # currency -> spent in it


@dataclass(frozen=True)
class Spending:
    currency: str
    rows: list[CategorySpent]
    total_minor: int | None
    notes: Notes
    by_currency: list[reports.CategoryTotal]  # the same report per currency, unconverted


def spending_by_category(
    session: Session,
    user_id: int,
    home: str,
    start: dt.date,
    end: dt.date,
    parent_id: int | None = None,
    prepared: Prepared | None = None,
) -> Spending:
    tree = {c.id: c for c in categories.list_all(session, user_id)}
    originals = reports.spending_by_category(session, user_id, start, end, parent_id, tree)
    converter, foreign = _converter(session, user_id, home, start, end, prepared)
    names: dict[int | None, tuple[str, bool]] = {}
    by_currency: dict[int | None, dict[str, int]] = defaultdict(dict)
    for row in originals:
        names[row.category_id] = (row.name, row.has_children)
        by_currency[row.category_id][row.currency] = row.spent_minor
        converter.touch(row.category_id)
        if row.currency == home:
            converter.add(row.category_id, row.spent_minor, home, start)
    for currency, day, category_id, _kind, day_total in rate_queries.day_totals(
        session, foreign, user_id, start, end, ("expense",)
    ):
        key = reports.category_key(tree, parent_id, category_id or None)
        if key is not reports.NOT_COUNTED:
            converter.add(key, -day_total, currency, day)
    rows = [
        CategorySpent(
            category_id=key,  # type: ignore[arg-type]
            name=names[key][0],
            spent_minor=converter.total(key),
            has_children=names[key][1],
            originals=by_currency[key],
        )
        for key in names
    ]
    rows.sort(key=lambda r: (r.spent_minor is None, -(r.spent_minor or 0), str(r.name)))
    total = converter.total_of(list(names))
    return Spending(home, rows, total, notes_of(converter), originals)


@dataclass(frozen=True)
class MonthFlow:
    month: dt.date
    income_minor: int | None
    expense_minor: int | None
    originals: list[reports.MonthFlow]

    @property
    def net_minor(self) -> int | None:
        if self.income_minor is None or self.expense_minor is None:
            return None
        return self.income_minor - self.expense_minor


@dataclass(frozen=True)
class Flows:
    currency: str
    months: list[MonthFlow]
    notes: Notes


def income_expense_by_month(
    session: Session,
    user_id: int,
    home: str,
    start: dt.date,
    end: dt.date,
    originals: list[reports.MonthFlow] | None = None,
    prepared: Prepared | None = None,
) -> Flows:
    if originals is None:
        originals = reports.income_expense_by_month(session, user_id, start, end)
    converter, foreign = _converter(session, user_id, home, start, end, prepared)
    months = reports.months_between(start, end)
    for month in months:
        converter.touch((month, "income"))
        converter.touch((month, "expense"))
    for flow in originals:
        if flow.currency == home:
            converter.add((flow.month, "income"), flow.income_minor, home, flow.month)
            converter.add((flow.month, "expense"), flow.expense_minor, home, flow.month)
    converter.add_all(
        ((first_of_month(day), kind), total if kind == "income" else -total, currency, day)
        for currency, day, _c, kind, total in rate_queries.day_totals(
            session, foreign, user_id, start, end, ("income", "expense"), by_category=False
        )
    )
    by_month: dict[dt.date, list[reports.MonthFlow]] = defaultdict(list)
    for flow in originals:
        by_month[flow.month].append(flow)
    return Flows(
        home,
        [
            MonthFlow(
                month,
                converter.total((month, "income")),
                converter.total((month, "expense")),
                by_month[month],
            )
            for month in months
        ],
        notes_of(converter),
    )


@dataclass(frozen=True)
class NetWorthPoint:
    day: dt.date
    net_worth_minor: int | None
    originals: dict[str, int]


@dataclass(frozen=True)
class NetWorth:
    currency: str
    points: list[NetWorthPoint]
    notes: Notes


def value_of_balances(
    converter: Converter, key: object, balances: dict[str, int], day: dt.date
) -> None:
    """Balances held on `day`, valued at that day's rates (not at the rates they came in at)."""
    converter.touch(key)
    for currency, minor in balances.items():
        converter.add(key, minor, currency, day)


def net_worth_over_time(
    session: Session,
    user_id: int,
    home: str,
    start: dt.date,
    end: dt.date,
    points: list[reports.NetWorthPoint] | None = None,
) -> NetWorth:
    if points is None:
        points = reports.net_worth_over_time(session, user_id, start, end)
    converter, _foreign = _converter(session, user_id, home, start, end)
    by_day: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for point in points:
        by_day[point.day][point.currency] = point.net_worth_minor
    for day, balances in by_day.items():
        value_of_balances(converter, day, balances, day)
    if not by_day:  # no account yet: a flat zero line, as the per-currency report has
        by_day = {min(last_of_month(m), end): {} for m in reports.months_between(start, end)}
    return NetWorth(
        home,
        [NetWorthPoint(day, converter.total(day) if by_day[day] else 0, by_day[day])
         for day in sorted(by_day)],
        notes_of(converter),
    )  # fmt: skip


def net_worth_on(
    session: Session,
    user_id: int,
    home: str,
    balances: dict[str, int],
    day: dt.date,
    prepared: Prepared | None = None,
) -> tuple[int | None, Notes]:
    """Today's balances per currency as one figure in `home`."""
    converter, _foreign = _converter(session, user_id, home, day, day, prepared)
    value_of_balances(converter, "now", balances, day)
    return converter.total("now"), notes_of(converter)
