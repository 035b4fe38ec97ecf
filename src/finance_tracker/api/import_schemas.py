"""The shapes of /api/v1/imports: uploads, statuses, CSV settings, previews and choices."""

from __future__ import annotations

import codecs

import marshmallow as ma
from marshmallow import fields, validate

from finance_tracker.api.schemas import File, Id, Text, UtcDateTime
from finance_tracker.importers import FileFormat
from finance_tracker.importers.csv_format import DATE_FORMATS, DELIMITERS, MAX_COLUMNS
from finance_tracker.services import imports

STATUSES = ["mapping", "uploaded", "previewed", "queued", "running", "done", "failed", "expired"]
MAX_SAMPLE = 100


class ImportUpload(ma.Schema):
    account_id = Id(
        strict=False,
        load_default=None,
        metadata={
            "description": "a bank statement's account; none for a file moving in from another "
            "tracker, which brings its own accounts"
        },
    )
    file = File(
        required=True,
        metadata={
            "description": "a bank's file (CSV, OFX/QFX, QIF), or an export to move in from: "
            "Firefly III's CSV, YNAB's zip or CSV, Actual Budget's zip, a beancount ledger, an "
            "hledger/ledger journal"
        },
    )


class RowProblem(ma.Schema):
    line = fields.Integer(required=True, metadata={"description": "line number in the file"})
    message = fields.String(required=True)


class SkippedGroup(ma.Schema):
    reason = fields.String(required=True, metadata={"description": "why they are not imported"})
    kinds = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "how many of each kind: BUYSTOCK, position, memorised, …"},
    )
    count = fields.Integer(required=True)
    lines = fields.List(
        fields.Integer(), required=True, metadata={"description": "the first lines, at most 20"}
    )


class ImportReport(ma.Schema):
    invalid_skipped = fields.List(
        fields.Nested(RowProblem),
        required=True,
        metadata={"description": "invalid rows the person chose to skip (the first 100)"},
    )
    skipped = fields.List(fields.Nested(SkippedGroup), required=True)
    categories_created = fields.List(fields.String(), required=True)
    accounts_created = fields.List(fields.String(), load_default=list)
    budgets_set = fields.Integer(load_default=0)


class ImportStatus(ma.Schema):
    id = fields.Integer(required=True)
    account_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "a bank statement's account; null when moving in"},
    )
    filename = fields.String(required=True, metadata={"description": "as uploaded, for display"})
    format = fields.String(required=True, validate=validate.OneOf([f.value for f in FileFormat]))
    size_bytes = fields.Integer(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUSES),
        metadata={
            "description": "mapping (a CSV's columns to confirm) → uploaded → previewed → "
            "queued → running → done, or failed; expired: left unfinished too long, its file "
            "is removed (upload it again)"
        },
    )
    finished = fields.Boolean(required=True, metadata={"description": "done, failed or expired"})
    done_rows = fields.Integer(
        required=True, metadata={"description": "records read so far by a running import"}
    )
    total_rows = fields.Integer(
        required=True,
        metadata={"description": "records in the file: new + duplicate + invalid + skipped"},
    )
    new_rows = fields.Integer(required=True)
    duplicate_rows = fields.Integer(
        required=True, metadata={"description": "already imported before: skipped"}
    )
    invalid_rows = fields.Integer(required=True)
    skipped_rows = fields.Integer(
        required=True,
        metadata={"description": "records not imported, each with its reason (see report)"},
    )
    report = fields.Nested(
        ImportReport,
        required=True,
        allow_none=True,
        metadata={"description": "once done: what was left out, and why"},
    )
    error = fields.String(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
    started_at = UtcDateTime(
        required=True,
        allow_none=True,
        metadata={"description": "when the commit was asked for, then when its job started"},
    )
    finished_at = UtcDateTime(required=True, allow_none=True)


class ImportList(ma.Schema):
    items = fields.List(
        fields.Nested(ImportStatus), required=True, metadata={"description": "newest first"}
    )


class ListQuery(ma.Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


def _column(description: str) -> fields.Integer:
    return fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(0, MAX_COLUMNS - 1),
        metadata={"description": description + " (column number, from 0)"},
    )


def _known_encoding(name: str) -> None:
    if name == "auto":
        return
    try:
        codec = codecs.lookup(name)
    except LookupError:
        codec = None
    # rot13, base64, zlib... are codecs too, but no text file is written in them.
    if codec is None or not getattr(codec, "_is_text_encoding", True):
        raise ma.ValidationError(f"unknown text encoding {name!r}")


class CsvSettingsInput(ma.Schema):
    encoding = Text(
        load_default="auto",
        validate=[validate.Length(1, 40), _known_encoding],
        metadata={"description": "auto, or a name like utf-8 or cp1252", "example": "auto"},
    )
    delimiter = Text(load_default=",", validate=validate.OneOf(DELIMITERS))
    has_header = fields.Boolean(load_default=True)
    skip_rows = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(0, 1000),
        metadata={"description": "lines above the table (and its header)"},
    )
    date_format = Text(load_default="%Y-%m-%d", validate=validate.OneOf(DATE_FORMATS))
    decimal_comma = fields.Boolean(load_default=False, metadata={"description": "12,50"})
    date = _column("the date")
    amount = _column("the signed amount; or give debit and credit")
    debit = _column("money out")
    credit = _column("money in")
    payee = _column("the payee or description")
    memo = _column("the memo")
    negate = fields.Boolean(
        load_default=False, metadata={"description": "the bank shows spending as positive"}
    )


