"""The forms of budgets, recurring transactions, rules and reports. Like those in forms.py they
only parse what the browser sent; the services decide what is valid."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from finance_tracker.domain.recurrence import LAST_DAY, Frequency
from finance_tracker.domain.rules import MatchField, MatchType
from finance_tracker.domain.text import Text
from finance_tracker.services.errors import InvalidInput
from finance_tracker.services.recurring import RecurringInput
from finance_tracker.services.rules import RuleInput
from finance_tracker.web.forms import KIND_CHOICES, PageForm
from finance_tracker.web.helpers import optional_int
from finance_tracker.web.locale_fields import AmountField, LocaleDateField


def _text(value: str | None) -> str:
    return (value or "").strip()


def _tags(value: str | None) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


class BudgetForm(PageForm):
    month = HiddenField()
    category_id = SelectField(_l("Category"), coerce=optional_int, validate_choice=False)
    amount = AmountField(_l("Amount per month"), validators=[Length(max=40)])
    currency = SelectField(_l("Currency"), validate_choice=False)
    rollover = BooleanField(_l("Roll over: carry what is left, or overspent, into next month"))


FREQUENCY_CHOICES = [
    SelectChoice(Frequency.daily.value, _l("Days")),
    SelectChoice(Frequency.weekly.value, _l("Weeks")),
    SelectChoice(Frequency.monthly.value, _l("Months")),
    SelectChoice(Frequency.yearly.value, _l("Years")),
]
DAY_CHOICES = [
    SelectChoice("", _l("Same day as the start date")),
    *(SelectChoice(str(day), _l("On day %(day)s", day=day)) for day in range(1, 32)),
    SelectChoice("last", _l("The last day of the month")),
]


def _whole_number(value: str | None, field: str, errors: dict[str, str]) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        errors[field] = Text("enter a whole number")
        return None
    return int(text)


class RecurringForm(PageForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    kind = RadioField(_l("Kind"), choices=KIND_CHOICES, default="expense")
    account_id = SelectField(_l("Account"), coerce=optional_int, validate_choice=False)
    to_account_id = SelectField(_l("To account"), coerce=optional_int, validate_choice=False)
    to_amount = AmountField(_l("Amount received"), validators=[Length(max=40)])
    amount = AmountField(_l("Amount"), validators=[Length(max=40)])
    payee = StringField(_l("Payee"), validators=[Length(max=2000)])
    memo = StringField(_l("Memo"), validators=[Length(max=10_000)])
    category_id = SelectField(_l("Category"), coerce=optional_int, validate_choice=False)
    tags = StringField(_l("Tags"), validators=[Length(max=2000)])
    interval = StringField(_l("Repeat every"), default="1", validators=[Length(max=20)])
    frequency = SelectField(
        _l("Period"), choices=FREQUENCY_CHOICES, default="monthly", validate_choice=False
    )
    day_of_month = SelectField(_l("Day of the month"), choices=DAY_CHOICES, validate_choice=False)
    start_date = LocaleDateField(_l("First date"), validators=[InputRequired(_l("enter a date"))])
    end_date = LocaleDateField(_l("Last date"), validators=[Optional()])
    max_count = StringField(_l("Or stop after"), validators=[Length(max=20)])
    active = BooleanField(_l("Active (creates transactions when they fall due)"), default=True)

    def to_input(self) -> RecurringInput:
        """Raises InvalidInput for what this form parses itself (whole numbers, the day)."""
        errors: dict[str, str] = {}
        interval = _whole_number(self.interval.data, "interval", errors)
        if interval is None and "interval" not in errors:
            errors["interval"] = Text("enter how many periods apart, e.g. 1")
        max_count = _whole_number(self.max_count.data, "max_count", errors)
        day = _text(self.day_of_month.data)
        day_of_month: int | None = None
        if day == "last":
            day_of_month = LAST_DAY
        elif day:
            day_of_month = _whole_number(day, "day_of_month", errors)
        if errors:
            raise InvalidInput(errors)
        is_transfer = self.kind.data == "transfer"
        assert interval is not None and self.start_date.data is not None
        return RecurringInput(
            name=_text(self.name.data),
            kind=self.kind.data or "",
            account_id=self.account_id.data,  # type: ignore[arg-type]  # the service checks it
            amount=_text(self.amount.data),
            frequency=self.frequency.data or "",
            start_date=self.start_date.data,
            interval=interval,
            day_of_month=day_of_month,
            end_date=self.end_date.data,
            max_count=max_count,
            payee=_text(self.payee.data),
            memo=_text(self.memo.data),
            category_id=None if is_transfer else self.category_id.data,
            tags=_tags(self.tags.data),
            to_account_id=self.to_account_id.data if is_transfer else None,
            to_amount=_text(self.to_amount.data) if is_transfer else None,
            active=bool(self.active.data),
        )

    def fill_from(self, row) -> None:  # type: ignore[no-untyped-def]
        """Prefill from a stored `RecurringTransaction`."""
        self.name.data, self.kind.data = row.name, row.kind
        self.account_id.data, self.to_account_id.data = row.account_id, row.to_account_id
        self.amount.data, self.to_amount.data = row.amount, row.to_amount or ""
        self.payee.data, self.memo.data = row.payee, row.memo
        self.category_id.data = row.category_id
        self.tags.data = ", ".join(t for t in row.tags.split(",") if t)
        self.interval.data, self.frequency.data = str(row.interval), row.frequency
        if row.day_of_month == LAST_DAY:
            self.day_of_month.data = "last"
        else:
            self.day_of_month.data = str(row.day_of_month or "")
        self.start_date.data, self.end_date.data = row.start_date, row.end_date
        self.max_count.data = str(row.max_count or "")
        self.active.data = row.active


MATCH_FIELD_CHOICES = [
    SelectChoice(MatchField.payee.value, _l("Payee")),
    SelectChoice(MatchField.memo.value, _l("Memo")),
    SelectChoice(MatchField.any.value, _l("Payee or memo")),
]
MATCH_TYPE_CHOICES = [
    SelectChoice(MatchType.contains.value, _l("contains the text")),
    SelectChoice(MatchType.regex.value, _l("matches the regular expression")),
]


class RuleForm(PageForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    match_field = SelectField(
        _l("Where to look"), choices=MATCH_FIELD_CHOICES, validate_choice=False
    )
    match_type = RadioField(
        _l("Match"), choices=MATCH_TYPE_CHOICES, default="contains", validate_choice=False
    )
    pattern = StringField(_l("Text or pattern"), validators=[Length(max=2000)])
    amount_min = AmountField(_l("Amount from"), validators=[Length(max=40)])
    amount_max = AmountField(_l("Amount up to"), validators=[Length(max=40)])
    account_id = SelectField(_l("Account"), coerce=optional_int, validate_choice=False)
    set_category_id = SelectField(_l("Set category"), coerce=optional_int, validate_choice=False)
    set_tags = StringField(_l("Add tags"), validators=[Length(max=2000)])
    set_payee = StringField(_l("Set payee"), validators=[Length(max=2000)])
    active = BooleanField(_l("Active"), default=True)

    def to_input(self, position: int | None = None) -> RuleInput:
        return RuleInput(
            name=_text(self.name.data),
            pattern=_text(self.pattern.data),
            match_field=self.match_field.data or "",
            match_type=self.match_type.data or "",
            amount_min=_text(self.amount_min.data) or None,
            amount_max=_text(self.amount_max.data) or None,
            account_id=self.account_id.data,
            set_category_id=self.set_category_id.data,
            set_tags=_tags(self.set_tags.data),
            set_payee=_text(self.set_payee.data),
            active=bool(self.active.data),
            position=position,
        )

    def fill_from(self, data: RuleInput) -> None:
        self.name.data, self.pattern.data = data.name, data.pattern
        self.match_field.data, self.match_type.data = data.match_field, data.match_type
        self.amount_min.data = str(data.amount_min or "")
        self.amount_max.data = str(data.amount_max or "")
        self.account_id.data, self.set_category_id.data = data.account_id, data.set_category_id
        self.set_tags.data = ", ".join(data.set_tags)
        self.set_payee.data, self.active.data = data.set_payee, data.active


class ReportForm(Form):
    """The date range of a report, read from the query string (GET: no CSRF)."""

    date_from = LocaleDateField(_l("From"), validators=[Optional()])
    date_to = LocaleDateField(_l("To"), validators=[Optional()])

    def use_defaults(self, start: dt.date, end: dt.date) -> None:
        """Neither date given: show the report's usual range."""
        given = [*(self.date_from.raw_data or []), *(self.date_to.raw_data or [])]
        if not any(_text(value) for value in given):
            self.date_from.data, self.date_to.data = start, end
