"""The benchmarked reads send a small, fixed number of SQL statements, however much data there
is: an N+1 (a query per row, a lazy load per budget) would show here long before in a benchmark.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

# Converting an account in another currency adds the same few at any size: the accounts in
# other currencies, the rates stored (in the range and the latest before it), the rates of
# cross-currency transfers (in the range, and before it), that account's sums per day.
CONVERSION = 5
BENCHMARKED = {
    # path -> at most this many statements, the token check included. Budgets: this month's,
    # the categories, their history, the monthly spending. Reports: categories (the first) and
    # the monthly summary, the home currency; whole months never touch the transactions table
    # but for accounts in other currencies.
    "/api/v1/budgets/2026-02": 5 + CONVERSION,
    "/api/v1/reports/spending-by-category?date_from=2026-02-01&date_to=2026-02-28": 4 + CONVERSION,
    "/api/v1/reports/income-expense?date_from=2016-03-01&date_to=2026-02-28": 3 + CONVERSION,
}


@contextmanager
def statements(db) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    sent: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        # SQLite's BEGIN is sent as a statement of ours (psycopg sends PostgreSQL's itself):
        # counted on neither, so that both count the same queries.
        if not statement.startswith("BEGIN"):
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def grow(api, accounts: list[dict], categories: list[int], months: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Budgets for every category (rolling over), spending in every one of them and month."""
    for month in months:
        for n, category in enumerate(categories):
            response = api.put(
                f"/api/v1/budgets/{month}/{category}",
                json={"amount": f"{100 + n}", "currency": "EUR", "rollover": True},
            )
            assert response.status_code == 200, response.get_json()
            for account in accounts:
                api.transaction(
                    kind="expense", account_id=account["id"], date=f"{month}-1{n % 9}",
                    amount=f"{n + 1}.25", category_id=category,
                )  # fmt: skip


def counts(api, db) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    found = {}
    for path in BENCHMARKED:
        api.get(path)  # warm: the token's last use is written at most once in a while
        with statements(db) as sent:
            response = api.get(path)
        assert response.status_code == 200, response.get_json()
        found[path] = sent
    return found


@pytest.mark.parametrize("path", list(BENCHMARKED))
def test_a_benchmarked_read_sends_the_same_few_statements_at_any_size(api, db, path):
    top = [api.category_id(name) for name in ("Food", "Housing", "Transport")]
    subs = [api.category_id(name) for name in ("Food › Groceries", "Food › Coffee")]
    first = [api.account("Checking", opening="1000"), api.account("Travel", currency="USD")]
    api.create(
        "/api/v1/rates", {"base": "EUR", "quote": "USD", "date": "2016-01-04", "rate": "1.09"}
    )
    grow(api, first, top[:1], ["2026-01", "2026-02"])
    small = counts(api, db)[path]

    more = [*first, api.account("Savings"), api.account("Card")]
    grow(api, more, top + subs, ["2025-12", "2026-01", "2026-02"])
    large = counts(api, db)[path]

    assert len(large) == len(small), (small, large)
    # PostgreSQL: one more, the look for deltas appended by writes and not folded in yet.
    limit = BENCHMARKED[path] + (0 if db.is_sqlite else 1)
    assert len(large) <= limit, "\n".join(large)
    # Reads only: no lazy load writes, and no statement per row either.
    assert all(s.lstrip().upper().startswith("SELECT") for s in large), large


def test_a_page_of_split_transactions_loads_their_lines_in_one_statement(api, db):
    """Split lines are eager-loaded for the whole page, not fetched transaction by transaction."""
    account = api.account("Checking", opening="1000")["id"]
    food = api.category_id("Food")

    def add_splits(count: int) -> None:
        for n in range(count):
            api.transaction(
                kind="expense", account_id=account, date=f"2026-02-{n % 28 + 1:02d}",
                amount="3.00", payee=f"Shop {n}",
                splits=[{"amount": "2.00", "category_id": food}, {"amount": "1.00"}],
            )  # fmt: skip

    def page_statements() -> list[str]:
        api.get("/api/v1/transactions?per_page=100")  # warm the token's last use
        with statements(db) as sent:
            response = api.get("/api/v1/transactions?per_page=100")
        assert response.status_code == 200, response.get_json()
        return sent

    add_splits(2)
    few = page_statements()
    add_splits(30)
    many = page_statements()
    assert len(many) == len(few), "\n".join(many)