class CsvSettings(CsvSettingsInput):
    pass


class CsvView(ma.Schema):
    settings = fields.Nested(CsvSettings, required=True)
    header = fields.List(
        fields.String(), required=True, metadata={"description": "the columns, by number"}
    )
    sample = fields.List(
        fields.List(fields.String()), required=True, metadata={"description": "the first rows"}
    )


class ImportPreviewQuery(ma.Schema):
    limit = fields.Integer(
        load_default=25,
        validate=validate.Range(0, MAX_SAMPLE),
        metadata={"description": "how many rows to show"},
    )


class StatementAccount(ma.Schema):
    statement = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(1, 1000),
        metadata={"description": "the statement's number in the preview, from 1"},
    )
    account_id = Id(
        required=True,
        allow_none=True,
        metadata={"description": "one of your accounts; null: do not import it (or a new one)"},
    )
    new_account = fields.Boolean(
        load_default=False,
        metadata={"description": "moving in: an account made for it (account_id null)"},
    )

    @ma.validates_schema
    def _one_target(self, data: dict, **_kwargs: object) -> None:
        if data.get("new_account") and data.get("account_id") is not None:
            raise ma.ValidationError("give account_id or new_account, not both", "new_account")


class TransferAccount(ma.Schema):
    name = Text(
        required=True,
        validate=validate.Length(1, 200),
        metadata={"description": "the account as the file names it (QIF L[Name])"},
    )
    account_id = Id(
        required=True,
        allow_none=True,
        metadata={"description": "null: keep these rows as income or expense"},
    )


class ImportOptionsSchema(ma.Schema):
    statements = fields.List(
        fields.Nested(StatementAccount),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=1000),
        metadata={"description": "the account each statement goes to; null: the defaults"},
    )
    transfers = fields.List(
        fields.Nested(TransferAccount),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=1000),
        metadata={"description": "the account each transfer goes to; null: matched by name"},
    )
    round_amounts = fields.Boolean(
        load_default=False,
        metadata={"description": "round amounts with more decimals than the currency, half to "
                  "even; the file's amount is kept in the memo"},
    )  # fmt: skip
    skip_invalid = fields.Boolean(
        load_default=False,
        metadata={"description": "import the valid rows and skip the invalid ones (listed on "
                  "the import's report); by default one invalid row stops the import"},
    )  # fmt: skip
    rules_override = fields.Boolean(
        load_default=False,
        metadata={"description": "let rules replace a category the file states"},
    )
    create_categories = fields.Boolean(
        load_default=True,
        metadata={"description": "create the file's categories you do not have"},
    )


class NewAccountOut(ma.Schema):
    name = fields.String(required=True)
    currency = fields.String(required=True)
    type = fields.String(required=True)
    opening_balance = fields.String(required=True, metadata={"description": "from the file"})


