"""OFX/QFX 1.x (SGML) and 2.x (XML) files -> statements, with ofxtools' tree builder.

ofxtools reads the specification to the letter; banks write it loosely. What we do about it is
here and nowhere else, each case with a test named after the variant (tests/statements):
- The header block is not needed, and often absent or wrong: a file may start with <OFX>, or
  with <?xml ...?> and no <?OFX ...?>; a UTF-8 byte-order mark or many blank lines may come
  first; a file declared CHARSET:1252 may be UTF-8. So the body is taken from its <OFX> tag and
  decoded as UTF-8 when it is valid UTF-8, else as the charset the header names (Windows-1252
  when it names none it knows).
- SGML elements may be empty (<NAME> with nothing after it). ofxtools takes a tag without text
  for an aggregate and the next closing tag then closes the wrong thing. Our tree builder asks
  ofxtools' own models which tags are aggregates: any other tag is an element, empty or not.
Records keep the line they start on, so that a problem names its line.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from xml.etree.ElementTree import Element

from finance_tracker.domain.text import Text, TextList
from finance_tracker.importers import (
    ImportFileError,
    ParsedFile,
    ParsedRow,
    Record,
    RowProblem,
    SkippedRecord,
    Statement,
)

_CLOSING = re.compile(rb"</OFX>\s*$", re.IGNORECASE)
_BODY_START = re.compile(rb"<OFX>", re.IGNORECASE)
_CHARSET = re.compile(rb"CHARSET\s*:\s*([\w-]+)", re.IGNORECASE)
_CODECS = {b"1252": "cp1252", b"ISO-8859-1": "latin_1", b"8859-1": "latin_1", b"UTF-8": "utf-8"}
_POSITION = re.compile(r"\s*-\s*position=\[(\d+):(\d+)\]$")

STATEMENTS = {"STMTRS": "bank", "CCSTMTRS": "card", "INVSTMTRS": "investment"}
ACCOUNT_FROM = {"STMTRS": "BANKACCTFROM", "CCSTMTRS": "CCACCTFROM", "INVSTMTRS": "INVACCTFROM"}
# Investment records that move cash in or out of the account, with the sign of their TOTAL,
# and what to call one that names no security.
CASH_RECORDS = {"INCOME": 1, "RETOFCAP": 1, "INVEXPENSE": -1, "MARGININTEREST": -1}
CASH_LABELS = {"INCOME": "Investment income", "RETOFCAP": "Return of capital",
               "INVEXPENSE": "Investment expense", "MARGININTEREST": "Margin interest"}  # fmt: skip
TRADES = frozenset({
    "BUYDEBT", "BUYMF", "BUYOPT", "BUYOTHER", "BUYSTOCK", "CLOSUREOPT", "JRNLFUND", "JRNLSEC",
    "REINVEST", "SELLDEBT", "SELLMF", "SELLOPT", "SELLOTHER", "SELLSTOCK", "SPLIT", "TRANSFER",
})  # fmt: skip
POSITIONS = frozenset({"POSDEBT", "POSMF", "POSOPT", "POSOTHER", "POSSTOCK"})
RECORD_TAGS = frozenset({"STMTTRN", *CASH_RECORDS, *TRADES, *POSITIONS})
NOT_HOLDINGS = Text("this tracker records cash, not holdings")
TRANSACTION_TYPES = {"DEBIT", "CREDIT"}  # TRNTYPEs the amount's sign already says
INCOME_TYPES = {"DIV": "dividend", "INTEREST": "interest", "CGLONG": "capital gain (long term)",
                "CGSHORT": "capital gain (short term)", "MISC": "income"}  # fmt: skip
SEVERITIES = {"WARN": Text("warning"), "ERROR": Text("error"), "INFO": Text("information")}


def parse(path: Path) -> ParsedFile:
    raw = path.read_bytes()
    if not _CLOSING.search(raw[-64:]):
        raise ImportFileError(Text("the OFX file is truncated: it does not end with </OFX>"))
    body, first_line = _body(raw)
    root = _tree(body, first_line)
    return _statements(root, _Lines(body, first_line))


def _body(raw: bytes) -> tuple[str, int]:
    """The OFX body as text, from its <OFX> tag on, and the file line that tag is on."""
    start = _BODY_START.search(raw)
    if start is None:
        raise ImportFileError(Text("this is not an OFX file: it has no <OFX> element"))
    data = raw[start.start() :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        declared = _CHARSET.search(raw[: start.start()])
        codec = _CODECS.get(declared.group(1).upper(), "cp1252") if declared else "cp1252"
        text = data.decode(codec, errors="replace")
    return text, raw.count(b"\n", 0, start.start()) + 1


class _Lines:
    """Line numbers of positions in the body, and of each record's opening tag in order."""

    def __init__(self, body: str, first_line: int) -> None:
        self.first_line = first_line
        self.breaks = [m.start() for m in re.finditer("\n", body)]
        pattern = re.compile("<(" + "|".join(sorted(RECORD_TAGS)) + ")>")
        self.record_starts = [m.start() for m in pattern.finditer(body)]

    def at(self, position: int) -> int:
        return self.first_line + bisect.bisect_left(self.breaks, position)


