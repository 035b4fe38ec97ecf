"""A person records income, expenses, transfers and splits; balances follow exactly."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from finance_tracker.services import accounts, categories, dashboard, reports, transactions
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.services.transactions import SplitInput, TransactionFilter, TransactionInput
from finance_tracker.store import summaries
from finance_tracker.store.models import MonthTotal, Transaction

DAY = dt.date(2026, 11, 10)


def category_id(session, user_id, name):
    return next(c.id for c in categories.list_all(session, user_id) if c.name == name)


def count_rows(db):
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Transaction))


def test_income_and_expense_move_the_balance(db, person):
    with db.session() as s:
        transactions.create(
            s, person.id, TransactionInput("income", person.checking, DAY, "1000.00", "Acme")
        )
        transactions.create(
            s, person.id, TransactionInput("expense", person.checking, DAY, "12.34", "Bakery")
        )
    with db.session() as s:
        assert accounts.balance(s, person.id, person.checking) == 100_00 + 1000_00 - 12_34


def test_a_transfer_writes_both_legs_and_keeps_net_worth(db, person):
    with db.session() as s:
        row = transactions.create(
            s, person.id,
            TransactionInput("transfer", person.checking, DAY, "40", "Save", to_account_id=person.savings),
        )  # fmt: skip
        legs = s.scalars(
            select(Transaction).where(Transaction.transfer_group == row.transfer_group)
        ).all()
    assert sorted(leg.amount_minor for leg in legs) == [-4000, 4000]
    with db.session() as s:
        assert accounts.balance(s, person.id, person.checking) == 6000
        assert accounts.balance(s, person.id, person.savings) == 4000
        summary = dashboard.build(s, person.id, today=DAY)
    eur = next(c for c in summary.currencies if c.currency == "EUR")
    assert eur.net_worth_minor == 10000
    assert eur.income_this_month_minor == 0 and eur.spending_this_month_minor == 0


def test_a_transfer_across_currencies_needs_the_amount_received(db, person):
    with db.session() as s, pytest.raises(InvalidInput) as caught:
        transactions.create(
            s, person.id,
            TransactionInput("transfer", person.checking, DAY, "50", "Pay card", to_account_id=person.card),
        )  # fmt: skip
    assert "to_amount" in caught.value.errors
    with db.session() as s:
        transactions.create(
            s, person.id,
            TransactionInput("transfer", person.checking, DAY, "50", "Pay card",
                             to_account_id=person.card, to_amount="54.10"),
        )  # fmt: skip
    with db.session() as s:
        assert accounts.balance(s, person.id, person.card) == 5410
        assert accounts.balance(s, person.id, person.checking) == 5000


def test_a_split_counts_each_line_in_its_category(db, person):
    with db.session() as s:
        groceries = category_id(s, person.id, "Groceries")
        household = category_id(s, person.id, "Household")
        row = transactions.create(
            s, person.id,
            TransactionInput("expense", person.checking, DAY, "30.00", "HyperStore",
                             splits=[SplitInput("20.00", groceries), SplitInput("10.00", household)]),
        )  # fmt: skip
        assert row.is_split and len(row.lines) == 2
    with db.session() as s:
        assert accounts.balance(s, person.id, person.checking) == 7000
        eur = next(
            c for c in dashboard.build(s, person.id, today=DAY).currencies if c.currency == "EUR"
        )
    assert dict(eur.spending_by_category) == {"Food": 2000, "Shopping": 1000}
    assert eur.spending_this_month_minor == 3000


def test_editing_a_split_into_a_transfer_leaves_no_orphan_rows(db, person):
    with db.session() as s:
        groceries = category_id(s, person.id, "Groceries")
        row = transactions.create(
            s, person.id,
            TransactionInput("expense", person.checking, DAY, "30", "Shop",
                             splits=[SplitInput("20", groceries), SplitInput("10", None)]),
        )  # fmt: skip
    with db.session() as s:
        transactions.update(
            s, person.id, row.id,
            TransactionInput("transfer", person.checking, DAY, "25", "Move", to_account_id=person.savings),
        )  # fmt: skip
    assert count_rows(db) == 2
    with db.session() as s:
        assert accounts.balance(s, person.id, person.checking) == 7500
        assert accounts.balance(s, person.id, person.savings) == 2500
    with db.session() as s:
        transactions.delete(s, person.id, row.id)
    assert count_rows(db) == 0


def test_a_transfer_edited_from_its_incoming_leg_stays_one_transfer(db, person):
    with db.session() as s:
        row = transactions.create(
            s, person.id,
            TransactionInput("transfer", person.checking, DAY, "10", "Move", to_account_id=person.savings),
        )  # fmt: skip
        incoming = transactions.transfer_counterpart(s, row)
    with db.session() as s:
        data = transactions.as_input(s, transactions.get(s, person.id, incoming.id))
        assert (data.account_id, data.to_account_id, data.amount) == (
            person.checking,
            person.savings,
            "10.00",
        )
        data.amount = data.to_amount = "15.00"
        transactions.update(s, person.id, incoming.id, data)
    assert count_rows(db) == 2
    with db.session() as s:
        assert accounts.balance(s, person.id, person.savings) == 1500


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "1.234"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"date": dt.date(1800, 1, 1)}, "date"),
        ({"kind": "gift"}, "kind"),
        ({"account_id": 999999}, "account_id"),
        ({"payee": "x" * 201}, "payee"),
        ({"kind": "transfer"}, "to_account_id"),
        ({"splits": [SplitInput("1.00"), SplitInput("1.50")]}, "splits"),
        ({"splits": [SplitInput("3.00")]}, "splits"),
        ({"splits": [SplitInput("1.001"), SplitInput("1.999")]}, "splits.0"),
        ({"category_id": 999999}, "category_id"),
        ({"tags": ["a,b"]}, "tags"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(db, person, change, field):
    data = TransactionInput("expense", person.checking, DAY, "3.00", "Shop")
    for name, value in change.items():
        setattr(data, name, value)
    with db.session() as s, pytest.raises(InvalidInput) as caught:
        transactions.create(s, person.id, data)
    assert field in caught.value.errors
    assert count_rows(db) == 0


def test_another_persons_accounts_and_transactions_are_invisible(db, person, stranger):
    with db.session() as s:
        theirs = transactions.create(
            s, stranger.id, TransactionInput("expense", stranger.wallet, DAY, "1", "Secret")
        )
    with db.session() as s:
        with pytest.raises(NotFound):
            transactions.get(s, person.id, theirs.id)
        with pytest.raises(NotFound):
            transactions.delete(s, person.id, theirs.id)
        with pytest.raises(InvalidInput):
            transactions.create(
                s, person.id, TransactionInput("expense", stranger.wallet, DAY, "1", "x")
            )
        with pytest.raises(InvalidInput):
            transactions.create(
                s, person.id,
                TransactionInput("transfer", person.checking, DAY, "1", "x", to_account_id=stranger.wallet),
            )  # fmt: skip
        assert transactions.search(s, person.id).total == 0
        with pytest.raises(InvalidInput):
            transactions.search(s, person.id, TransactionFilter(account_id=stranger.wallet))
    assert count_rows(db) == 1


def test_uncategorised_finds_what_the_spending_report_counts_as_uncategorised(db, person):
    with db.session() as s:
        groceries = category_id(s, person.id, "Groceries")
        salary = category_id(s, person.id, "Salary")

        def add(payee, kind="expense", category=None, splits=(), to=None):
            return transactions.create(
                s, person.id,
                TransactionInput(kind, person.checking, DAY, "30.00", payee, category_id=category,
                                 splits=list(splits), to_account_id=to),
            )  # fmt: skip

        add("Kiosk")
        add("Odd job", kind="income")
        add("Grocer", category=groceries)
        add("ACME", kind="income", category=salary)
        add("To savings", kind="transfer", to=person.savings)
        add("Half known", splits=[SplitInput("20.00", groceries), SplitInput("10.00", None)])
        add("All known", splits=[SplitInput("20.00", groceries), SplitInput("10.00", groceries)])
    with db.session() as s:
        found = transactions.search(s, person.id, TransactionFilter(uncategorised=True)).items
        assert sorted(t.payee for t in found) == ["Half known", "Kiosk", "Odd job"]
        with pytest.raises(InvalidInput) as refused:
            transactions.search(
                s, person.id, TransactionFilter(uncategorised=True, category_id=groceries)
            )
        assert refused.value.errors == {
            "category_id": "choose a category or uncategorised, not both"
        }


def test_search_filters_sorts_and_pages(db, person):
    with db.session() as s:
        food = category_id(s, person.id, "Food")
        groceries = category_id(s, person.id, "Groceries")
        for day, amount, payee, tags in [
            (dt.date(2026, 1, 5), "5.00", "Coffee House", []),
            (dt.date(2026, 2, 5), "50.00", "Fresh Market", ["weekly"]),
            (dt.date(2026, 3, 5), "500.00", "Landlord", []),
        ]:
            transactions.create(
                s, person.id,
                TransactionInput("expense", person.checking, day, amount, payee, tags=tags,
                                 category_id=groceries if payee == "Fresh Market" else None),
            )  # fmt: skip
    with db.session() as s:

        def payees(filters=None, **kw):
            return [t.payee for t in transactions.search(s, person.id, filters, **kw).items]

        assert payees() == ["Landlord", "Fresh Market", "Coffee House"]
        assert payees(sort="amount", descending=False) == [
            "Landlord",
            "Fresh Market",
            "Coffee House",
        ]
        assert payees(sort="payee", descending=False) == [
            "Coffee House",
            "Fresh Market",
            "Landlord",
        ]
        assert payees(TransactionFilter(text="market")) == ["Fresh Market"]
        assert payees(TransactionFilter(text="%")) == []
        assert payees(
            TransactionFilter(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))
        ) == ["Fresh Market"]
        assert payees(TransactionFilter(category_id=food)) == ["Fresh Market"]
        assert payees(TransactionFilter(tag="weekly")) == ["Fresh Market"]
        assert payees(TransactionFilter(amount_min="10", amount_max="100")) == ["Fresh Market"]
        assert payees(TransactionFilter(account_id=person.savings)) == []
        page = transactions.search(s, person.id, per_page=2, page=2)
        assert (page.total, page.pages, [t.payee for t in page.items]) == (3, 2, ["Coffee House"])
        for bad in ({"sort": "color"}, {"page": 0}, {"per_page": 1000}):
            with pytest.raises(InvalidInput):
                transactions.search(s, person.id, **bad)
        with pytest.raises(InvalidInput):
            transactions.search(s, person.id, TransactionFilter(amount_min="lots"))


def month_totals(s):
    rows = s.scalars(select(MonthTotal)).all()
    return {(m.month, m.account_id, m.category_id, m.kind): (m.total_minor, m.count) for m in rows}


def spent(s, user_id):
    found = reports.spending_by_category(s, user_id, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    return {row.name: row.spent_minor for row in found}


def test_after_an_import_many_uncategorised_get_one_category_at_once(db, person):
    with db.session() as s:
        groceries = category_id(s, person.id, "Groceries")
        ids = [
            transactions.create(
                s, person.id, TransactionInput("expense", person.checking, day, amount, payee)
            ).id
            for day, amount, payee in [
                (dt.date(2026, 10, 30), "12.00", "Corner shop"),
                (DAY, "30.00", "Market"),
                (DAY, "5.50", "Bakery"),
            ]
        ]
        assert spent(s, person.id) == {"Uncategorised": 47_50}
    with db.session() as s:
        rows = transactions.set_category(s, person.id, [*ids, ids[0]], groceries)
        assert [r.id for r in rows] == ids  # asked twice, changed once
        assert {r.category.full_name for r in rows} == {"Food › Groceries"}
    with db.session() as s:
        assert spent(s, person.id) == {"Food": 47_50}  # October and November alike
        assert transactions.search(s, person.id, TransactionFilter(uncategorised=True)).total == 0
        summaries.settle(s, person.id)
        kept = month_totals(s)
    with db.session() as s:
        summaries.refresh(s, person.id)  # recomputed as this unit of work commits
    with db.session() as s:
        assert month_totals(s) == kept  # the summaries equal a recomputation
    with db.session() as s:
        transactions.set_category(s, person.id, ids[1:], None)
    with db.session() as s:
        assert spent(s, person.id) == {"Food": 12_00, "Uncategorised": 35_50}


def test_categorising_is_all_or_nothing(db, person, stranger):
    with db.session() as s:
        groceries = category_id(s, person.id, "Groceries")
        mine = transactions.create(
            s, person.id, TransactionInput("expense", person.checking, DAY, "9.00", "Kiosk")
        ).id
        split = transactions.create(
            s, person.id,
            TransactionInput("expense", person.checking, DAY, "30.00", "Hypermarket",
                             splits=[SplitInput("20.00", None), SplitInput("10.00", groceries)]),
        )  # fmt: skip
        transfer = transactions.create(
            s, person.id,
            TransactionInput("transfer", person.checking, DAY, "40", "Save", to_account_id=person.savings),
        )  # fmt: skip
        incoming = transactions.transfer_counterpart(s, transfer)
        assert incoming is not None
        theirs = transactions.create(
            s, stranger.id, TransactionInput("expense", stranger.wallet, DAY, "1.00", "Eve's")
        ).id
        their_category = category_id(s, stranger.id, "Groceries")
        split_id, transfer_id, incoming_id = split.id, transfer.id, incoming.id
        line_id = split.lines[0].id

    def refused(ids, category=groceries):
        with db.session() as s, pytest.raises(InvalidInput) as caught:
            transactions.set_category(s, person.id, ids, category)
        return caught.value.errors

    assert refused([mine, theirs]) == {"ids": f"no such transaction: {theirs}"}
    assert refused([mine, line_id, 2**31 - 1]) == {
        "ids": f"no such transaction: {line_id}, {2**31 - 1}"
    }
    assert refused([mine], their_category) == {"category_id": "unknown category"}
    assert refused([mine, transfer_id, incoming_id, split_id]) == {
        "ids": "nothing changed: unselect 2 transfers (a transfer has no category) and "
        "1 split transaction (edit a split to change the categories of its lines) and try again"
    }
    assert refused([]) == {"ids": "choose at least one transaction"}
    assert refused(list(range(1, 502))) == {"ids": "choose at most 500 transactions at a time"}
    with db.session() as s:
        assert s.get(Transaction, mine).category_id is None
        assert s.get(Transaction, theirs).category_id is None
        assert transactions.get(s, person.id, split_id).lines[0].category_id is None
        assert spent(s, person.id) == {"Uncategorised": 29_00, "Food": 10_00}
