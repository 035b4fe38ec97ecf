"""Bank files (CSV with a column mapping, OFX 1.x/2.x, QIF) -> normalised rows with line numbers.

Plain Python: no Flask, no SQLAlchemy. Parsers stream where the format allows it, and report a
bad row as a `RowProblem` naming its line instead of stopping, so a preview can list them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class FileFormat(StrEnum):
    csv = "csv"
    ofx = "ofx"
    qif = "qif"


@dataclass(frozen=True, slots=True)
class ParsedRow:
    line: int
    date: dt.date
    amount: Decimal  # signed: money in is positive
    payee: str
    memo: str = ""
    fitid: str | None = None  # the bank's own transaction id (OFX)


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str


class ImportFileError(ValueError):
    """The whole file cannot be read; the message says what and, when known, where."""


BINARY_SIGNATURES = {
    b"MZ": "a Windows executable",
    b"\x7fELF": "a Linux executable",
    b"PK\x03\x04": "a zip archive",
    b"\x1f\x8b": "a gzip archive",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ": "an xz archive",
}


def detect_format(head: bytes) -> FileFormat:
    """Decide by content, never by the file name: an executable named .csv is refused here."""
    for signature, what in BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise ImportFileError(f"this file is {what}, not a bank statement")
    if b"\x00" in head[:4096]:
        raise ImportFileError("this is a binary file, not a bank statement (CSV, OFX or QIF)")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if text.startswith(b"OFXHEADER") or b"<OFX>" in text[:4096] or text.startswith(b"<?XML"):
        return FileFormat.ofx
    if text.startswith(b"!TYPE:") or text.startswith(b"!ACCOUNT") or text.startswith(b"!OPTION"):
        return FileFormat.qif
    return FileFormat.csv
