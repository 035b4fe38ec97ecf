"""The corpus is what its catalogue says, checked from the raw bytes without the importer (this
module must not import finance_tracker): each file exists, its records counted by plain regexes and
line scans match the catalogue, ofxtools' strict parse accepts exactly the files marked strict, and
the encodings and line endings are what the file names claim (bom, crlf, cp1252)."""

from __future__ import annotations

import logging
import re
import warnings
from collections import Counter
from html import unescape
from pathlib import Path

import pytest

from tests.statements.catalogue import UNNAMED_PAYEES, VARIANTS, Variant

HERE = Path(__file__).parent
BOM = b"\xef\xbb\xbf"

OFX_STATEMENT = re.compile(r"<(STMTRS|CCSTMTRS|INVSTMTRS)>.*?</\1>", re.S)
OFX_KIND = {"STMTRS": "bank", "CCSTMTRS": "card", "INVSTMTRS": "investment"}
OFX_RECORD = re.compile(
    r"<(STMTTRN|(?:BUY|SELL)(?:DEBT|MF|OPT|OTHER|STOCK)|CLOSUREOPT|INCOME|INVEXPENSE|JRNLFUND|JRNLSEC"
    r"|MARGININTEREST|REINVEST|RETOFCAP|SPLIT|TRANSFER|POS(?:DEBT|MF|OPT|OTHER|STOCK))>"
)
OFX_STATUS_MESSAGE = re.compile(r"<SEVERITY>(\w+)\s*(?:</SEVERITY>)?\s*<MESSAGE>([^<\r\n]+)")
QIF_RECORD_BLOCKS = {"bank", "cash", "ccard", "oth a", "oth l", "invoice", "invst", "memorized"}
QIF_LIST_BLOCKS = {"cat": "categories", "class": "classes", "security": "securities"}
QIF_FIELD_LETTERS = {"date": "D", "amount": "TU", "split": "S"}


def ids(variant: Variant) -> str:
    return variant.file


def text_of(variant: Variant) -> str:
    raw = (HERE / variant.file).read_bytes()
    return raw.decode("cp1252" if "cp1252" in variant.file else "utf-8-sig")


def scan_ofx(text: str) -> list[tuple[str, str, str, int]]:
    """(account, kind, currency, records) per statement aggregate, in file order."""
    found = []
    for match in OFX_STATEMENT.finditer(text):
        body = match.group(0)
        account = re.search(r"<ACCTID>([^<\r\n]+)", body).group(1)
        currency = re.search(r"<CURDEF>([^<\r\n]+)", body).group(1)
        found.append((account, OFX_KIND[match.group(1)], currency, len(OFX_RECORD.findall(body))))
    return found


def scan_qif(text: str) -> tuple[list[tuple[str, int]], dict[str, int], set[int]]:
    """(account, records) per statement, list entries by kind, and the first line of every record."""
    statements: list[tuple[str, int]] = []
    lists: Counter[str] = Counter()
    first_lines: set[int] = set()
    block, entries, name, starts = None, 0, "", True
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.startswith("!"):
            head = line[1:].strip().lower()
            new_block = head[5:].strip() if head.startswith("type:") else head
            if block == "account":  # the last entry heads a statement when records follow directly
                heads = new_block in QIF_RECORD_BLOCKS
                lists["accounts"] += entries - heads
                if heads:
                    statements.append((name, 0))
            if new_block in QIF_RECORD_BLOCKS and not statements:
                statements.append(("", 0))
            block, entries, starts = new_block, 0, True
        elif block in QIF_RECORD_BLOCKS and line.strip():
            if starts:
                first_lines.add(number)
            starts = line.startswith("^")
            if starts:
                statements[-1] = (statements[-1][0], statements[-1][1] + 1)
        elif block == "account" and line.startswith("N"):
            name = line[1:].strip()
        elif line.startswith("^"):
            if block == "account":
                entries += 1
            elif block in QIF_LIST_BLOCKS:
                lists[QIF_LIST_BLOCKS[block]] += 1
    if block == "account":
        lists["accounts"] += entries
    return statements, {kind: n for kind, n in lists.items() if n}, first_lines


