"""A long history exports whole, in order, and at a cost that does not grow with its length."""

import csv
import datetime as dt
import io
from decimal import Decimal

from tests.integration.api.test_statement_counts import statements

from finance_tracker.services import exports, transactions
from finance_tracker.services.transactions import TransactionFilter, TransactionInput

START = dt.date(2026, 1, 1)


def _history(db, person, days: int, per_day: int) -> None:  # type: ignore[no-untyped-def]
    """Several transactions on each day (ties on the date), every third one a transfer."""
    with db.session() as s:
        for day in range(days):
            for n in range(per_day):
                date = START + dt.timedelta(days=day)
                if n % 3 == 0:
                    row = TransactionInput(
                        "transfer", person.checking, date, f"{n + 1}", "Card",
                        to_account_id=person.card, to_amount=f"{n + 2}",
                    )  # fmt: skip
                else:
                    row = TransactionInput("expense", person.checking, date, f"{n}.50", f"P{n}")
                transactions.create(s, person.id, row)


def test_batches_hold_every_transaction_once_newest_first_across_equal_dates(db, person):
    _history(db, person, days=4, per_day=5)
    with db.session() as s:
        listed = [row.id for row in transactions.search(s, person.id, per_page=200).items]
        batched = [
            row.id
            for batch in transactions.newest_first_in_batches(s, person.id, batch_size=3)
            for row in batch
        ]
        only_transfers = TransactionFilter(kind="transfer")
        transfers = [
            row.id
            for batch in transactions.newest_first_in_batches(
                s, person.id, only_transfers, batch_size=2
            )
            for row in batch
        ]
    assert batched == listed and len(batched) == len(set(batched))
    assert len(transfers) == 8  # 2 a day: a transfer is one row, from the account it left


def test_the_csv_export_sends_the_same_statements_for_a_short_and_a_long_history(db, person):
    def export() -> tuple[list[dict[str, str]], int]:
        with statements(db) as sent:
            text = "".join(exports.transactions_csv(db.session, person.id, ip=None))
        return list(csv.DictReader(io.StringIO(text))), len(sent)

    _history(db, person, days=1, per_day=6)
    short, short_statements = export()
    _history(db, person, days=20, per_day=6)  # many transfers, still one batch
    long, long_statements = export()

    assert len(short) == 6 and len(long) == 126
    assert long_statements == short_statements  # no query per row or per transfer
    transfers = [r for r in long if r["kind"] == "transfer"]
    assert len(transfers) == 42
    for row in transfers:  # each with its own other leg: the card got one more than was sent
        assert row["transfer_account"] == "US card"
        assert Decimal(row["transfer_amount"]) == -Decimal(row["amount"]) + 1
