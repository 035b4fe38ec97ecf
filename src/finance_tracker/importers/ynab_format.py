"""YNAB's plan export: the register (every transaction of every account) and the budget (what
was assigned to each category each month), as the zip YNAB gives or as one of its CSV files.

Register columns: Account, Flag, Date, Payee, Category Group/Category, Category Group,
Category, Memo, Outflow, Inflow, Cleared. A transfer's payee is "Transfer : <account>" (both
sides are in the register: the second adds nothing); a split's lines are consecutive rows whose
memo starts "Split (1/3)"; "Starting Balance" opens an account; money into "Ready to Assign"
(or the older "To be Budgeted") is income. Dates and amounts follow the plan's own formats,
decided once for the whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import replace
from decimal import Decimal

from finance_tracker.domain.ledger import Cleared
from finance_tracker.domain.text import Text, message_of
from finance_tracker.importers import (
    ImportFileError,
    ParsedBudget,
    ParsedFile,
    ParsedRow,
    ParsedSplit,
    Record,
    RowProblem,
    Statement,
)
from finance_tracker.importers.amounts import guess_decimal_comma, parse_amount

REGISTER = ("account", "flag", "date", "payee", "category group/category", "category group",
            "category", "memo", "outflow", "inflow", "cleared")  # fmt: skip
BUDGET = ("month", "category group/category", "category group", "category")
DATE_FORMATS = ("%m/%d/%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%Y")
INCOME = ("ready to assign", "to be budgeted", "inflow")
_TRANSFER = re.compile(r"^Transfer\s*:\s*(.+)$")
_SPLIT = re.compile(r"^Split \((\d+)/(\d+)\)\s*")
CLEARED = {"cleared": Cleared.cleared, "reconciled": Cleared.reconciled}


def kind_of(text: str) -> str | None:
    """ "register" or "budget" by the header, else None."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    cells = tuple(c.strip().strip('"').casefold() for c in first.split(","))
    if cells[: len(REGISTER)] == REGISTER:
        return "register"
    if cells[: len(BUDGET)] == BUDGET:
        return "budget"
    return None


def parse(files: dict[str, str]) -> ParsedFile:
    """`files`: the text of each CSV of the export, by its name."""
    register = [t for t in files.values() if kind_of(t) == "register"]
    budget = [t for t in files.values() if kind_of(t) == "budget"]
    if not register and not budget:
        raise ImportFileError(Text("this is not a YNAB export: it has no Register or Budget file"))
    parsed = ParsedFile(_register(register[0]) if register else [])
    if budget:
        parsed.budgets = _budget(budget[0])
    if not parsed.statements and not parsed.budgets:
        raise ImportFileError(Text("the YNAB export has no transactions and no budget"))
    return parsed


