"""The forms behind the pages. They only parse what the browser sent; the services decide what is
valid, so a form and the API answer a mistake with the same words."""

from __future__ import annotations

import codecs
import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from finance_tracker.domain.ledger import AccountType, Cleared, TransactionKind
from finance_tracker.domain.text import Text
from finance_tracker.importers.csv_format import DATE_FORMATS, CsvSettings
from finance_tracker.services.transactions import SplitInput, TransactionFilter, TransactionInput
from finance_tracker.web.helpers import optional_int
from finance_tracker.web.locale_fields import AmountField, LocaleDateField

KIND_LABELS = {
    TransactionKind.income.value: lazy_pgettext("kind of transaction", "Income"),
    TransactionKind.expense.value: lazy_pgettext("kind of transaction", "Expense"),
    TransactionKind.transfer.value: lazy_pgettext("kind of transaction", "Transfer"),
}
KIND_CHOICES = [SelectChoice(k.value, KIND_LABELS[k.value]) for k in TransactionKind]
CLEARED_CHOICES = [
    SelectChoice(Cleared.uncleared.value, _l("Uncleared: not on a statement yet")),
    SelectChoice(Cleared.cleared.value, _l("Cleared: the bank has it")),
    SelectChoice(Cleared.reconciled.value, _l("Reconciled: matched to a statement")),
]
ACCOUNT_TYPE_LABELS = {
    AccountType.checking.value: lazy_pgettext("type of account", "Checking"),
    AccountType.savings.value: lazy_pgettext("type of account", "Savings"),
    AccountType.credit_card.value: lazy_pgettext("type of account", "Credit card"),
    AccountType.cash.value: lazy_pgettext("type of account", "Cash"),
    AccountType.loan.value: lazy_pgettext("type of account", "Loan"),
    AccountType.investment.value: lazy_pgettext("type of account", "Investment"),
}
MAX_SPLIT_LINES = 50


def _text(value: str | None) -> str:
    return (value or "").strip()


class PageForm(FlaskForm):
    """CSRFProtect checks every POST before a view runs (web/__init__.py), so the forms do not
    check it a second time; templates put the token in with the `csrf_field()` macro. This also
    lets two forms share a page under prefixes while the token keeps its one plain name."""

    class Meta:
        csrf = False


