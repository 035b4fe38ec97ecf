"""Reports equal a straightforward recomputation over the raw transactions, whatever the history."""

import datetime as dt
import random
from collections import defaultdict

import pytest
from sqlalchemy import select

from finance_tracker.services import categories, reports, transactions
from finance_tracker.services.transactions import SplitInput, TransactionInput
from finance_tracker.store import summaries
from finance_tracker.store.models import Account, MonthTotal, Transaction

START = dt.date(2025, 1, 1)


@pytest.fixture
def random_history(db, person):
    """~150 random transactions of every kind, then random edits and deletes."""
    rng = random.Random(7)
    with db.session() as s:
        cats = [c.id for c in categories.list_all(s, person.id)] + [None]
        ids = []
        for _ in range(150):
            day = START + dt.timedelta(days=rng.randrange(0, 500))
            kind = rng.choice(["income", "expense", "expense", "expense", "transfer"])
            account = rng.choice([person.checking, person.savings, person.card])
            cents = rng.randrange(1, 50_000)
            data = TransactionInput(
                kind, account, day, f"{cents / 100:.2f}", rng.choice(["A", "B", "C", "D"])
            )
            if kind == "transfer":
                data.to_account_id = (
                    person.savings if account != person.savings else person.checking
                )
                data.to_amount = f"{cents / 100:.2f}" if account != person.card else "1.00"
            elif rng.random() < 0.2:
                first = rng.randrange(1, cents) if cents > 1 else 1
                data.splits = [SplitInput(f"{first / 100:.2f}", rng.choice(cats)),
                               SplitInput(f"{(cents - first) / 100:.2f}", rng.choice(cats))]  # fmt: skip
                if cents == 1:
                    data.splits = []
            else:
                data.category_id = rng.choice(cats)
            ids.append(transactions.create(s, person.id, data).id)
    with db.session() as s:
        for transaction_id in rng.sample(ids, 20):
            transactions.delete(s, person.id, transaction_id)
            ids.remove(transaction_id)
        for transaction_id in rng.sample(ids, 20):
            data = transactions.as_input(s, transactions.get(s, person.id, transaction_id))
            data.date = START + dt.timedelta(days=rng.randrange(0, 500))
            transactions.update(s, person.id, transaction_id, data)
    return person


def leaves(s, user_id):
    query = (
        select(Transaction, Account.currency)
        .join(Account, Account.id == Transaction.account_id)
        .where(Transaction.user_id == user_id, Transaction.is_split.is_(False))
    )
    return list(s.execute(query))


def test_month_totals_equal_a_fresh_group_by(db, random_history):
    with db.session() as s:
        summaries.settle(s, random_history.id)  # as a report does first
        kept = {(m.month, m.account_id, m.category_id, m.kind): (m.total_minor, m.count)
                for m in s.scalars(select(MonthTotal))}  # fmt: skip
    with db.session() as s:
        summaries.refresh(s, random_history.id)  # recomputed as this unit of work commits
    with db.session() as s:
        fresh = {(m.month, m.account_id, m.category_id, m.kind): (m.total_minor, m.count)
                 for m in s.scalars(select(MonthTotal))}  # fmt: skip
    assert kept == fresh and len(fresh) > 20


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2025, 3, 1), dt.date(2025, 3, 31)),  # one whole month
        (dt.date(2025, 2, 14), dt.date(2025, 9, 3)),  # ragged at both ends
        (dt.date(2025, 5, 10), dt.date(2025, 5, 20)),  # inside one month
        (dt.date(2024, 1, 1), dt.date(2026, 12, 31)),  # everything
    ],
)
def test_reports_equal_a_naive_sum(db, random_history, start, end):
    user = random_history.id
    with db.session() as s:
        rows = [(t, c) for t, c in leaves(s, user) if start <= t.date <= end]
        tree = {c.id: c for c in categories.list_all(s, user)}
        by_category = reports.spending_by_category(s, user, start, end)
        flows = reports.income_expense_by_month(s, user, start, end)
        worth = reports.net_worth_over_time(s, user, start, end)
        everything = leaves(s, user)
        openings = {a.id: a.opening_balance_minor for a in s.scalars(select(Account))}
        currency_of = {a.id: a.currency for a in s.scalars(select(Account))}

    expected = defaultdict(int)
    for t, currency in rows:
        if t.kind == "expense":
            category = tree.get(t.category_id)
            top = None if category is None else (category.parent_id or category.id)
            expected[(currency, top)] -= t.amount_minor
    assert {(r.currency, r.category_id): r.spent_minor for r in by_category} == {
        k: v for k, v in expected.items() if v
    }

    monthly = defaultdict(lambda: [0, 0])
    for t, currency in rows:
        if t.kind in ("income", "expense"):
            monthly[(currency, t.date.replace(day=1))][0 if t.kind == "income" else 1] += abs(
                t.amount_minor
            )
    for flow in flows:
        assert [flow.income_minor, flow.expense_minor] == monthly.get(
            (flow.currency, flow.month), [0, 0]
        )

    for point in worth:
        naive = sum(v for a, v in openings.items() if currency_of[a] == point.currency)
        naive += sum(
            t.amount_minor for t, c in everything if c == point.currency and t.date <= point.day
        )
        assert point.net_worth_minor == naive, point


def test_drill_down_and_top_payees(db, random_history):
    user = random_history.id
    with db.session() as s:
        top = reports.spending_by_category(s, user, START, dt.date(2026, 12, 31))
        parent = next(r for r in top if r.has_children)
        inside = reports.spending_by_category(
            s, user, START, dt.date(2026, 12, 31), parent.category_id
        )
        assert (
            sum(r.spent_minor for r in inside if r.currency == parent.currency)
            == parent.spent_minor
        )
        payees = reports.top_payees(s, user, START, dt.date(2026, 12, 31), limit=2)
        assert len(payees) == 2 and payees[0].spent_minor >= payees[1].spent_minor


def test_bad_report_ranges_are_refused(db, person):
    from finance_tracker.services.errors import InvalidInput

    with db.session() as s:
        for start, end in [
            (dt.date(2026, 2, 1), dt.date(2026, 1, 1)),
            (dt.date(1800, 1, 1), dt.date(2026, 1, 1)),
        ]:
            with pytest.raises(InvalidInput):
                reports.income_expense_by_month(s, person.id, start, end)
