"""Every bank file of the corpus (tests/statements), as a person sends it through the API.

Each is uploaded into a fresh account, previewed, committed and uploaded again. The catalogue,
written by hand from the files, says what the person must see: every record accounted for (new,
invalid with its line and reason, or skipped with why), the rows as they land in the account,
and nothing new the second time. A file refused whole is refused for its true reason. No
message the person sees names a server path or an object."""

from __future__ import annotations

import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from tests.statements.catalogue import VARIANTS, Row, Statement, Variant

from finance_tracker.domain.categories import DEFAULT_CATEGORIES

from .helpers import assert_problem

CORPUS = Path(__file__).parents[2] / "statements"
LEAKS = re.compile(r"/tmp|/var|<_io|Traceback|object at 0x|Error\(")  # noqa: S108


def assert_no_leak(answer: object) -> None:
    text = json.dumps(answer)
    assert not LEAKS.search(text), LEAKS.search(text)


def wait_until_finished(api, batch_id: int) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30
    while not (status := api.get(f"/api/v1/imports/{batch_id}").get_json())["finished"]:
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    return status


def accounts_for(api, variant: Variant) -> list[dict]:  # type: ignore[no-untyped-def]
    """One account per statement (named as a QIF file names it, so transfers find it), and one
    for each other account the file's transfers name."""
    made: dict[str, dict] = {}
    for number, statement in enumerate(variant.statements, start=1):
        name = statement.account if statement.kind == "qif" and statement.account else None
        currency = statement.currency or variant.account_currency
        made[name or f"Statement {number}"] = api.account(
            name or f"Statement {number}", currency=currency
        )
    for statement in variant.statements:
        for row in statement.rows:
            for target in [row.transfer, *(s.transfer for s in row.splits)]:
                if target and target not in made:
                    made[target] = api.account(target, currency=variant.account_currency)
    return list(made.values())


# The person's categories (the defaults) that a one-level name in a file means: the only
# subcategory of that name ("Salary" is Income › Salary).
DEFAULT_LEAVES = {
    child: f"{parent} › {child}"
    for parent, children in DEFAULT_CATEGORIES.items()
    for child in children
}


def category_name(path: str) -> str:
    parent, _, child = path.partition(":")
    return f"{parent} › {child}" if child else DEFAULT_LEAVES.get(parent, parent)


def expected_records(statement: Statement) -> int:
    return len(statement.rows) + len(statement.invalid) + sum(statement.skipped.values())


def options_for(variant: Variant, accounts: list[dict]) -> dict:
    rows = [row for statement in variant.statements for row in statement.rows]
    return {
        "statements": [
            {"statement": number, "account_id": accounts[number - 1]["id"]}
            for number in range(1, len(variant.statements) + 1)
        ],
        "round_amounts": any(row.original for row in rows),
        "skip_invalid": any(statement.invalid for statement in variant.statements),
    }


def check_preview(preview: dict, variant: Variant, *, first_time: bool) -> None:
    """Every record is new, a duplicate, invalid or skipped: the counts add up to the file."""
    records = sum(expected_records(s) for s in variant.statements)
    rows = sum(len(s.rows) for s in variant.statements)
    mirrors = sum(1 for s in variant.statements for r in s.rows if r.mirror_of)
    invalid = [i for s in variant.statements for i in s.invalid]
    skipped = sum(sum(s.skipped.values()) for s in variant.statements)
    counted = preview["new"] + preview["duplicates"] + preview["invalid"] + preview["skipped"]
    assert counted == preview["total"] == records
    assert (preview["new"], preview["duplicates"]) == (
        (rows - mirrors, mirrors) if first_time else (0, rows)
    )
    assert preview["invalid"] == len(invalid)
    assert preview["skipped"] == skipped
    assert [s["records"] for s in preview["statements"]] == [
        expected_records(s) for s in variant.statements
    ]
    found = {(p["line"], p["message"]) for p in preview["problems"]}
    for expected in invalid:
        assert any(line == expected.line and expected.field in m for line, m in found), (
            expected,
            found,
        )
    kinds: dict[str, int] = {}
    for group in preview["skipped_groups"]:
        for kind, count in group["kinds"].items():
            kinds[kind] = kinds.get(kind, 0) + count
    assert kinds == {k: v for s in variant.statements for k, v in s.skipped.items()}
    for message in variant.bank_messages:
        assert any(message in said for said in preview["bank_messages"]), message
    assert preview["lists"] == variant.lists
    assert_no_leak(preview)


