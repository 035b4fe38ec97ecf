"""Bank files (CSV with a column mapping, OFX 1.x/2.x, QIF) -> statements of normalised rows.

Plain Python: no Flask, no SQLAlchemy. A file holds one or more statements (an OFX download can
carry a checking and a card account; a Quicken export one block per account). Every record of a
statement comes out as exactly one of: a `ParsedRow`, a `RowProblem` naming its line and what is
wrong, or a `SkippedRecord` saying why it is not imported (an investment trade, a position, a
memorised transaction). So a preview can account for every record the file holds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from finance_tracker.domain.ledger import Cleared
from finance_tracker.domain.text import Plural, Text, TextList


class FileFormat(StrEnum):
    csv = "csv"
    ofx = "ofx"
    qif = "qif"
    # Moving in from another tracker: the whole history, every account.
    firefly = "firefly"  # Firefly III's CSV export of transactions
    ynab = "ynab"  # YNAB's plan export: the register and budget CSV files (a zip, or one of them)
    actual = "actual"  # Actual Budget's export: a zip with its SQLite database
    beancount = "beancount"  # a beancount ledger
    ledger = "ledger"  # an hledger or ledger journal (the common subset)

    @property
    def moves_in(self) -> bool:
        """A whole tracker's history (every account), not one account's bank statement."""
        return self not in (FileFormat.csv, FileFormat.ofx, FileFormat.qif)


SOURCE_NAMES = {
    FileFormat.csv: "CSV", FileFormat.ofx: "OFX", FileFormat.qif: "QIF",
    FileFormat.firefly: "Firefly III", FileFormat.ynab: "YNAB",
    FileFormat.actual: "Actual Budget", FileFormat.beancount: "beancount",
    FileFormat.ledger: "hledger / ledger",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ParsedSplit:
    amount: Decimal  # signed, like the transaction's
    category: str = ""  # as the file names it: "Food:Groceries"
    transfer: str = ""  # the name of the account this line moves money to (QIF S[Savings])
    memo: str = ""
    transfer_amount: Decimal | None = None  # what arrives there, in its currency, if another


@dataclass(frozen=True, slots=True)
class ParsedRow:
    line: int
    date: dt.date
    amount: Decimal  # signed: money in is positive
    payee: str
    memo: str = ""
    fitid: str | None = None  # the bank's own transaction id (OFX)
    cleared: Cleared = Cleared.reconciled  # a bank's own statement is reconciled by definition
    category: str = ""  # as the file names it (QIF L): "Food:Groceries"
    transfer: str = ""  # QIF L[Savings]: the account on the other side of a transfer
    tags: tuple[str, ...] = ()  # QIF classes
    splits: tuple[ParsedSplit, ...] = ()
    # What arrives in the transfer's other account, in its currency, when that is another one.
    transfer_amount: Decimal | None = None
    opening: bool = False  # the account's opening balance (against equity), not a transaction


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    line: int
    kind: str  # "BUYSTOCK", "position", "memorised", ...
    reason: str


Record = ParsedRow | RowProblem | SkippedRecord


@dataclass
class Statement:
    """One account's records in a file. `account` is how the file names it (a bank's account
    number, a Quicken account name), "" when it does not say."""

    kind: str  # "bank", "card", "investment" (OFX); "csv"; "qif"; "account" (moving in)
    account: str = ""
    currency: str | None = None
    records: Iterable[Record] = field(default_factory=list)
    account_type: str | None = None  # moving in: the kind of account to create for it

    @property
    def named(self) -> bool:
        """Named by the person (a Quicken or tracker account), not by a bank's number."""
        return self.kind in ("qif", "account")

    @property
    def label(self) -> Text:
        if not self.account:
            return Text("The file's transactions")
        if self.named:
            return Text("Account %(name)s", name=self.account)
        number = mask_account_number(self.account)
        if self.kind == "bank":
            return Text("Bank account %(number)s", number=number)
        if self.kind == "card":
            return Text("Credit card %(number)s", number=number)
        if self.kind == "investment":
            return Text("Investment account %(number)s", number=number)
        return Text("Statement %(number)s", number=number)