@cache
def _aggregates() -> frozenset[str]:
    from ofxtools.models.base import Aggregate

    found: set[str] = set()
    pending = [Aggregate]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.add(subclass.__name__)
            pending.append(subclass)
    return frozenset(found)


def _tree(body: str, first_line: int) -> Element:
    from ofxtools.Parser import ParseError, TreeBuilder

    aggregates = _aggregates()

    class LenientTreeBuilder(TreeBuilder):  # type: ignore[misc]
        """ofxtools' builder, with SGML's implied end tags for elements (see the docstring)."""

        def __init__(self) -> None:
            super().__init__()
            self.open: list[str] = []

        def _start(self, tag: str, text: str | None, closetag: str | None) -> None:
            if text is None and closetag is None and tag not in aggregates:
                self.start(tag, {})  # an empty element, not an aggregate
                self.end(tag)
                return
            super()._start(tag, text, closetag)

        def start(self, tag, attrs):  # type: ignore[no-untyped-def]
            self.open.append(tag)
            return super().start(tag, attrs)

        def end(self, tag):  # type: ignore[no-untyped-def]
            if tag not in self.open:
                if tag in aggregates:
                    raise ParseError(f"</{tag}> closes an element that was never opened")
                return None  # a stray end tag of an element: SGML allows none, but it is harmless
            while self.open[-1] != tag:
                inner = self.open.pop()
                if inner in aggregates:
                    raise ParseError(f"<{inner}> is not closed before </{tag}>")
                super().end(inner)
            self.open.pop()
            return super().end(tag)

    builder = LenientTreeBuilder()
    try:
        builder.feed(body)
        if builder.open:
            raise ParseError(f"<{builder.open[-1]}> is never closed - position=[{len(body)}:0]")
        root = builder.close()
    except ParseError as error:
        raise ImportFileError(_explain(str(error), _Lines(body, first_line))) from None
    if root is None or root.tag != "OFX":
        raise ImportFileError(Text("this is not an OFX file: it has no <OFX> element"))
    return root


def _explain(message: str, lines: _Lines) -> Text:
    """ofxtools' messages end with the offset of the tag at fault, and a tail-text one quotes
    the whole body: say the line and what is wrong, in a few words (ofxtools' own words are
    English: they stay so)."""
    position = _POSITION.search(message)
    message = _POSITION.sub("", message)
    problem: str = message[:200]
    if message.startswith("Tail text"):
        found = message.split("'")[1] if message.count("'") >= 2 else ""
        problem = Text("text %(text)r stands outside any element", text=found[:40])
    if position:
        line = lines.at(int(position.group(1)))
        return Text("line %(line)s: the OFX markup is broken: %(problem)s", line=line,
                    problem=problem)  # fmt: skip
    return Text("the OFX markup is broken: %(problem)s", problem=problem)


