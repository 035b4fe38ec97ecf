"""OFX/QFX 1.x (SGML) and 2.x (XML) statements, parsed by ofxtools."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from finance_tracker.importers import ImportFileError, ParsedRow, RowProblem

_CLOSING = re.compile(rb"</OFX>\s*$", re.IGNORECASE)


def parse(path: Path) -> Iterator[ParsedRow | RowProblem]:
    """Statement transactions in file order. The date is the bank's own posting date (the first
    8 digits of DTPOSTED), not that instant moved to UTC, which could be the day before."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 64))
        if not _CLOSING.search(handle.read()):
            raise ImportFileError("the OFX file is truncated: it does not end with </OFX>")
    from ofxtools.Parser import OFXTree  # heavy: imported when an OFX file arrives, not at start

    tree = OFXTree()
    try:
        tree.parse(str(path))
    except Exception as error:  # noqa: BLE001 - ofxtools raises many kinds; all mean "unreadable"
        raise ImportFileError(f"not a readable OFX file: {_first_line(error)}") from None
    root = tree.getroot()
    if root is None:
        raise ImportFileError("not a readable OFX file")
    found = False
    for index, element in enumerate(root.iter("STMTTRN"), start=1):
        found = True
        yield _row(index, element)
    if not found:
        raise ImportFileError("the OFX file has no bank or card statement transactions")


def _text(element, tag: str) -> str:  # type: ignore[no-untyped-def]
    child = element.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _row(index: int, element) -> ParsedRow | RowProblem:  # type: ignore[no-untyped-def]
    # OFX has no useful line numbers after SGML parsing: number transactions instead.
    posted = _text(element, "DTPOSTED")
    try:
        day = dt.datetime.strptime(posted[:8], "%Y%m%d").date()
    except ValueError:
        return RowProblem(index, f"transaction {index}: {posted or '(empty)'!r} is not an OFX date")
    raw_amount = _text(element, "TRNAMT").replace(",", ".")
    try:
        amount = Decimal(raw_amount)
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return RowProblem(
            index, f"transaction {index}: {raw_amount or '(empty)'!r} is not an amount"
        )
    payee = _text(element, "NAME") or _text(element, "PAYEE") or _text(element, "MEMO")
    return ParsedRow(
        index,
        day,
        amount,
        payee[:200],
        _text(element, "MEMO")[:1000],
        _text(element, "FITID") or None,
    )


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