def ofxtools_accepts(path: Path) -> bool:
    from ofxtools.Parser import OFXTree

    log = logging.getLogger("ofxtools")
    level = log.level
    log.setLevel(logging.WARNING)  # it logs every aggregate at INFO
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown and private (INTU.*) tags only warn
            tree = OFXTree()
            tree.parse(str(path))
            tree.convert()
        return True
    except Exception:  # noqa: BLE001 - any refusal at all is what this records
        return False
    finally:
        log.setLevel(level)


def test_every_file_is_catalogued_once():
    files = sorted(
        str(p.relative_to(HERE)) for p in HERE.glob("*/*") if p.suffix in {".ofx", ".qfx", ".qif"}
    )
    assert sorted(v.file for v in VARIANTS) == files


@pytest.mark.parametrize("variant", VARIANTS, ids=ids)
def test_records_are_rows_invalid_or_skipped_and_match_the_raw_count(variant: Variant):
    assert (HERE / variant.file).is_file()
    text = text_of(variant)
    for statement in variant.statements:
        ends = len(statement.rows) + len(statement.invalid) + sum(statement.skipped.values())
        assert statement.records == ends, statement.account
    if variant.file.startswith("ofx/"):
        found = scan_ofx(text)
        if variant.refused is None:
            assert found == [(s.account, s.kind, s.currency, s.records) for s in variant.statements]
        messages = [
            m for severity, m in OFX_STATUS_MESSAGE.findall(text) if severity in ("WARN", "INFO")
        ]
        assert tuple(m.strip() for m in messages) == variant.bank_messages
        refusal_holds = {
            "sign-on": not found and re.search(r"<SEVERITY>ERROR", text) is not None,
            "account list": not found and "<ACCTINFORS>" in text,
            "no transactions": bool(found) and all(records == 0 for *_, records in found),
            "truncated": "</OFX>" not in text,
            None: "</OFX>" in text and any(records for *_, records in found),
        }
        assert refusal_holds[variant.refused]
    else:
        found, lists, _ = scan_qif(text)
        assert lists == variant.lists
        if variant.refused is None:
            assert found == [(s.account, s.records) for s in variant.statements]
        else:
            assert variant.refused == "only lists" and not found and lists


@pytest.mark.parametrize("variant", VARIANTS, ids=ids)
def test_lines_payees_and_memos_point_into_the_file(variant: Variant):
    text = text_of(variant)
    lines = text.split("\n")
    plain = unescape(text) if variant.file.startswith("ofx/") else text
    first_lines = scan_qif(text)[2]
    for statement in variant.statements:
        for row in statement.rows:
            assert row.payee in plain or row.payee in UNNAMED_PAYEES, row
            assert all(value in plain for value in row.memo_has), row
            if variant.file.startswith("ofx/"):
                assert OFX_RECORD.search(lines[row.line - 1]) and f"<FITID>{row.fitid}" in text, row
            else:
                assert row.line in first_lines, row
        for bad in statement.invalid:
            line = lines[bad.line - 1]
            if variant.file.startswith("ofx/"):
                assert OFX_RECORD.search(line), bad
            else:
                field_line = line[:1] != "" and line[0] in QIF_FIELD_LETTERS[bad.field]
                assert field_line or bad.line in first_lines, bad


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.strict_ofx is not None], ids=ids)
def test_ofxtools_strict_parse_accepts_exactly_the_conforming_files(variant: Variant):
    assert ofxtools_accepts(HERE / variant.file) is variant.strict_ofx


def test_strict_is_set_for_every_ofx_file_and_no_qif():
    for variant in VARIANTS:
        assert (variant.strict_ofx is None) == variant.file.startswith("qif/"), variant.file


@pytest.mark.parametrize("variant", VARIANTS, ids=ids)
def test_encoding_and_line_endings_are_what_the_name_says(variant: Variant):
    raw = (HERE / variant.file).read_bytes()
    assert raw.startswith(BOM) == ("bom" in variant.file)
    if "crlf" in variant.file:
        assert raw.count(b"\n") == raw.count(b"\r\n") > 0
    else:
        assert b"\r" not in raw
    if "cp1252" in variant.file:
        assert re.search(rb"[\x80-\xff]", raw)
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    else:
        raw.decode("utf-8")