def _text(element: Element | None, path: str) -> str:
    """An element's value with its character references undone (AT&amp;T is AT&T)."""
    child = element.find(path) if element is not None else None
    return html.unescape(child.text or "").strip() if child is not None else ""


def _statements(root: Element, lines: _Lines) -> ParsedFile:
    record_line = _record_lines(root, lines)
    messages = _bank_messages(root)
    securities = {
        _text(info, "SECINFO/SECID/UNIQUEID"): _text(info, "SECINFO/SECNAME")
        or _text(info, "SECINFO/TICKER")
        for info in root.iterfind("SECLISTMSGSRSV1/SECLIST/*")
    }
    statements = []
    for element in root.iter():
        kind = STATEMENTS.get(element.tag)
        if kind is None:
            continue
        records = list(_records(element, record_line, securities))
        statements.append(
            Statement(
                kind=kind,
                account=_text(element, f"{ACCOUNT_FROM[element.tag]}/ACCTID"),
                currency=_text(element, "CURDEF").upper() or None,
                records=records,
            )
        )
    if not statements:
        raise ImportFileError(_why_no_statement(root, messages))
    if not any(statement.records for statement in statements):
        raise ImportFileError(Text("the OFX statement has no transactions"))
    return ParsedFile(statements, bank_messages=messages)


def _record_lines(root: Element, lines: _Lines) -> dict[int, int]:
    """Records in document order are the record tags in the text, in the same order."""
    records = [e for e in root.iter() if e.tag in RECORD_TAGS]
    if len(records) != len(lines.record_starts):  # a tag in an unexpected place: count them
        return {id(e): number for number, e in enumerate(records, start=1)}
    return {id(e): lines.at(p) for e, p in zip(records, lines.record_starts, strict=True)}


def _bank_messages(root: Element) -> list[str]:
    said: list[str] = []
    for status in root.iter("STATUS"):
        severity, message, code = (_text(status, t) for t in ("SEVERITY", "MESSAGE", "CODE"))
        if severity.upper() in ("WARN", "ERROR") or message:
            word = SEVERITIES.get(severity.upper(), severity.lower() or Text("note"))
            said.append(
                Text("%(message)s (bank %(severity)s, code %(code)s)",
                     message=message or Text("no message"), severity=word, code=code or "?")
            )  # fmt: skip
    return said


def _why_no_statement(root: Element, messages: list[str]) -> Text:
    if root.find(".//ACCTINFORS") is not None:
        what = Text(
            "an account list (the bank's answer to an account information request), not a statement"
        )
    elif root.find("SIGNONMSGSRSV1") is not None and len(root) == 1:
        what = Text("only the bank's sign-on answer, no statement")
    else:
        what = Text("no bank, card or investment statement")
    if messages:
        return Text("this OFX file holds %(what)s; the bank said: %(messages)s", what=what,
                    messages=TextList(messages, "; "))  # fmt: skip
    return Text("this OFX file holds %(what)s", what=what)


def _records(
    statement: Element, record_line: dict[int, int], securities: dict[str, str]
) -> Iterator[Record]:
    for element in statement.iter():
        line = record_line.get(id(element), 0)
        if element.tag == "STMTTRN":
            yield _bank_row(line, element)
        elif element.tag in CASH_RECORDS:
            yield _cash_row(line, element, securities)
        elif element.tag in TRADES:
            yield SkippedRecord(line, element.tag, NOT_HOLDINGS)
        elif element.tag in POSITIONS:
            yield SkippedRecord(
                line,
                Text("position"),
                Text("a holding, not a transaction: %(reason)s", reason=NOT_HOLDINGS),
            )


