"""Firefly III's CSV export of transactions -> one statement per asset or liability account.

Each row is one journal: a withdrawal (from an asset account to an expense account, the
payee), a deposit (from a revenue account), a transfer between two of the person's accounts
(in another currency: its foreign amount is what arrived), an opening balance, or a
reconciliation. Journals of one group that leave or reach the same account are one split
transaction. Categories, tags, notes and the reconciled flag carry over; budgets have no place
here (budgets are amounts per category and month), so a budget is kept as a tag and the preview
says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from finance_tracker.domain.ledger import Cleared
from finance_tracker.domain.text import Text, message_of
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
from finance_tracker.importers.text import detect_encoding

HEADER_START = ("user_id", "group_id", "journal_id")
REQUIRED = ("group_id", "journal_id", "type", "currency_code", "amount", "description", "date",
            "source_name", "source_type", "destination_name", "destination_type")  # fmt: skip
# Firefly III's account types of the person's own accounts, and the kind of account here.
OWN_TYPES = {"asset account": None, "default account": None, "cash account": "cash",
             "loan": "loan", "debt": "loan", "mortgage": "loan", "liability credit": "loan",
             "credit card": "credit_card"}  # fmt: skip
Row = dict[str, str]


def looks_like(head: bytes) -> bool:
    first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
    cells = [c.strip().strip('"').casefold() for c in first.split(",")]
    return tuple(cells[:3]) == HEADER_START


def parse(path: Path) -> ParsedFile:
    text = path.read_text(encoding=detect_encoding(path))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFileError(
            Text("line 1: this is not a Firefly III export: it lacks %(columns)s",
                 columns=", ".join(missing))
        )  # fmt: skip
    groups: dict[str, list[tuple[int, Row]]] = defaultdict(list)
    for row in reader:
        groups[row["group_id"]].append((reader.line_num, row))
    if not groups:
        raise ImportFileError(Text("the Firefly III export has no transactions"))
    statements = _accounts(groups)
    for rows in groups.values():
        for record, account in _records(rows):
            records = statements[account].records
            assert isinstance(records, list)
            records.append(record)
    parsed = ParsedFile([s for s in statements.values()])
    budgets = sorted({r["budget"] for rows in groups.values() for _, r in rows if r.get("budget")})
    if budgets:
        parsed.notes.append(
            Text('Firefly III\'s budgets (%(budgets)s) are kept as tags "budget: …": budgets '
                 "here are amounts per category and month.", budgets=", ".join(budgets))
        )  # fmt: skip
    return parsed


def _is_own(row: Row, side: str) -> bool:
    return row[f"{side}_type"].strip().casefold() in OWN_TYPES


def _accounts(groups: dict[str, list[tuple[int, Row]]]) -> dict[str, Statement]:
    """Every account of the person's the export names, with its currency and kind; a
    transfer's destination is one even when nothing else happened in it."""
    found: dict[str, Statement] = {}
    for rows in groups.values():
        for _, row in rows:
            for side in ("source", "destination"):
                if not _is_own(row, side):
                    continue
                foreign = row.get("foreign_currency_code", "").strip()
                arriving = side == "destination" and row["type"].casefold() == "transfer"
                currency = (foreign if arriving and foreign else row["currency_code"]).upper()
                kind = OWN_TYPES[row[f"{side}_type"].strip().casefold()]
                statement = found.setdefault(
                    row[f"{side}_name"],
                    Statement("account", row[f"{side}_name"], None, [], account_type=kind),
                )
                statement.currency = statement.currency or currency.strip() or None
    return found


def _owner(row: Row) -> str:
    """The account whose statement a journal goes into: where the money left, or arrived."""
    return row["source_name"] if _is_own(row, "source") else row["destination_name"]


def _records(rows: list[tuple[int, Row]]) -> list[tuple[Record, str]]:
    """A group's journals: one split transaction when they all withdraw from, or all deposit
    into, one account; otherwise one record per journal."""
    kinds = {r["type"].casefold() for _, r in rows}
    owners = {_owner(r) for _, r in rows}
    if len(rows) > 1 and len(owners) == 1 and kinds in ({"withdrawal"}, {"deposit"}):
        return [(_split(rows), owners.pop())]
    return [(_journal(line, row), _owner(row)) for line, row in rows]


def _number(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(Text("%(value)r is not an amount", value=text.strip()[:30])) from None


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ValueError(Text("%(value)r is not a date", value=text.strip()[:30])) from None


def _journal(line: int, row: Row) -> Record:
    kind = row["type"].strip().casefold()
    try:
        day, amount = _day(row["date"]), abs(_number(row["amount"]))
        foreign = row.get("foreign_amount", "").strip()
        received = abs(_number(foreign)) if foreign else None
    except ValueError as error:
        return RowProblem(line, Text(
            "journal %(id)s: %(message)s", id=row["journal_id"], message=message_of(error)
        ))  # fmt: skip
    leaves = _is_own(row, "source")  # money leaves the account the record goes into

    base = ParsedRow(
        line, day, -amount if leaves else amount, "", _memo(row),
        f"firefly:{row['journal_id']}", _cleared(row), tags=_tags(row),
    )  # fmt: skip
    category = row.get("category", "")
    if kind == "withdrawal":
        return replace(base, payee=row["destination_name"][:200], category=category)
    if kind == "deposit":
        return replace(base, payee=row["source_name"][:200], category=category)
    if kind == "transfer":
        return replace(base, payee=row["description"][:200], transfer=row["destination_name"],
                       transfer_amount=received)  # fmt: skip
    if kind == "opening balance":
        return replace(base, payee="Opening balance", opening=True)
    if kind == "reconciliation":
        return replace(base, payee=(row["description"] or "Reconciliation")[:200])
    return SkippedRecord(
        line, row["type"], Text("a kind of Firefly III transaction not known here")
    )


def _split(rows: list[tuple[int, Row]]) -> Record:
    first_line, first = rows[0]
    sign = 1 if first["type"].casefold() == "deposit" else -1
    try:
        day = _day(first["date"])
        shares = [(sign * abs(_number(r["amount"])), r) for _, r in rows]
    except ValueError as error:
        return RowProblem(first_line, Text(
            "group %(id)s: %(message)s", id=first["group_id"], message=message_of(error)
        ))  # fmt: skip
    payee = first["source_name" if sign > 0 else "destination_name"]
    lines = tuple(
        ParsedSplit(share, category=row.get("category", ""), memo=row["description"])
        for share, row in shares
    )
    return ParsedRow(
        first_line, day, sum((line.amount for line in lines), Decimal(0)), payee[:200],
        first.get("group_title") or first["description"], f"firefly:group:{first['group_id']}",
        _cleared(first), tags=tuple(dict.fromkeys(t for _, r in rows for t in _tags(r))),
        splits=lines,
    )  # fmt: skip


def _memo(row: Row) -> str:
    notes = " ".join(row.get("notes", "").split())
    return " · ".join(p for p in (row["description"], notes) if p)[:1000]


def _tags(row: Row) -> tuple[str, ...]:
    tags = [t.strip() for t in row.get("tags", "").split(",") if t.strip()]
    if row.get("budget"):
        tags.append(f"budget: {row['budget']}")
    return tuple(tags)


def _cleared(row: Row) -> Cleared:
    reconciled = row.get("reconciled", "").strip().casefold() in ("1", "true", "yes")
    return Cleared.reconciled if reconciled else Cleared.cleared
