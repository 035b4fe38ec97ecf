"""QIF files from banks and from Quicken -> statements; each transaction read by quiffen.

quiffen reads a transaction's fields well (categories and their classes, transfers, splits),
but parses a file all or nothing, without line numbers, guesses each date on its own (so
03/10 and 25/10 in one file may be read in different orders) and drops a decimal comma
(`1.234,56` becomes 1.23456). So the file's structure is walked here: headers, account blocks,
lists and records, each with its line; the date order and the decimal mark are decided once
for the whole file; each record's D and T/U/$ fields are rewritten in plain form before quiffen
reads the record; a record quiffen refuses is an invalid row, not a refused file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from finance_tracker.domain.ledger import Cleared
from finance_tracker.domain.text import N_, Text
from finance_tracker.importers import (
    ImportFileError,
    ParsedFile,
    ParsedRow,
    ParsedSplit,
    Record,
    RowProblem,
    SkippedRecord,
    Statement,
)
from finance_tracker.importers.amounts import guess_decimal_comma, parse_amount
from finance_tracker.importers.text import detect_encoding

TRANSACTION_BLOCKS = {"bank", "cash", "ccard", "oth a", "oth l", "invoice"}
SKIPPED_BLOCKS = {
    "invst": (N_("investment"), N_("investment transactions are not imported from QIF: this "
                                   "tracker records cash, not holdings")),
    "memorized": (N_("memorised"), N_("a memorised transaction is a template Quicken fills in, "
                                      "not a transaction")),
}  # fmt: skip
LISTS = {"cat": "categories", "class": "classes", "security": "securities", "prices": "prices",
         "account": "accounts", "tag": "tags", "budget": "budgets"}  # fmt: skip
CLEARED = {"*": Cleared.cleared, "C": Cleared.cleared, "X": Cleared.reconciled,
           "R": Cleared.reconciled}  # fmt: skip
_DATE = re.compile(r"(\d{1,4})([/.\-])(\d{1,2})(['/.\-])(\d{1,4})")
_AMOUNT_CODES = ("T", "U", "$")
_UNKNOWN_CODE = re.compile(r"Unknown line code: (.)")


@dataclass
class _Record:
    block: str
    fields: list[tuple[int, str]]  # (line, text) for each field line

    @property
    def line(self) -> int:
        return self.fields[0][0]

    def values(self, code: str) -> list[tuple[int, str]]:
        return [(n, text[1:].strip()) for n, text in self.fields if text[:1] == code]


@dataclass
class _Stretch:
    """The records between one account header and the next."""

    account: str
    records: list[_Record] = field(default_factory=list)


def parse(path: Path) -> ParsedFile:
    encoding = detect_encoding(path)
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError:
        raise ImportFileError(
            Text("the file is not valid %(encoding)s text", encoding=encoding)
        ) from None
    stretches, lists = _walk(text.splitlines())
    records = [r for s in stretches for r in s.records if r.block in TRANSACTION_BLOCKS]
    order = _date_order([v for r in records for _, v in r.values("D")])
    decimal_comma = guess_decimal_comma(
        [v for r in records for code in _AMOUNT_CODES for _, v in r.values(code)]
    )
    parsed = ParsedFile(
        [
            Statement("qif", s.account, None, _statement_records(s, order, decimal_comma))
            for s in stretches
            if s.records
        ],
        lists=lists,
    )
    if not parsed.statements:
        if lists:
            raise ImportFileError(
                Text(
                    "the QIF file holds only lists (%(lists)s), no transactions",
                    lists=parsed.lists_text,
                )
            )
        raise ImportFileError(Text("the QIF file has no transactions"))
    return parsed


def _walk(lines: list[str]) -> tuple[list[_Stretch], dict[str, int]]:
    """Headers, account blocks and records, each field with its line number."""
    stretches: list[_Stretch] = []
    lists: dict[str, int] = {}
    block = ""
    account_list = False  # between !Option:AutoSwitch and !Clear:AutoSwitch
    next_account: str | None = None  # named by the last !Account header
    fields: list[tuple[int, str]] = []

    def finish() -> None:
        nonlocal next_account
        if not fields:
            return
        record = _Record(block, list(fields))
        fields.clear()
        if block == "account" and not account_list:
            next_account = (record.values("N") or [(0, "")])[0][1]
        elif block in TRANSACTION_BLOCKS or block in SKIPPED_BLOCKS:
            if next_account is not None or not stretches:
                stretches.append(_Stretch(next_account or ""))
                next_account = None
            stretches[-1].records.append(record)
        else:
            name = LISTS.get(block, f"!Type:{block} entries")
            lists[name] = lists.get(name, 0) + 1

    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("!"):
            finish()
            header = text[1:].strip().lower()
            if header.startswith("option:autoswitch"):
                account_list = True
            elif header.startswith("clear:autoswitch"):
                account_list = False
            elif header.startswith("account"):
                block = "account"
            elif header.startswith("type:"):
                block = " ".join(header[5:].split())
            elif not header.startswith(("option:", "clear:")):
                raise ImportFileError(
                    Text(
                        "line %(number)s: %(text)r is not a QIF header",
                        number=number,
                        text=text[:40],
                    )
                )
            continue
        if text == "^":
            finish()
        elif not block:
            raise ImportFileError(
                Text(
                    "line %(number)s: a QIF file starts with a header like !Type:Bank, "
                    "not %(text)r",
                    number=number,
                    text=text[:40],
                )
            )
        else:
            fields.append((number, text))
    finish()  # a last record without its closing ^
    return stretches, lists


def _parts(text: str) -> tuple[str, int, int, int] | None:
    """'10/ 3'26' -> ('/', 10, 3, 2026): first separator, the two day/month numbers, the year.
    Quicken writes years from 2000 with an apostrophe; other two-digit years pivot at 70."""
    match = _DATE.fullmatch(text.replace(" ", ""))
    if not match:
        return None
    first, separator, second, year_mark, year_text = match.groups()
    if len(first) == 4:  # 2026-10-03
        return "iso", int(second), int(year_text), int(first)
    year = int(year_text)
    if len(year_text) <= 2:
        year += 2000 if year_mark == "'" or year < 70 else 1900
    return separator, int(first), int(second), year


def _day(text: str, day_first: bool) -> dt.date | None:
    parts = _parts(text)
    if parts is None:
        return None
    separator, first, second, year = parts
    month, day = (second, first) if day_first and separator != "iso" else (first, second)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_order(values: list[str]) -> bool:
    """Whether the file writes the day first: the order every date parses in; if both do, a
    dotted date (25.10.2026) is day first and a slashed one month first, as Quicken writes."""
    month_first = sum(_day(v, False) is not None for v in values)
    day_first = sum(_day(v, True) is not None for v in values)
    if month_first != day_first:
        return day_first > month_first
    dotted = sum((_parts(v) or ("",))[0] == "." for v in values)
    return dotted * 2 > len(values)


def _statement_records(stretch: _Stretch, day_first: bool, decimal_comma: bool) -> list[Record]:
    # A bank's own download never says what is cleared: its rows are reconciled by definition.
    says_cleared = any(r.values("C") for r in stretch.records if r.block in TRANSACTION_BLOCKS)
    records: list[Record] = []
    for record in stretch.records:
        if record.block in SKIPPED_BLOCKS:
            kind, reason = SKIPPED_BLOCKS[record.block]
            records.append(SkippedRecord(record.line, Text(kind), Text(reason)))
        else:
            records.append(_transaction(record, day_first, decimal_comma, says_cleared))
    return records


def _transaction(
    record: _Record, day_first: bool, decimal_comma: bool, says_cleared: bool
) -> ParsedRow | RowProblem:
    from quiffen.core.transaction import Transaction  # heavy: only when a QIF file arrives

    dates = record.values("D")
    if not dates:
        return RowProblem(record.line, Text("the transaction has no date (a D line)"))
    day = _day(dates[0][1], day_first)
    if day is None:
        order = Text("day/month/year") if day_first else Text("month/day/year")
        return RowProblem(
            dates[0][0],
            Text("the date %(date)r is not a date in %(order)s order", date=dates[0][1],
                 order=order),
        )  # fmt: skip
    plain: list[str] = []
    amounts: dict[int, Decimal] = {}
    for number, text in record.fields:
        code = text[:1]
        if code in _AMOUNT_CODES:
            try:
                amounts[number] = parse_amount(text[1:], decimal_comma)
            except ValueError:
                return RowProblem(
                    number, Text("the amount %(text)r is not an amount", text=text[1:])
                )
            text = code + str(amounts[number])
        elif code == "D":
            text = "D" + day.isoformat()
        plain.append(text)
    if not record.values("T") and not record.values("U"):
        return RowProblem(record.line, Text("the transaction has no amount (a T line)"))
    split_amounts = [amounts[n] for n, _ in record.values("$")]
    total = amounts[(record.values("T") or record.values("U"))[0][0]]
    if split_amounts and sum(split_amounts) != total:
        return RowProblem(
            (record.values("S") or [(record.line, "")])[0][0],
            Text(
                "the split lines add up to %(sum)s, not to the amount %(total)s",
                sum=sum(split_amounts),
                total=total,
            ),
        )
    try:
        parsed, classes = Transaction.from_list(plain)
    except Exception as error:  # noqa: BLE001 - quiffen raises ValueError and pydantic errors
        return RowProblem(*_refusal(record, error))
    flag = (parsed.cleared or "").strip().upper()[:1]
    cleared = CLEARED.get(flag, Cleared.uncleared) if says_cleared else Cleared.reconciled
    check = f"check {parsed.check_number}" if parsed.check_number else ""
    memo = " · ".join(part for part in (parsed.memo or "", check) if part)
    return ParsedRow(
        record.line, day, total, (parsed.payee or "")[:200], memo[:1000], None, cleared,
        parsed.category.hierarchy if parsed.category else "", parsed.to_account or "",
        tuple(sorted(classes)),
        tuple(
            ParsedSplit(
                split.amount or Decimal(0),
                split.category.hierarchy if split.category else "",
                split.to_account or "",
                split.memo or "",
            )
            for split in parsed.splits
        ),
    )  # fmt: skip


def _refusal(record: _Record, error: Exception) -> tuple[int, str]:
    unknown = _UNKNOWN_CODE.search(str(error))
    if unknown:
        code = unknown.group(1)
        line, text = next((n, t) for n, t in record.fields if t.startswith(code))
        return line, Text("unknown QIF field %(code)r in %(text)r", code=code, text=text[:40])
    return record.line, Text("this record cannot be read as a QIF transaction")