def _date(text: str, element: str, what: str, line: int) -> dt.date | RowProblem:
    """The bank's own day: the first 8 digits, never moved to UTC (23:30 PST is still that day)."""
    try:
        if not re.match(r"\d{8}", text):
            raise ValueError
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        if not text:
            return RowProblem(line, Text("%(what)s: %(element)s is missing, it should be a date "
                                         "like 20261031", what=what, element=element))  # fmt: skip
        return RowProblem(line, Text("%(what)s: %(element)s %(value)r is not a date like 20261031",
                                     what=what, element=element, value=text[:30]))  # fmt: skip


def _amount(text: str, element: str, what: str, line: int) -> Decimal | RowProblem:
    """The specification allows a leading +, leading zeros and a comma as the decimal point."""
    number = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    try:
        value = Decimal(number)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        if not text:
            return RowProblem(line, Text("%(what)s: %(element)s is missing, it should be an amount",
                                         what=what, element=element))  # fmt: skip
        return RowProblem(line, Text("%(what)s: %(element)s %(value)r is not an amount",
                                     what=what, element=element, value=text[:30]))  # fmt: skip
    return value


def _described(element: Element) -> str:
    fitid = _text(element, "FITID") or _text(element, "INVTRAN/FITID")
    return f"<{element.tag}> with FITID {fitid}" if fitid else f"<{element.tag}>"


def _bank_row(line: int, element: Element) -> ParsedRow | RowProblem:
    what = _described(element)
    day = _date(_text(element, "DTPOSTED"), "DTPOSTED", what, line)
    if isinstance(day, RowProblem):
        return day
    amount = _amount(_text(element, "TRNAMT"), "TRNAMT", what, line)
    if isinstance(amount, RowProblem):
        return amount
    memo = _text(element, "MEMO")
    payee = (
        _text(element, "NAME") or _text(element, "PAYEE/NAME") or _text(element, "EXTDNAME") or memo
    )
    kind = _text(element, "TRNTYPE").upper()
    details = [
        memo,
        kind if kind not in TRANSACTION_TYPES else "",
        f"check {_text(element, 'CHECKNUM')}" if _text(element, "CHECKNUM") else "",
        f"SIC {_text(element, 'SIC')}" if _text(element, "SIC") else "",
        f"payee id {_text(element, 'PAYEEID')}" if _text(element, "PAYEEID") else "",
    ]
    rate, currency = _text(element, "CURRENCY/CURRATE"), _text(element, "CURRENCY/CURSYM")
    if rate and currency:  # the amount is in another currency: CURRATE converts it
        converted = _amount(rate, "CURRATE", what, line)
        if isinstance(converted, RowProblem):
            return converted
        details.append(f"{amount} {currency} at {rate}")
        amount *= converted
    return ParsedRow(
        line, day, amount, payee[:200], " · ".join(d for d in details if d)[:1000],
        _text(element, "FITID") or None,
    )  # fmt: skip


def _cash_row(line: int, element: Element, securities: dict[str, str]) -> ParsedRow | RowProblem:
    what = _described(element)
    day = _date(_text(element, "INVTRAN/DTTRADE"), "DTTRADE", what, line)
    if isinstance(day, RowProblem):
        return day
    total = _amount(_text(element, "TOTAL"), "TOTAL", what, line)
    if isinstance(total, RowProblem):
        return total
    sign = CASH_RECORDS[element.tag]
    amount = total if sign > 0 else -abs(total)
    memo = _text(element, "INVTRAN/MEMO")
    security = securities.get(_text(element, "SECID/UNIQUEID"), "")
    income = INCOME_TYPES.get(_text(element, "INCOMETYPE").upper(), "")
    payee = security or memo or CASH_LABELS[element.tag]
    details = [memo, income, element.tag]
    return ParsedRow(
        line, day, amount, payee[:200], " · ".join(d for d in details if d)[:1000],
        _text(element, "INVTRAN/FITID") or None,
    )  # fmt: skip