def _rows(text: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    reader.fieldnames = [f.strip() for f in reader.fieldnames or []]
    return [(reader.line_num, {k: (v or "").strip() for k, v in r.items() if k}) for r in reader]


def _date_format(values: list[str]) -> str:
    for date_format in DATE_FORMATS:
        try:
            for value in values:
                dt.datetime.strptime(value, date_format)
        except ValueError:
            continue
        return date_format
    return DATE_FORMATS[0]


def _register(text: str) -> list[Statement]:
    rows = _rows(text)
    date_format = _date_format([r["Date"] for _, r in rows if r.get("Date")])
    comma = guess_decimal_comma([r[c] for _, r in rows for c in ("Outflow", "Inflow") if r.get(c)])
    statements: dict[str, Statement] = {}
    pending: list[tuple[int, dict[str, str]]] = []  # the lines of a split so far

    def add(account: str, record: Record) -> None:
        statement = statements.setdefault(account, Statement("account", account, None, []))
        assert isinstance(statement.records, list)
        statement.records.append(record)

    for line, row in rows:
        split = _SPLIT.match(row.get("Memo", ""))
        if split:
            pending.append((line, row))
            if split.group(1) == split.group(2):
                add(row["Account"], _split(pending, date_format, comma))
                pending = []
            continue
        if pending:  # a split whose last line never came
            add(pending[0][1]["Account"], _split(pending, date_format, comma))
            pending = []
        add(row["Account"], _row(line, row, date_format, comma))
    if pending:
        add(pending[0][1]["Account"], _split(pending, date_format, comma))
    return list(statements.values())


def _amount(row: dict[str, str], comma: bool) -> Decimal:
    inflow = parse_amount(row["Inflow"], comma) if row.get("Inflow") else Decimal(0)
    outflow = parse_amount(row["Outflow"], comma) if row.get("Outflow") else Decimal(0)
    return abs(inflow) - abs(outflow)


def _category(row: dict[str, str]) -> str:
    group, category = row.get("Category Group", ""), row.get("Category", "")
    if group.casefold() == "inflow" or category.casefold() in INCOME:
        return "Income"
    return ":".join(p for p in (group, category) if p)


def _row(line: int, row: dict[str, str], date_format: str, comma: bool) -> Record:
    try:
        day = dt.datetime.strptime(row["Date"], date_format).date()
        amount = _amount(row, comma)
    except ValueError as error:
        return RowProblem(line, Text(
            "%(date)r or the amount cannot be read: %(message)s", date=row.get("Date"),
            message=message_of(error),
        ))  # fmt: skip
    payee = row.get("Payee", "")
    transfer = _TRANSFER.match(payee)
    flag = row.get("Flag", "")
    base = ParsedRow(
        line, day, amount, payee[:200], row.get("Memo", ""),
        cleared=CLEARED.get(row.get("Cleared", "").casefold(), Cleared.uncleared),
        tags=(f"flag {flag.casefold()}",) if flag else (),
    )  # fmt: skip
    if payee.casefold() == "starting balance":
        return replace(base, payee="Starting balance", opening=True)
    if transfer:
        return replace(base, transfer=transfer.group(1).strip())
    return replace(base, category=_category(row))


def _split(lines: list[tuple[int, dict[str, str]]], date_format: str, comma: bool) -> Record:
    first_line, first = lines[0]
    try:
        day = dt.datetime.strptime(first["Date"], date_format).date()
        shares = [(_amount(row, comma), row) for _, row in lines]
    except ValueError as error:
        problem = Text("a split's line cannot be read: %(message)s", message=message_of(error))
        return RowProblem(first_line, problem)
    splits = []
    for share, row in shares:
        memo = _SPLIT.sub("", row.get("Memo", ""))
        transfer = _TRANSFER.match(row.get("Payee", ""))
        splits.append(ParsedSplit(share, category="" if transfer else _category(row),
                                  transfer=transfer.group(1).strip() if transfer else "",
                                  memo=memo))  # fmt: skip
    payee = next((r["Payee"] for _, r in lines if not _TRANSFER.match(r.get("Payee", ""))), "")
    return ParsedRow(
        first_line, day, sum((s.amount for s in splits), Decimal(0)), payee[:200], "",
        cleared=CLEARED.get(first.get("Cleared", "").casefold(), Cleared.uncleared),
        splits=tuple(splits),
    )  # fmt: skip


def _budget(text: str) -> list[ParsedBudget]:
    rows = _rows(text)
    amounts = [r.get("Assigned") or r.get("Budgeted") or "" for _, r in rows]
    comma = guess_decimal_comma([a for a in amounts if a])
    budgets = []
    for (line, row), amount_text in zip(rows, amounts, strict=True):
        if row.get("Category Group", "").casefold() in ("inflow", "credit card payments"):
            continue
        try:
            month = dt.datetime.strptime(row["Month"], "%b %Y").date()
            amount = parse_amount(amount_text, comma) if amount_text else Decimal(0)
        except ValueError:
            raise ImportFileError(
                Text("line %(line)s of the budget: %(month)r or %(amount)r cannot be read (a "
                     "month like Dec 2026, an amount)", line=line, month=row.get("Month"),
                     amount=amount_text)
            ) from None  # fmt: skip
        if amount:
            budgets.append(ParsedBudget(line, month, _category(row), amount))
    return budgets