def check_row(api, account: dict, row: Row, items: list[dict]) -> None:  # type: ignore[no-untyped-def]
    """The transaction the row became, as the person sees it in the account."""
    kept = [s for s in row.splits if not s.transfer]
    moved = [s for s in row.splits if s.transfer]
    amount = sum((Decimal(s.amount) for s in kept), Decimal(0)) if row.splits else None
    amount = Decimal(row.amount) if amount is None else amount
    # The other side of a transfer this file wrote from an earlier statement has that side's
    # payee: it is the one transaction, seen from this account.
    on_day = [
        t for t in items if t["date"] == row.date and (t["payee"] == row.payee or row.mirror_of)
    ]
    if not row.splits or kept:
        matches = [t for t in on_day if Decimal(t["ledger_entry"]["amount"]) == amount]
        assert len(matches) == 1, (row, on_day)
        found = matches[0]
        assert found["cleared"] == row.cleared
        if row.mirror_of:
            return
        for text in row.memo_has:
            assert text in found["memo"], (text, found["memo"])
        if row.original:
            assert f"rounded from {row.original}" in found["memo"]
        assert found["tags"] == sorted({t.lower() for t in row.tags})
        if row.transfer:
            assert found["kind"] == "transfer"
            other = found["to_account_id"] if amount < 0 else found["account_id"]
            assert api.get(f"/api/v1/accounts/{other}").get_json()["name"] == row.transfer
        elif len(kept) > 1:
            lines = [(Decimal(s["amount"]), s["category"]) for s in found["splits"]]
            sign = 1 if amount > 0 else -1
            assert sorted(lines, key=str) == sorted(
                [(sign * Decimal(s.amount), category_name(s.category) if s.category else None)
                 for s in kept],
                key=str,
            )  # fmt: skip
        else:
            category = row.category or (kept[0].category if kept else None)
            assert found["category"] == (category_name(category) if category else None)
    for split in moved:
        transfers = [
            t
            for t in items
            if t["date"] == row.date
            and t["kind"] == "transfer"
            and Decimal(t["ledger_entry"]["amount"]) == Decimal(split.amount)
        ]
        assert len(transfers) == 1, (split, items)


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.file)
def test_a_bank_file_imports_every_record_once_or_is_refused_for_its_true_reason(api, variant):
    content = (CORPUS / variant.file).read_bytes()
    name = Path(variant.file).name
    if variant.refused:
        target = api.account("Checking", currency=variant.account_currency)
        problem = assert_problem(
            api.upload("/api/v1/imports", content, name, account_id=target["id"]), 422, "file"
        )
        assert variant.refused in problem["errors"]["file"], problem
        assert_no_leak(problem)
        return
    accounts = accounts_for(api, variant)
    batch = api.start_import(accounts[0]["id"], content, name)
    assert_no_leak(batch)

    first = api.get(f"/api/v1/imports/{batch['id']}/preview?limit=100").get_json()
    wanted = [r for s in variant.statements for r in s.rows if r.original]
    assert first["rounding"]["needed"] == len(wanted)
    options = options_for(variant, accounts)
    chosen = api.put(f"/api/v1/imports/{batch['id']}/options?limit=100", json=options)
    assert chosen.status_code == 200, chosen.get_json()
    preview = chosen.get_json()
    check_preview(preview, variant, first_time=True)
    assert {(r["line"], r["original"]) for r in preview["rounding"]["rows"]} == {
        (r.line, r.original) for r in wanted
    }

    committed = api.post(f"/api/v1/imports/{batch['id']}/commit")
    assert committed.status_code == 202, committed.get_json()
    done = wait_until_finished(api, batch["id"])
    assert done["status"] == "done", done
    assert (done["new_rows"], done["duplicate_rows"]) == (preview["new"], preview["duplicates"])
    assert (done["invalid_rows"], done["skipped_rows"]) == (preview["invalid"], preview["skipped"])
    assert done["total_rows"] == preview["total"]
    assert len(done["report"]["invalid_skipped"]) == preview["invalid"]
    assert_no_leak(done)
    for account, statement in zip(accounts, variant.statements, strict=False):
        items = api.get(f"/api/v1/transactions?account_id={account['id']}&per_page=200")
        for row in statement.rows:
            check_row(api, account, row, items.get_json()["items"])

    again = api.start_import(accounts[0]["id"], content, name)
    api.put(f"/api/v1/imports/{again['id']}/options", json=options)
    preview = api.get(f"/api/v1/imports/{again['id']}/preview?limit=100").get_json()
    check_preview(preview, variant, first_time=False)
