"""A process keeps the rates it read (store/rate_queries.stored_rates) until the person's rates
change: every entry, correction, upload and deletion shows in the next report, also one written
by another process, and rates read inside a write that was rolled back are never served."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance_tracker.services import rates
from finance_tracker.services.rates import RateInput
from finance_tracker.store import rate_queries
from finance_tracker.store.models import ExchangeRate

DAY = dt.date(2026, 11, 2)


def _usd_in_eur(session, user_id: int) -> Decimal | None:  # type: ignore[no-untyped-def]
    book, _foreign = rates.book_for(session, user_id, "EUR", DAY, DAY)
    found = book.find("USD", "EUR", DAY)
    return found.factor if found else None


def test_each_change_of_a_persons_rates_shows_in_the_next_read(db, person) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        assert _usd_in_eur(session, person.id) is None
    with db.session() as session:
        rates.add(session, person.id, RateInput("EUR", "USD", DAY, "1.25"))
    with db.session() as session:
        assert _usd_in_eur(session, person.id) == Decimal("0.8")
    with db.session() as session:  # the same pair and day again: the same row, corrected
        rates.add(session, person.id, RateInput("EUR", "USD", DAY, "2"))
    with db.session() as session:
        assert _usd_in_eur(session, person.id) == Decimal("0.5")
        rate_id = session.query(ExchangeRate.id).filter_by(user_id=person.id).scalar()
    with db.session() as session:
        rates.delete_rate(session, person.id, rate_id)
    with db.session() as session:
        assert _usd_in_eur(session, person.id) is None


def test_rates_read_inside_a_write_that_was_rolled_back_are_not_served(db, person) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), db.session() as session:
        rates.add(session, person.id, RateInput("EUR", "USD", DAY, "3"))
        assert round(_usd_in_eur(session, person.id), 6) == Decimal("0.333333")  # read, kept
        raise RuntimeError("the request fails after reading")
    with db.session() as session:
        rates.add(session, person.id, RateInput("EUR", "USD", DAY, "4"))
    with db.session() as session:
        assert _usd_in_eur(session, person.id) == Decimal("0.25")


def test_a_process_holds_no_more_rates_than_its_allowance(
    db, person, stranger, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rate_queries, "_kept", rate_queries.KeptLists(limit=3))
    with db.session() as session:
        for user_id in (person.id, stranger.id):
            rates.add(session, user_id, RateInput("EUR", "USD", DAY, "1.25"))
            rates.add(session, user_id, RateInput("EUR", "USD", DAY - dt.timedelta(days=1), "2"))
    with db.session() as session:
        assert _usd_in_eur(session, person.id) == Decimal("0.8")
        # The stranger holds euros only: their book is read for a dollar home currency.
        book, _foreign = rates.book_for(session, stranger.id, "USD", DAY, DAY)
        assert book.find("EUR", "USD", DAY).factor == Decimal("1.25")  # type: ignore[union-attr]
        # The person's two rates went to make room for the stranger's two.
        assert rate_queries._kept.held == 2
        assert _usd_in_eur(session, person.id) == Decimal("0.8")  # read again, right again