class StatementChoice(ma.Schema):
    statement = fields.Integer(required=True, metadata={"description": "its number, from 1"})
    label = fields.String(
        required=True, metadata={"description": "'Bank account …6789': the account number's end"}
    )
    kind = fields.String(
        required=True, validate=validate.OneOf(["bank", "card", "investment", "qif", "csv"])
    )
    currency = fields.String(required=True, allow_none=True)
    records = fields.Integer(required=True)
    account_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "null: not imported, or into a new account (new_account)"},
    )
    new_account = fields.Nested(
        NewAccountOut,
        required=True,
        allow_none=True,
        metadata={"description": "the account this import creates for the statement"},
    )
    why_not = fields.String(required=True, metadata={"description": "why it is not imported"})


class CategoryChoice(ma.Schema):
    path = fields.String(required=True, metadata={"description": "as the file names it"})
    category_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: you have no such one"}
    )
    create = fields.Boolean(required=True, metadata={"description": "missing: will be created"})


class TransferChoice(ma.Schema):
    name = fields.String(required=True, metadata={"description": "as the file names it"})
    account_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "null: its rows stay income or expense"},
    )
    note = fields.String(required=True)


class RoundedRow(ma.Schema):
    line = fields.Integer(required=True)
    original = fields.String(required=True, metadata={"description": "as the file has it"})
    amount = fields.String(required=True, metadata={"description": "rounded, half to even"})


class Rounding(ma.Schema):
    needed = fields.Integer(
        required=True,
        metadata={"description": "rows invalid until you choose round_amounts"},
    )
    rounded = fields.Integer(required=True, metadata={"description": "rows that will be rounded"})
    rows = fields.List(fields.Nested(RoundedRow), required=True)


class ImportSplitLine(ma.Schema):
    amount = fields.String(required=True)
    category_id = fields.Integer(required=True, allow_none=True)
    memo = fields.String(required=True)


class ImportPreviewRow(ma.Schema):
    line = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["new", "duplicate"]))
    account_id = fields.Integer(required=True)
    date = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["income", "expense", "transfer"]))
    currency = fields.String(required=True)
    amount = fields.String(required=True, metadata={"description": "signed (decimal string)"})
    amount_minor = fields.Integer(required=True)
    rounded_from = fields.String(
        required=True, allow_none=True, metadata={"description": "the file's amount, if rounded"}
    )
    payee = fields.String(required=True)
    memo = fields.String(required=True)
    category_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "the file's, or a rule's"}
    )
    category_path = fields.String(required=True, metadata={"description": "as the file names it"})
    transfer_account_id = fields.Integer(required=True, allow_none=True)
    splits = fields.List(fields.Nested(ImportSplitLine), required=True)
    tags = fields.List(fields.String(), required=True)
    cleared = fields.String(
        required=True, validate=validate.OneOf(["uncleared", "cleared", "reconciled"])
    )
    rule_matched = fields.Boolean(required=True)


class ImportPreview(ma.Schema):
    total = fields.Integer(
        required=True,
        metadata={"description": "records in the file: new + duplicates + invalid + skipped"},
    )
    new = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    invalid = fields.Integer(
        required=True,
        metadata={"description": "any invalid row stops the commit, unless skip_invalid"},
    )
    skipped = fields.Integer(required=True, metadata={"description": "see skipped_groups"})
    problems = fields.List(
        fields.Nested(RowProblem),
        required=True,
        metadata={"description": f"the first {imports.MAX_PROBLEMS_SHOWN} invalid rows"},
    )
    skipped_groups = fields.List(fields.Nested(SkippedGroup), required=True)
    statements = fields.List(fields.Nested(StatementChoice), required=True)
    categories = fields.List(fields.Nested(CategoryChoice), required=True)
    transfers = fields.List(fields.Nested(TransferChoice), required=True)
    rounding = fields.Nested(Rounding, required=True)
    bank_messages = fields.List(
        fields.String(), required=True, metadata={"description": "what the bank's file says"}
    )
    lists = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "QIF lists in the file (categories, classes, …): not records"},
    )
    options = fields.Nested(ImportOptionsSchema, required=True)
    source = fields.String(
        required=True, metadata={"description": "the kind of file: OFX, Firefly III, YNAB…"}
    )
    notes = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "what the file holds that is not carried over, or how"},
    )
    budgets = fields.Integer(
        required=True, metadata={"description": "budget amounts the file sets (YNAB, Actual)"}
    )
    sample = fields.List(fields.Nested(ImportPreviewRow), required=True)
