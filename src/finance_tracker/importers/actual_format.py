"""Actual Budget's export: a zip with its SQLite database (db.sqlite) and metadata.json.

Read with the standard library's sqlite3, opened read-only from a copy outside the upload
folder. Amounts are whole cents, dates YYYYMMDD numbers. A transaction's payee and category go
through Actual's mapping tables (a payee or category merged into another, or deleted with its
transactions moved, maps to where they went); a category deleted without a mapping keeps its
last name. Transfers are a payee of an account's own (both sides are in the file: the second
adds nothing); splits are a parent with child rows; the starting balance opens the account.
Deleted transactions (tombstones) are not part of the history. Budgets come from zero_budgets
(envelope budgeting) or reflect_budgets (report budgeting).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from finance_tracker.domain.ledger import Cleared
from finance_tracker.domain.text import Plural, Text
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

NEEDED = {"accounts", "transactions", "payees", "categories", "category_groups"}


def parse(database: Path, metadata: dict) -> ParsedFile:
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    except sqlite3.Error:
        raise ImportFileError(
            Text("the Actual Budget export's database cannot be opened")
        ) from None
    try:
        connection.row_factory = sqlite3.Row
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        missing = NEEDED - tables
        if missing:
            raise ImportFileError(Plural(
                "this is not an Actual Budget database: it has no %(tables)s table",
                "this is not an Actual Budget database: it has no %(tables)s tables",
                len(missing), tables=", ".join(sorted(missing)),
            ))  # fmt: skip
        return _read(connection, tables, metadata)
    except sqlite3.DatabaseError as error:
        raise ImportFileError(
            Text("the Actual Budget database is damaged: %(error)s", error=str(error))
        ) from None
    finally:
        connection.close()


def _mapping(connection: sqlite3.Connection, tables: set[str], table: str, column: str) -> dict:
    if table not in tables:
        return {}
    return {r[0]: r[1] for r in connection.execute(f"SELECT id, {column} FROM {table}")}  # noqa: S608


def _read(connection: sqlite3.Connection, tables: set[str], metadata: dict) -> ParsedFile:
    accounts = {
        r["id"]: r["name"]
        for r in connection.execute(
            "SELECT id, name FROM accounts WHERE tombstone = 0 ORDER BY sort_order, name"
        )
    }
    payees = {r["id"]: r for r in connection.execute("SELECT * FROM payees")}
    payee_map = _mapping(connection, tables, "payee_mapping", "targetId")
    category_map = _mapping(connection, tables, "category_mapping", "transferId")
    groups = {r["id"]: r for r in connection.execute("SELECT * FROM category_groups")}
    categories = {r["id"]: r for r in connection.execute("SELECT * FROM categories")}
    deleted: set[str] = set()

    def category(category_id: str | None) -> str:
        if not category_id:
            return ""
        row = categories.get(category_map.get(category_id, category_id))
        if row is None:
            return ""
        if row["tombstone"]:
            deleted.add(row["name"])
        group = groups.get(row["cat_group"])
        if row["is_income"] or (group is not None and group["is_income"]):
            return f"Income:{row['name']}"
        return f"{group['name']}:{row['name']}" if group is not None else row["name"]

    def payee(payee_id: str | None) -> tuple[str, str]:
        """The payee's name, and the account it is when it is a transfer."""
        row = payees.get(payee_map.get(payee_id, payee_id)) if payee_id else None
        if row is None:
            return "", ""
        transfer = accounts.get(row["transfer_acct"] or "", "")
        return (row["name"] or "", transfer)

    transactions = list(connection.execute(
        "SELECT * FROM transactions WHERE tombstone = 0 ORDER BY date, sort_order DESC, id"
    ))  # fmt: skip
    children: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for row in sorted(transactions, key=lambda r: r["sort_order"] or 0):  # as entered
        if row["isChild"]:
            children[row["parent_id"]].append(row)
    # in Actual's own order of the accounts
    statements = {name: Statement("account", name, None, []) for name in accounts.values()}
    for number, row in enumerate(transactions, start=1):
        if row["isChild"] or row["acct"] not in accounts:
            continue
        name = accounts[row["acct"]]
        statement = statements.setdefault(name, Statement("account", name, None, []))
        assert isinstance(statement.records, list)
        statement.records.append(_record(number, row, children.get(row["id"], []), category, payee))
    parsed = ParsedFile(list(statements.values()), budgets=_budgets(connection, tables, category))
    if deleted:
        parsed.notes.append(
            Text("Categories deleted in Actual and still used by transactions keep their last "
                 "name here: %(categories)s.", categories=", ".join(sorted(deleted)))
        )  # fmt: skip
    budget_name = metadata.get("budgetName")
    if budget_name:
        parsed.notes.insert(0, Text("Actual Budget file “%(name)s”.", name=str(budget_name)[:80]))
    return parsed


def _day(value: int) -> dt.date:
    return dt.date(value // 10000, value // 100 % 100, value % 100)


def _cents(value: int | None) -> Decimal:
    return Decimal(value or 0).scaleb(-2)


def _record(number, row, lines, category, payee) -> Record:  # type: ignore[no-untyped-def]
    try:
        day = _day(int(row["date"]))
    except (TypeError, ValueError):
        return RowProblem(number, Text(
            "transaction %(id)s: %(date)r is not a date", id=row["id"], date=row["date"]
        ))  # fmt: skip
    name, transfer = payee(row["description"])
    cleared = (
        Cleared.reconciled if row["reconciled"] else
        Cleared.cleared if row["cleared"] else Cleared.uncleared
    )  # fmt: skip
    base = ParsedRow(
        number, day, _cents(row["amount"]), name[:200], (row["notes"] or "")[:1000],
        f"actual:{row['id']}", cleared,
    )  # fmt: skip
    if row["starting_balance_flag"]:
        return replace(base, opening=True)
    if row["isParent"] and lines:
        splits = []
        for line in lines:
            _name, line_transfer = payee(line["description"])
            line_category = "" if line_transfer else category(line["category"])
            splits.append(ParsedSplit(
                _cents(line["amount"]), category=line_category, transfer=line_transfer,
                memo=(line["notes"] or "")[:1000],
            ))  # fmt: skip
        return replace(base, splits=tuple(splits))
    if transfer:
        return replace(base, transfer=transfer)
    return replace(base, category=category(row["category"]))


def _budgets(connection: sqlite3.Connection, tables: set[str], category) -> list[ParsedBudget]:  # type: ignore[no-untyped-def]
    budgets = []
    for table in ("zero_budgets", "reflect_budgets"):
        if table not in tables:
            continue
        columns = {r[1] for r in connection.execute(f"PRAGMA table_info({table})")}
        if not {"month", "category", "amount"} <= columns:
            continue
        for number, row in enumerate(
            connection.execute(f"SELECT month, category, amount FROM {table} ORDER BY month"),  # noqa: S608
            start=1,
        ):
            path = category(row["category"])
            if row["amount"] and path and not path.startswith("Income:"):
                month = dt.date(row["month"] // 100, row["month"] % 100, 1)
                budgets.append(ParsedBudget(number, month, path, _cents(row["amount"])))
        if budgets:
            break
    return budgets


def metadata_of(text: bytes) -> dict:
    try:
        value = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ImportFileError(
            Text("the Actual Budget export's metadata.json is not JSON")
        ) from None
    return value if isinstance(value, dict) else {}