@dataclass(frozen=True, slots=True)
class ParsedBudget:
    """An amount budgeted for a category in a month (YNAB, Actual Budget)."""

    line: int
    month: dt.date
    category: str  # "Bills:Rent"
    amount: Decimal


LIST_NAMES = {
    "categories": lambda n: Plural("%(count)s category", "%(count)s categories", n),
    "classes": lambda n: Plural("%(count)s class", "%(count)s classes", n),
    "securities": lambda n: Plural("%(count)s security", "%(count)s securities", n),
    "prices": lambda n: Plural("%(count)s price", "%(count)s prices", n),
    "accounts": lambda n: Plural("%(count)s account", "%(count)s accounts", n),
    "tags": lambda n: Plural("%(count)s tag", "%(count)s tags", n),
    "budgets": lambda n: Plural("%(count)s budget", "%(count)s budgets", n),
}


@dataclass
class ParsedFile:
    statements: list[Statement]
    bank_messages: list[str] = field(default_factory=list)  # the bank's warnings, to show
    lists: dict[str, int] = field(default_factory=dict)  # QIF lists read: "categories": 12
    budgets: list[ParsedBudget] = field(default_factory=list)
    # What the source holds that is not carried over, or carried in another shape: said once.
    notes: list[str] = field(default_factory=list)
    # Records of no account of the person's (a journal entry between two categories).
    unplaced: list[SkippedRecord] = field(default_factory=list)

    @property
    def lists_text(self) -> TextList:
        """'4 accounts, 3 categories, 1 security'."""
        return TextList([
            LIST_NAMES[name](count) if name in LIST_NAMES else f"{count} {name}"
            for name, count in self.lists.items()
        ])  # fmt: skip


class ImportFileError(ValueError):
    """The whole file cannot be read; the message says what and, when known, where."""


def mask_account_number(number: str) -> str:
    """Show the last four characters of an account number only, as banks do."""
    number = number.strip()
    return number if len(number) <= 4 else "…" + number[-4:]


BINARY_SIGNATURES = {
    b"MZ": Text("a Windows executable"),
    b"\x7fELF": Text("a Linux executable"),
    b"PK\x03\x04": Text("a zip archive"),
    b"\x1f\x8b": Text("a gzip archive"),
    b"%PDF": Text("a PDF document"),
    b"\x89PNG": Text("a PNG image"),
    b"\xff\xd8\xff": Text("a JPEG image"),
    b"7z\xbc\xaf": Text("a 7-Zip archive"),
    b"Rar!": Text("a RAR archive"),
    b"BZh": Text("a bzip2 archive"),
    b"\xfd7zXZ": Text("an xz archive"),
}
# A QIF file announces itself with a header line; Quicken's own exports may open with option
# switches, account, category and class lists, or comments first, so look at every line start.
_QIF_HEADER = re.compile(rb"^[ \t]*!(?:TYPE:|ACCOUNT|OPTION:|CLEAR:)", re.IGNORECASE | re.MULTILINE)
_OFX_START = re.compile(rb"^\s*(?:OFXHEADER\s*:|<\?XML|<\?OFX|<OFX>)", re.IGNORECASE)


def detect_format(head: bytes) -> FileFormat:
    """Decide by content, never by the file name: an executable named .csv is refused here."""
    for signature, what in BINARY_SIGNATURES.items():
        if head.startswith(signature):
            raise ImportFileError(Text("this file is %(what)s, not a bank statement", what=what))
    if b"\x00" in head[:4096]:
        raise ImportFileError(Text("this is a binary file, not a bank statement (CSV, OFX or QIF)"))
    text = head.removeprefix(b"\xef\xbb\xbf")
    if _OFX_START.match(text) or b"<OFX>" in text[:4096].upper():
        return FileFormat.ofx
    if _QIF_HEADER.search(text[:4096]):
        return FileFormat.qif
    return FileFormat.csv
