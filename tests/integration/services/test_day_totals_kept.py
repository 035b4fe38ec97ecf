"""A process keeps the day totals it read of an account in another currency
(store/rate_queries.day_totals) until that account's rows change: every write of them shows in
the next read, also one that changes no month total (a row moved within its month) and one made
by another process, a person's own uncommitted writes are read, never kept, and writes to other
accounts leave what was kept alone."""

from __future__ import annotations

import datetime as dt

import pytest

from finance_tracker.services import categories, summaries, transactions
from finance_tracker.services.transactions import TransactionInput
from finance_tracker.store import rate_queries
from finance_tracker.store.models import Transaction

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def _card_days(session, person) -> list[tuple]:  # type: ignore[no-untyped-def]
    return rate_queries.day_totals(
        session, {person.card: "USD"}, person.id, START, END, ("income", "expense")
    )


def _expense(account_id: int, day: int, amount: str, category_id: int | None = None):  # type: ignore[no-untyped-def]
    return TransactionInput(
        "expense", account_id, dt.date(2026, 11, day), amount, payee="Diner",
        category_id=category_id,
    )  # fmt: skip


def test_each_write_of_the_accounts_rows_shows_in_the_next_read(db, person) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        assert _card_days(session, person) == []
        food = categories.create(session, person.id, "Diners").id
    with db.session() as session:
        row_id = transactions.create(session, person.id, _expense(person.card, 3, "10.00")).id
    with db.session() as session:
        assert _card_days(session, person) == [("USD", dt.date(2026, 11, 3), 0, "expense", -1000)]
    with db.session() as session:  # moved within the month: no month total changes
        transactions.update(session, person.id, row_id, _expense(person.card, 5, "10.00"))
    with db.session() as session:
        assert _card_days(session, person) == [("USD", dt.date(2026, 11, 5), 0, "expense", -1000)]
    with db.session() as session:
        transactions.update(session, person.id, row_id, _expense(person.card, 5, "12.50", food))
    with db.session() as session:
        assert _card_days(session, person) == [
            ("USD", dt.date(2026, 11, 5), food, "expense", -1250)
        ]
    with db.session() as session:
        transactions.delete(session, person.id, row_id)
    with db.session() as session:
        assert _card_days(session, person) == []


def test_writes_to_other_accounts_keep_what_was_read(db, person) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        transactions.create(session, person.id, _expense(person.card, 3, "10.00"))
    with db.session() as session:
        first = _card_days(session, person)
    with db.session() as session:
        transactions.create(session, person.id, _expense(person.checking, 3, "99.00"))
    with db.session() as session:
        assert _card_days(session, person) is first  # kept, not read again


def test_own_uncommitted_writes_are_read_and_never_kept(db, person) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        assert _card_days(session, person) == []
    with pytest.raises(RuntimeError), db.session() as session:
        transactions.create(session, person.id, _expense(person.card, 7, "4.20"))
        assert _card_days(session, person) == [("USD", dt.date(2026, 11, 7), 0, "expense", -420)]
        raise RuntimeError("the request fails after reading")
    with db.session() as session:
        assert _card_days(session, person) == []


def test_rows_written_in_bulk_show_once_their_months_are_refreshed(db, person) -> None:  # type: ignore[no-untyped-def]
    """Imports and restores write rows without the ORM and ask for their months again."""
    with db.session() as session:
        assert _card_days(session, person) == []
    with db.session() as session:
        session.add(
            Transaction(
                user_id=person.id, account_id=person.card, date=dt.date(2026, 11, 9),
                kind="income", amount_minor=500, payee="Refund",
            )
        )  # fmt: skip
        summaries.rebuild(session, person.id)
    with db.session() as session:
        assert _card_days(session, person) == [("USD", dt.date(2026, 11, 9), 0, "income", 500)]


def test_a_process_holds_no_more_day_totals_than_its_allowance(db, person, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rate_queries, "_kept_days", rate_queries.KeptLists(limit=2))
    with db.session() as session:
        for day in (3, 4, 5):
            transactions.create(session, person.id, _expense(person.card, day, "1.00"))
    with db.session() as session:
        assert len(_card_days(session, person)) == 3  # more than the allowance: not kept
        assert rate_queries._kept_days.held == 0
        one_day = rate_queries.day_totals(
            session, {person.card: "USD"}, person.id, START, START + dt.timedelta(days=2),
            ("expense",),
        )  # fmt: skip
        assert len(one_day) == 1
        assert rate_queries._kept_days.held == 1


def test_what_is_kept_after_concurrent_writes_and_reads_is_what_the_rows_say(db, person) -> None:  # type: ignore[no-untyped-def]
    """Four writers add to the card while a reader keeps reading (and keeping) its day totals:
    once they are done, what a read serves equals a fresh sum of the rows."""
    import threading

    writers_done = threading.Event()
    failures: list[BaseException] = []

    def write(offset: int) -> None:
        try:
            for n in range(8):
                with db.session() as session:
                    transactions.create(
                        session, person.id, _expense(person.card, 1 + (offset + n) % 28, "1.01")
                    )
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    def read() -> None:
        try:
            while not writers_done.is_set():
                with db.session() as session:
                    _card_days(session, person)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write, args=(offset,)) for offset in range(4)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    writers_done.set()
    reader.join()
    assert failures == []
    with db.session() as session:
        served = sorted(_card_days(session, person))
        fresh = sorted(
            rate_queries._read_day_totals(
                session, {person.card: "USD"}, person.id, START, END, ("income", "expense"),
                True, None,
            )
        )  # fmt: skip
    assert served == fresh
    assert sum(total for *_rest, total in served) == -101 * 32


def test_a_recompute_neither_waits_for_nor_trips_on_an_account_being_deleted(db, person) -> None:  # type: ignore[no-untyped-def]
    """An import's recompute renews every account's version while the person deletes an empty
    one: it skips that account rather than wait for it (and then fail on its foreign key).
    PostgreSQL, where units of work really overlap."""
    import threading

    if db.is_sqlite:
        pytest.skip("SQLite runs one write transaction at a time (BEGIN IMMEDIATE)")

    from finance_tracker.services import accounts
    from finance_tracker.services.accounts import AccountInput

    with db.session() as session:
        old = accounts.create(session, person.id, AccountInput("Old", "cash", "EUR", "0")).id
    deleting = db.sessions()
    try:
        accounts.delete(deleting, person.id, old)  # locked and deleted, not committed yet
        finished = threading.Event()

        def recompute() -> None:
            with db.session() as session:
                summaries.rebuild(session, person.id)
            finished.set()

        thread = threading.Thread(target=recompute, daemon=True)
        thread.start()
        assert finished.wait(10), "the recompute waited for the account being deleted"
        deleting.commit()
    finally:
        deleting.close()
    with db.session() as session:  # and the card's version was renewed all the same
        assert _card_days(session, person) == []
