"""CSV from any bank: delimiter, encoding, header, date format and decimal comma detected or
chosen; one amount column or separate debit and credit columns; rows to skip."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path

from finance_tracker.domain.text import Text, TextList, message_of
from finance_tracker.importers import ImportFileError, ParsedRow, RowProblem
from finance_tracker.importers.amounts import guess_decimal_comma, parse_amount
from finance_tracker.importers.text import detect_encoding

DATE_FORMATS = [
    "%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y/%m/%d",
    "%d.%m.%y", "%d/%m/%y", "%m/%d/%y", "%Y%m%d", "%d %b %Y", "%b %d, %Y",
]  # fmt: skip
DELIMITERS = [",", ";", "\t", "|"]
MAX_COLUMNS = 200
MAX_FIELD = 10_000
HEADER_WORDS = {
    "date": ("date", "datum", "fecha", "buchungstag", "booking date", "transaction date", "posted"),
    "amount": ("amount", "betrag", "montant", "importe", "value", "sum"),
    "debit": ("debit", "withdrawal", "paid out", "out", "soll", "money out"),
    "credit": ("credit", "deposit", "paid in", "in", "haben", "money in"),
    "payee": ("payee", "description", "name", "merchant", "counterparty", "empfänger",
              "beneficiary", "details", "narrative"),
    "memo": ("memo", "reference", "note", "verwendungszweck", "purpose", "notes"),
}  # fmt: skip


@dataclass
class CsvSettings:
    encoding: str = "auto"
    delimiter: str = ","
    has_header: bool = True
    skip_rows: int = 0
    date_format: str = "%Y-%m-%d"
    decimal_comma: bool = False
    date: int | None = None
    amount: int | None = None
    debit: int | None = None
    credit: int | None = None
    payee: int | None = None
    memo: int | None = None
    negate: bool = False  # for cards whose statements show spending as positive

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> CsvSettings:
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        return cls(**known)  # type: ignore[arg-type]

    def problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if self.delimiter not in DELIMITERS:
            errors["delimiter"] = Text("choose comma, semicolon, tab or pipe")
        if self.date is None:
            errors["date"] = Text("choose the date column")
        if self.amount is None and self.debit is None and self.credit is None:
            errors["amount"] = Text("choose an amount column, or debit and credit columns")
        if self.amount is not None and (self.debit is not None or self.credit is not None):
            errors["amount"] = Text(
                "use either one amount column or debit/credit columns, not both"
            )
        if self.payee is None:
            errors["payee"] = Text("choose the payee or description column")
        if self.date_format not in DATE_FORMATS:
            errors["date_format"] = Text("choose one of the listed date formats")
        if not 0 <= self.skip_rows <= 1000:
            errors["skip_rows"] = Text("skip 0 to 1000 rows")
        for name in ("date", "amount", "debit", "credit", "payee", "memo"):
            value = getattr(self, name)
            if value is not None and not 0 <= value < MAX_COLUMNS:
                errors[name] = Text("no such column")
        return errors


@dataclass
class CsvSniff:
    settings: CsvSettings
    header: list[str]
    sample: list[list[str]] = field(default_factory=list)


def _open(path: Path, settings: CsvSettings) -> io.TextIOWrapper:
    encoding = detect_encoding(path, settings.encoding)
    return path.open("r", encoding=encoding, newline="", errors="strict")


def _rows(handle: io.TextIOBase, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(handle, delimiter=delimiter, strict=False)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(
                Text("line %(line)s: %(problem)s", line=reader.line_num, problem=str(error))
            ) from None
        yield reader.line_num, row


def sniff(path: Path, encoding: str = "auto") -> CsvSniff:
    """Guess every setting from the first rows; the mapping screen lets a person correct it."""
    settings = CsvSettings(encoding=detect_encoding(path, encoding))
    with path.open("r", encoding=settings.encoding, newline="", errors="replace") as handle:
        head = handle.read(64 * 1024)
    lines = head.splitlines()[:60]
    if not any(line.strip() for line in lines):
        raise ImportFileError(Text("the file is empty"))
    filled = [line for line in lines if line.strip()]
    counts = {d: sum(line.count(d) for line in filled[-20:]) for d in DELIMITERS}
    settings.delimiter = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    try:
        table = list(csv.reader(lines, delimiter=settings.delimiter))
    except csv.Error as error:  # e.g. a field over the size limit: the file's fault, not a 500
        raise ImportFileError(
            Text("this file cannot be read as CSV: %(error)s", error=error)
        ) from None
    width = max(len(r) for r in table)
    # Banks put account details above the table: skip the rows before its first full-width row.
    settings.skip_rows = next((i for i, r in enumerate(table) if len(r) == width), 0)
    body = [r for r in table[settings.skip_rows :] if any(c.strip() for c in r)]
    first = [c.strip().lower() for c in body[0]]
    settings.has_header = not any(_looks_like_date(c) or _looks_like_amount(c) for c in first)
    header: list[str] = (
        body[0]
        if settings.has_header
        else [Text("Column %(number)s", number=i + 1) for i in range(width)]
    )
    sample = body[1:] if settings.has_header else body
    if settings.has_header:
        for role, words in HEADER_WORDS.items():
            for index, name in enumerate(first):
                named = any(w == name or w in name.split() for w in words)
                if named and getattr(settings, role) is None and index not in _taken(settings):
                    setattr(settings, role, index)
    columns = list(zip(*[r + [""] * (width - len(r)) for r in sample[:30]], strict=False))
    if settings.date is None:
        settings.date = next(
            (i for i, col in enumerate(columns) if all(map(_looks_like_date, col))), None
        )
    if settings.amount is None and settings.debit is None:
        settings.amount = next(
            (i for i, col in enumerate(columns) if i not in _taken(settings) and col
             and all(_looks_like_amount(v) for v in col if v)),
            None,
        )  # fmt: skip
    if settings.date is not None and columns:
        settings.date_format = guess_date_format([v for v in columns[settings.date] if v])
    money = [settings.amount, settings.debit, settings.credit]
    values = [v for i in money if i is not None and i < len(columns) for v in columns[i] if v]
    settings.decimal_comma = guess_decimal_comma(values)
    return CsvSniff(settings, header, [r for r in sample[:10]])


def _taken(settings: CsvSettings) -> set[int]:
    roles = ("date", "amount", "debit", "credit", "payee", "memo")
    return {getattr(settings, r) for r in roles if getattr(settings, r) is not None}


def _looks_like_date(text: str) -> bool:
    return any(_parses(text.strip(), f) for f in DATE_FORMATS)


def _looks_like_amount(text: str) -> bool:
    return bool(re.fullmatch(r"[-+(]?\s*[€$£]?\s*[\d.,\s]*\d[\d.,]*\)?-?\s*[€$£]?", text.strip()))


def _parses(text: str, date_format: str) -> bool:
    try:
        dt.datetime.strptime(text, date_format)
    except ValueError:
        return False
    return True


def guess_date_format(values: list[str]) -> str:
    """The first format every sample value parses with (day-first wins a tie, as most banks)."""
    for date_format in DATE_FORMATS:
        if values and all(_parses(v.strip(), date_format) for v in values):
            return date_format
    return DATE_FORMATS[0]


def parse(path: Path, settings: CsvSettings) -> Iterator[ParsedRow | RowProblem]:
    """Every data row as a ParsedRow, or a RowProblem naming its line."""
    if problems := settings.problems():
        raise ImportFileError(TextList(
            [Text("%(field)s: %(problem)s", field=k, problem=v) for k, v in problems.items()], "; "
        ))  # fmt: skip
    handle = _open(path, settings)
    dates: dict[str, dt.date] = {}
    try:
        rows = _rows(handle, settings.delimiter)
        rows = islice(rows, settings.skip_rows + (1 if settings.has_header else 0), None)
        for line, row in rows:
            if not "".join(row).strip():
                continue
            yield _row(line, row, settings, dates)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            Text(
                "the file is not valid %(encoding)s text (%(reason)s); choose its encoding",
                encoding=handle.encoding,
                reason=error.reason,
            )
        ) from None
    finally:
        handle.close()


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    cell = row[index]
    return (cell.replace("\x00", "") if "\x00" in cell else cell).strip()


def _row(
    line: int, row: list[str], s: CsvSettings, dates: dict[str, dt.date]
) -> ParsedRow | RowProblem:
    date_text = _cell(row, s.date)
    day = dates.get(date_text)
    if day is None:
        try:
            day = dt.datetime.strptime(date_text, s.date_format).date()
        except ValueError:
            return RowProblem(
                line,
                Text(
                    "%(value)r is not a date like %(format)s",
                    value=date_text or "(empty)",
                    format=s.date_format,
                ),  # fmt: skip
            )
        if len(dates) < 100_000:  # statements repeat dates: parse each once
            dates[date_text] = day
    try:
        if s.amount is not None:
            amount = parse_amount(_cell(row, s.amount), s.decimal_comma)
        else:
            debit, credit = _cell(row, s.debit), _cell(row, s.credit)
            if not debit and not credit:
                return RowProblem(line, Text("both debit and credit are empty"))
            amount = (parse_amount(credit, s.decimal_comma) if credit else Decimal(0)) - (
                abs(parse_amount(debit, s.decimal_comma)) if debit else Decimal(0)
            )
    except ValueError as error:
        return RowProblem(line, message_of(error))
    return ParsedRow(
        line,
        day,
        -amount if s.negate else amount,
        _cell(row, s.payee)[:200],
        _cell(row, s.memo)[:1000],
    )
