"""QIF bank and card exports, parsed by quiffen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from finance_tracker.importers import ImportFileError, ParsedRow, RowProblem
from finance_tracker.importers.text import detect_encoding

_UNKNOWN_CODE = re.compile(r"Unknown line code: (.)")


def parse(path: Path, day_first: bool | None = None) -> Iterator[ParsedRow | RowProblem]:
    """`day_first` None tries month-first (the QIF default) and then day-first."""
    import quiffen  # heavy: imported when a QIF file arrives, not at start

    encoding = detect_encoding(path)
    text = path.read_text(encoding=encoding)
    attempts = [day_first] if day_first is not None else [False, True]
    last_error: Exception | None = None
    for order in attempts:
        try:
            qif = quiffen.Qif.parse_string(text.replace("\r\n", "\n"), day_first=order)
            break
        except Exception as error:  # noqa: BLE001 - quiffen raises ValueError and friends
            last_error = error
    else:
        raise ImportFileError(_explain(text, last_error)) from None
    number = 0
    for account in qif.accounts.values():
        for transactions in account.transactions.values():
            for transaction in transactions:
                number += 1
                if transaction.amount is None or transaction.date is None:
                    yield RowProblem(number, f"transaction {number}: no date or amount")
                    continue
                yield ParsedRow(
                    number, transaction.date.date(), transaction.amount,
                    (transaction.payee or "")[:200], (transaction.memo or "")[:1000],
                )  # fmt: skip
    if number == 0:
        raise ImportFileError("the QIF file has no transactions")


def _explain(text: str, error: Exception | None) -> str:
    """quiffen's errors name the problem but not the line: find the line ourselves."""
    message = str(error).splitlines()[0] if error else "unreadable"
    unknown = _UNKNOWN_CODE.search(message)
    if unknown:
        code = unknown.group(1)
        for number, line in enumerate(text.splitlines(), start=1):
            if line.startswith(code) and not line.startswith("!"):
                return f"line {number}: unknown QIF field {code!r} in {line[:40]!r}"
    return f"not a readable QIF file: {message[:200]}"