class AccountForm(PageForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    type = SelectField(
        _l("Type"), choices=[SelectChoice(t, label) for t, label in ACCOUNT_TYPE_LABELS.items()]
    )
    currency = SelectField(_l("Currency"))
    opening_balance = AmountField(_l("Opening balance"), default="0", validators=[Length(max=40)])
    archived = BooleanField(_l("Archived (hidden from new transactions, history kept)"))


class CategoryForm(PageForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    parent_id = SelectField(_l("Parent"), coerce=optional_int, validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, prefix="category", **kwargs)


class TagForm(PageForm):
    name = StringField(_l("Tag"), validators=[Length(max=200)])

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, prefix="tag", **kwargs)


TOKEN_LIFETIMES = [("30", _l("in 30 days")), ("7", _l("in 7 days")), ("90", _l("in 90 days")),
                   ("365", _l("in a year")), ("", _l("never"))]  # fmt: skip


class TokenForm(PageForm):
    name = StringField(_l("Token name"), validators=[Length(max=200)])
    scope = SelectField(
        _l("Access"),
        choices=[
            SelectChoice("read-write", _l("read and write")),
            SelectChoice("read", _l("read only")),
        ],
        default="read-write",
        validate_choice=False,
    )
    expires_in_days = SelectField(
        _l("Expires"),
        choices=[SelectChoice(v, label) for v, label in TOKEN_LIFETIMES],
        default="30",
        validate_choice=False,
    )


class SplitLineForm(Form):
    """One line of a split; a row left entirely blank is ignored."""

    category_id = SelectField(_l("Category"), coerce=optional_int, validate_choice=False)
    amount = AmountField(_l("Amount"), validators=[Length(max=40)])
    memo = StringField(_l("Memo"), validators=[Length(max=2000)])

    def is_blank(self) -> bool:
        return not (_text(self.amount.data) or self.category_id.data or _text(self.memo.data))


class TransactionForm(PageForm):
    kind = RadioField(_l("Kind"), choices=KIND_CHOICES, default="expense")
    account_id = SelectField(_l("Account"), coerce=optional_int, validate_choice=False)
    to_account_id = SelectField(_l("To account"), coerce=optional_int, validate_choice=False)
    to_amount = AmountField(_l("Amount received"), validators=[Length(max=40)])
    date = LocaleDateField(
        _l("Date"), validators=[InputRequired(_l("enter a date"))], default=dt.date.today
    )
    amount = AmountField(
        _l("Amount"), validators=[InputRequired(_l("enter an amount")), Length(max=40)]
    )
    payee = StringField(_l("Payee"), validators=[Length(max=2000)])
    memo = TextAreaField(_l("Memo"), validators=[Length(max=10_000)])
    category_id = SelectField(_l("Category"), coerce=optional_int, validate_choice=False)
    tags = StringField(_l("Tags"), validators=[Length(max=2000)])
    cleared = SelectField(_l("Against the bank"), choices=CLEARED_CHOICES, default="uncleared")
    splits = FieldList(FormField(SplitLineForm), min_entries=2, max_entries=MAX_SPLIT_LINES)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.split_errors: list[str] = []  # about the lines as a whole, e.g. "must add up"

    def filled_split_rows(self) -> list[int]:
        """Indices of the split rows the person filled in (the services number only these)."""
        return [i for i, entry in enumerate(self.splits.entries) if not entry.form.is_blank()]

    def to_input(self) -> TransactionInput:
        """What the services need, amounts still as the strings typed: they parse money."""
        is_transfer = self.kind.data == TransactionKind.transfer.value
        return TransactionInput(
            kind=self.kind.data or "",
            account_id=self.account_id.data,
            date=self.date.data,  # type: ignore[arg-type]  # InputRequired: a date by now
            amount=_text(self.amount.data),
            payee=_text(self.payee.data),
            memo=_text(self.memo.data),
            category_id=self.category_id.data,
            tags=[t.strip() for t in (self.tags.data or "").split(",") if t.strip()],
            splits=[
                SplitInput(
                    _text(entry.form.amount.data),
                    entry.form.category_id.data,
                    _text(entry.form.memo.data),
                )
                for entry in self.splits.entries
                if not entry.form.is_blank()
            ],
            to_account_id=self.to_account_id.data if is_transfer else None,
            to_amount=_text(self.to_amount.data) if is_transfer else None,
            cleared=self.cleared.data or Cleared.uncleared.value,
        )

    def fill_from(self, data: TransactionInput) -> None:
        """Prefill an edit form from `services.transactions.as_input`."""
        self.kind.data = data.kind
        self.account_id.data = data.account_id
        self.to_account_id.data = data.to_account_id
        self.to_amount.data = str(data.to_amount or "")
        self.date.data = data.date
        self.amount.data = str(data.amount)
        self.payee.data = data.payee
        self.memo.data = data.memo
        self.category_id.data = data.category_id
        self.tags.data = ", ".join(data.tags)
        self.cleared.data = data.cleared
        while self.splits.entries:
            self.splits.pop_entry()
        for line in data.splits:
            self.splits.append_entry(
                {"amount": str(line.amount), "category_id": line.category_id, "memo": line.memo}
            )
        self.add_blank_split_rows(2)

    def add_blank_split_rows(self, count: int) -> None:
        for _row in range(count):
            if len(self.splits.entries) < MAX_SPLIT_LINES:
                self.splits.append_entry()


UNCATEGORISED = "none"  # the category filter's value for "no category"


def category_filter(value: object) -> int | str | None:
    return UNCATEGORISED if value == UNCATEGORISED else optional_int(value)


class FilterForm(Form):
    """The search form on the transactions list, read from the query string (GET: no CSRF).
    Field names are the services' filter names, so their errors land beside the right field."""

    text = SearchField(_l("Search"), validators=[Length(max=200)])
    date_from = LocaleDateField(_l("From"), validators=[Optional()])
    date_to = LocaleDateField(_l("To"), validators=[Optional()])
    account_id = SelectField(_l("Account"), coerce=optional_int, validate_choice=False)
    category_id = SelectField(_l("Category"), coerce=category_filter, validate_choice=False)
    tag = SelectField(_l("Tag"), validate_choice=False, default="")
    amount_min = AmountField(_l("Min amount"), validators=[Length(max=40)])
    amount_max = AmountField(_l("Max amount"), validators=[Length(max=40)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice("", _l("Any kind")), *KIND_CHOICES], default=""
    )

    def to_filter(self) -> TransactionFilter:
        return TransactionFilter(
            text=_text(self.text.data),
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            account_id=self.account_id.data,
            category_id=None if self.category_id.data == UNCATEGORISED else self.category_id.data,
            uncategorised=self.category_id.data == UNCATEGORISED,
            tag=_text(self.tag.data),
            amount_min=_text(self.amount_min.data) or None,
            amount_max=_text(self.amount_max.data) or None,
            kind=self.kind.data or "",
        )

    def is_active(self) -> bool:
        return any(field.data not in (None, "") for field in self)


class BulkCategoryForm(PageForm):
    """The list's "Set category" action; the rows' checkboxes (named `ids`) belong to it through
    their `form` attribute. `none` (UNCATEGORISED) removes the category, "" chose nothing."""

    category_id = SelectField(
        _l("Set the category of the selected"), coerce=category_filter, validate_choice=False
    )


# Uploads: the services decide by a file's content what it is and whether to keep it.
class ImportUploadForm(PageForm):
    account_id = SelectField(_l("Into account"), coerce=optional_int, validate_choice=False)
    file = FileField(_l("Bank file"))


class ReceiptForm(PageForm):
    file = FileField(_l("Add a receipt"))


class RestoreForm(PageForm):
    file = FileField(_l("Backup file"))


DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
ENCODINGS = [
    SelectChoice("utf-8-sig", "UTF-8"),
    SelectChoice("cp1252", "Windows-1252"),
    SelectChoice("cp1250", "Windows-1250"),
    SelectChoice("iso8859-15", "ISO-8859-15"),
    SelectChoice("iso8859-1", "ISO-8859-1"),
    SelectChoice("mac-roman", "Mac Roman"),
    SelectChoice("utf-16", "UTF-16"),
    SelectChoice("auto", _l("Detect it")),
]
# Each format shown as the last day of a year, which no two formats write the same way.
DATE_FORMAT_CHOICES = [SelectChoice(f, dt.date(2026, 12, 31).strftime(f)) for f in DATE_FORMATS]
COLUMNS = ("date", "amount", "debit", "credit", "payee", "memo")


class CsvMappingForm(PageForm):
    """How to read a bank's CSV; field names are `CsvSettings`' so its errors land beside them."""

    delimiter = SelectField(
        _l("Separator"),
        choices=[SelectChoice("comma", _l("Comma ,")), SelectChoice("semicolon", _l("Semicolon ;")),
                 SelectChoice("tab", _l("Tab")), SelectChoice("pipe", _l("Pipe |"))],
    )  # fmt: skip
    encoding = SelectField(_l("Encoding"), validate_choice=False)
    skip_rows = IntegerField(_l("Rows to skip at the top"), default=0, validators=[Optional()])
    has_header = BooleanField(_l("The first row names the columns"))
    date_format = SelectField(_l("Date format"), choices=DATE_FORMAT_CHOICES)
    decimal_comma = BooleanField(_l("Decimal comma (1.234,56)"))
    amount_mode = RadioField(
        _l("Amounts"),
        choices=[SelectChoice("single", _l("One amount column")),
                 SelectChoice("split", _l("Debit and credit columns"))],
        default="single",
    )  # fmt: skip
    date = SelectField(_l("Date"), coerce=optional_int, validate_choice=False)
    amount = SelectField(_l("Amount"), coerce=optional_int, validate_choice=False)
    debit = SelectField(_l("Debit (money out)"), coerce=optional_int, validate_choice=False)
    credit = SelectField(_l("Credit (money in)"), coerce=optional_int, validate_choice=False)
    payee = SelectField(_l("Payee or description"), coerce=optional_int, validate_choice=False)
    memo = SelectField(_l("Memo"), coerce=optional_int, validate_choice=False)
    negate = BooleanField(_l("Flip the signs (the statement shows spending as positive)"))

    def set_columns(self, header: list[str]) -> None:
        """The file's columns as options, numbered so that they stay right even if a name
        does not (the names come from the first row as the file was first read)."""
        used = [getattr(self, name).data for name in COLUMNS]
        width = max([len(header), *[i + 1 for i in used if isinstance(i, int)]])
        options = []
        for index in range(min(width, 200)):
            named = index < len(header) and not isinstance(header[index], Text)
            name = header[index].strip() if named else ""  # a Text: "Column 3", not the file's
            number = index + 1
            label = f"{number}: {name[:40]}" if name else _("Column %(number)s", number=number)
            options.append(SelectChoice(str(index), label))
        for name in COLUMNS:
            blank = _("— none —") if name in ("debit", "credit", "memo") else _("— choose —")
            getattr(self, name).choices = [SelectChoice("", blank), *options]
        current = self.encoding.data
        known = [c.value for c in ENCODINGS]
        extra = [SelectChoice(current, current)] if current and current not in known else []
        self.encoding.choices = [*extra, *ENCODINGS]

    def fill_from(self, settings: CsvSettings) -> None:
        self.delimiter.data = next(
            (name for name, char in DELIMITERS.items() if char == settings.delimiter), "comma"
        )
        self.encoding.data = _codec_name(settings.encoding)
        self.skip_rows.data = settings.skip_rows
        self.has_header.data = settings.has_header
        self.date_format.data = settings.date_format
        self.decimal_comma.data = settings.decimal_comma
        split = settings.amount is None and (settings.debit, settings.credit) != (None, None)
        self.amount_mode.data = "split" if split else "single"
        for name in COLUMNS:
            getattr(self, name).data = getattr(settings, name)
        self.negate.data = settings.negate

    def to_settings(self) -> dict[str, object]:
        """What `services.imports.set_csv_settings` takes; the unused amount columns are left
        out, so that switching between one amount and debit/credit needs no clearing."""
        split = self.amount_mode.data == "split"
        return {
            "encoding": self.encoding.data or "auto",
            "delimiter": DELIMITERS.get(self.delimiter.data or "", self.delimiter.data),
            "has_header": bool(self.has_header.data),
            "skip_rows": self.skip_rows.data or 0,
            "date_format": self.date_format.data,
            "decimal_comma": bool(self.decimal_comma.data),
            "date": self.date.data,
            "amount": None if split else self.amount.data,
            "debit": self.debit.data if split else None,
            "credit": self.credit.data if split else None,
            "payee": self.payee.data,
            "memo": self.memo.data,
            "negate": bool(self.negate.data),
        }


def _codec_name(encoding: str) -> str:
    """'UTF_8-sig', 'latin-1' -> the codec's own name, as the encoding choices spell it."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding
