"""An hledger or ledger journal, the subset both write and most journals use: dated
transactions with a status and a description, postings with amounts in currencies (a symbol
before or a code after the number, `@` and `@@` prices, one amount left out to balance), `;`
comments with tags, `account`/`commodity`/`P`/`D`/`decimal-mark` directives. There is no
maintained Python parser for this format, so it is read here; what it does not cover (includes,
aliases, periodic and automated transactions, virtual postings) is refused or named in the
preview, never silently dropped. Turned into statements by `journals`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from finance_tracker.domain.ledger import Cleared
from finance_tracker.domain.text import N_, Plural, Text
from finance_tracker.importers import ImportFileError, ParsedFile
from finance_tracker.importers.journals import Entry, Posting, statements_from
from finance_tracker.importers.text import detect_encoding

SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB", "₩": "KRW",
           "₺": "TRY", "zł": "PLN", "kr": "SEK", "R$": "BRL", "Fr.": "CHF"}  # fmt: skip
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{1,2})")
_HEADER = re.compile(
    r"^(?P<date>[\d/.\-]+)(?:=[\d/.\-]+)?\s*(?P<status>[*!])?\s*(?:\((?P<code>[^)]*)\))?\s*"
    r"(?P<description>[^;]*?)\s*(?:;(?P<comment>.*))?$"
)
_SPLIT = re.compile(r"\t|  +")  # an account name may hold single spaces
_NUMBER = re.compile(r"[-+]?\d[\d,.' ]*|[-+]?[.,]\d+")
# hledger's tags are name: or name:value (to a comma); ledger's are :one:two: between colons.
_TAGS = re.compile(r"(?:^|[\s,])([\w-]+):(?=[^:]|$)|:([\w-]+(?::[\w-]+)*):")
IGNORED = ("account ", "commodity ", "P ", "D ", "payee ", "tag ", "decimal-mark", "Y ",
           "year ", "N ", "define ", "end ", "check ", "expr ", "assert ")  # fmt: skip
REFUSED = {
    "include": N_(
        "line %(line)s: the journal includes other files: upload one file that holds it all"
    ),
    "alias": N_(
        "line %(line)s: the journal renames accounts with alias: it is not supported; "
        "resolve the aliases in the journal first"
    ),
    "apply": N_("line %(line)s: `apply account` is not supported: write the full account names"),
}


@dataclass
class _Transaction:
    line: int
    date: dt.date
    status: str
    description: str
    tags: list[str]
    # line, account, amount as written, status
    postings: list[tuple[int, str, str, str]] = field(default_factory=list)


def parse(path: Path) -> ParsedFile:
    text = path.read_text(encoding=detect_encoding(path))
    reader = _Reader()
    transactions = reader.read(text.splitlines())
    entries = [reader.entry(t) for t in transactions]
    parsed = statements_from(entries, source="journal")
    parsed.notes.extend(reader.notes())
    return parsed


class _Reader:
    def __init__(self) -> None:
        self.decimal_comma = False
        self.year = dt.date.today().year
        self.skipped: dict[str, list[int]] = {}
        self.symbols_seen: set[str] = set()

    def notes(self) -> list[str]:
        said: list[str] = [
            Plural(
                "%(what)s are not carried over (line %(lines)s).",
                "%(what)s are not carried over (lines %(lines)s).",
                len(lines), what=Text(what),
                lines=", ".join(map(str, lines[:10])) + (" …" if len(lines) > 10 else ""),
            )
            for what, lines in self.skipped.items()
        ]  # fmt: skip
        said += [
            Text("%(symbol)s is read as %(currency)s.", symbol=symbol, currency=SYMBOLS[symbol])
            for symbol in sorted(self.symbols_seen)
        ]
        return said

    def _skip(self, what: str, line: int) -> None:
        self.skipped.setdefault(what, []).append(line)

    def read(self, lines: list[str]) -> list[_Transaction]:
        transactions: list[_Transaction] = []
        current: _Transaction | None = None
        in_comment = False
        skipping_block = False  # a periodic (~) or automated (=) transaction's postings
        for number, raw in enumerate(lines, start=1):
            line = raw.rstrip()
            stripped = line.strip()
            if in_comment:
                in_comment = stripped != "end comment"
                continue
            if not stripped:
                current, skipping_block = None, False
                continue
            if line[0] in " \t":
                if skipping_block or stripped[0] in ";#":
                    if current is not None and stripped[0] == ";":
                        current.tags += _tags(stripped[1:])
                    continue
                if current is None:
                    raise ImportFileError(
                        Text("line %(line)s: a posting outside any transaction", line=number)
                    )
                current.postings.append(self._posting(number, stripped))
                continue
            current, skipping_block = None, False
            if line[0] in ";#*%|":
                continue
            if stripped == "comment":
                in_comment = True
                continue
            word = stripped.split(None, 1)[0]
            if word in REFUSED:
                raise ImportFileError(Text(REFUSED[word], line=number))
            if line[0] in "~=":
                self._skip(N_("Periodic and automated transactions (~, =)"), number)
                skipping_block = True
                continue
            if stripped.startswith("decimal-mark"):
                self.decimal_comma = stripped.endswith(",")
                continue
            if word in ("Y", "year"):
                self.year = int(stripped.split()[1])
                continue
            if stripped.startswith(IGNORED):
                continue
            current = self._header(number, stripped)
            transactions.append(current)
        if not transactions:
            raise ImportFileError(Text("the journal has no transactions"))
        return transactions

    def _header(self, number: int, text: str) -> _Transaction:
        match = _HEADER.match(text)
        date = _date(match.group("date"), self.year) if match else None
        if match is None or date is None:
            raise ImportFileError(
                Text("line %(line)s: %(text)r is neither a transaction (it starts with a date "
                     "like 2026-01-31) nor a directive this journal reader knows",
                     line=number, text=text[:40])
            )  # fmt: skip
        return _Transaction(
            number, date, match.group("status") or "", match.group("description").strip(),
            _tags(match.group("comment") or ""),
        )  # fmt: skip

    def _posting(self, number: int, text: str) -> tuple[int, str, str, str]:
        text = text.split(";", 1)[0].rstrip()
        status = ""
        if text[:1] in "*!":
            status, text = text[0], text[1:].lstrip()
        parts = _SPLIT.split(text, maxsplit=1)
        account = parts[0].strip()
        if account[:1] in "([":
            self._skip(N_("Virtual postings ((account), [account])"), number)
            return number, "", "", status
        amount = parts[1].split("=", 1)[0].strip() if len(parts) > 1 else ""  # drop assertions
        return number, account, amount, status

    def entry(self, transaction: _Transaction) -> Entry:
        postings: list[Posting] = []
        missing: list[tuple[int, str]] = []
        for number, account, text, _status in transaction.postings:
            if not account:
                continue
            if not text:
                missing.append((number, account))
                continue
            postings.append(self._amount(number, account, text))
        if not postings and not missing:
            raise ImportFileError(
                Text("line %(line)s: the transaction has no postings", line=transaction.line)
            )
        left = _balance(postings)
        if missing:
            if len(missing) > 1 or len(left) != 1:
                raise ImportFileError(
                    Text("line %(line)s: only one posting may leave out its amount, and only "
                         "when the others are in one currency", line=missing[0][0])
                )  # fmt: skip
            commodity, amount = next(iter(left.items()))
            postings.append(Posting(missing[0][0], missing[0][1], -amount, commodity))
        elif any(left.values()) and not _implicit_conversion(postings, left):
            shown = ", ".join(f"{v} {k}" for k, v in left.items() if v)
            raise ImportFileError(
                Text("line %(line)s: the transaction does not balance: %(left)s left over",
                     line=transaction.line, left=shown)
            )  # fmt: skip
        status = transaction.status
        cleared = Cleared.cleared if status == "*" else Cleared.uncleared
        payee, _, note = transaction.description.partition("|")
        return Entry(
            transaction.line, transaction.date, payee.strip(), note.strip(), cleared,
            tuple(postings), tuple(dict.fromkeys(transaction.tags)),
        )  # fmt: skip

    def _amount(self, number: int, account: str, text: str) -> Posting:
        cost = None
        for marker in ("@@", "@"):
            if marker in text:
                text, price_text = (t.strip() for t in text.split(marker, 1))
                price, price_commodity = self._quantity(number, price_text)
                quantity, _ = self._quantity(number, text)
                total = abs(price) if marker == "@@" else abs(price * quantity)
                cost = (total, price_commodity)
                break
        amount, commodity = self._quantity(number, text)
        return Posting(number, account, amount, commodity, cost)

    def _quantity(self, number: int, text: str) -> tuple[Decimal, str]:
        match = _NUMBER.search(text)
        if match is None:
            raise ImportFileError(
                Text("line %(line)s: %(text)r is not an amount", line=number, text=text[:40])
            )
        commodity = (text[: match.start()] + text[match.end() :]).strip().strip('"')
        negative = commodity.startswith("-") or commodity.endswith("-")
        commodity = commodity.strip("-").strip()
        if commodity in SYMBOLS:
            self.symbols_seen.add(commodity)
            commodity = SYMBOLS[commodity]
        if not commodity:
            raise ImportFileError(
                Text("line %(line)s: %(text)r names no currency", line=number, text=text[:40])
            )
        try:
            value = Decimal(_plain(match.group().strip(), self.decimal_comma))
        except InvalidOperation:
            raise ImportFileError(
                Text("line %(line)s: %(text)r is not an amount", line=number, text=text[:40])
            ) from None
        return (-value if negative else value), commodity.upper()


def _plain(number: str, decimal_comma: bool) -> str:
    """'1,234.56' or (decimal-mark ,) '1.234,56' -> '1234.56'; a lone comma before other than
    three digits is a decimal comma too ('12,50')."""
    number = number.replace(" ", "").replace("'", "")
    if decimal_comma or ("," in number and "." not in number and not re.search(r",\d{3}$", number)):
        return number.replace(".", "").replace(",", ".")
    return number.replace(",", "")


def _date(text: str, year: int) -> dt.date | None:
    match = _DATE.fullmatch(text)
    if not match:
        return None
    try:
        if match.group(1):
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return dt.date(year, int(match.group(4)), int(match.group(5)))
    except ValueError:
        return None


def _tags(comment: str) -> list[str]:
    found = []
    for match in _TAGS.finditer(comment):
        if match.group(1):
            found.append(match.group(1))
        else:
            found += match.group(2).split(":")
    return found


def _balance(postings: list[Posting]) -> dict[str, Decimal]:
    left: dict[str, Decimal] = {}
    for posting in postings:
        if posting.cost is not None:
            value = posting.cost[0] if posting.amount >= 0 else -posting.cost[0]
            left[posting.cost[1]] = left.get(posting.cost[1], Decimal(0)) + value
        else:
            left[posting.commodity] = left.get(posting.commodity, Decimal(0)) + posting.amount
    return left


def _implicit_conversion(postings: list[Posting], left: dict[str, Decimal]) -> bool:
    """Two postings in two currencies, one in and one out: the journal's exchange, as hledger
    takes it (sent -100 USD, received 92 EUR)."""
    return (
        len(postings) == 2
        and len(left) == 2
        and postings[0].amount * postings[1].amount < 0
        and all(p.cost is None for p in postings)
    )
