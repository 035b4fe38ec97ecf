"""A realistic demo data set: one person's last twelve months, the same for the same seed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finance_tracker.services import accounts, transactions, users
from finance_tracker.services.accounts import AccountInput
from finance_tracker.services.transactions import SplitInput, TransactionInput
from finance_tracker.store.models import Category, Transaction, User

ACCOUNTS = [
    AccountInput("Checking", "checking", "EUR", "2450.00"),
    AccountInput("Savings", "savings", "EUR", "8000.00"),
    AccountInput("Credit card", "credit_card", "EUR", "0"),
    AccountInput("Wallet", "cash", "EUR", "60.00"),
]

# (payee, category, typical amount range in cents, times a month, account)
EVERYDAY = [
    ("Fresh Market", "Groceries", (1800, 9500), 7, "Checking"),
    ("Corner Bakery", "Coffee", (250, 900), 6, "Wallet"),
    ("Trattoria Roma", "Restaurants", (2400, 7800), 2, "Credit card"),
    ("City Transit", "Public transport", (290, 290), 10, "Checking"),
    ("Shell", "Fuel", (4000, 7500), 1, "Credit card"),
    ("Pharmacy Plus", "Pharmacy", (600, 3500), 1, "Checking"),
    ("Cinema Lux", "Entertainment", (1200, 3200), 1, "Credit card"),
]

MONTHLY = [
    (1, "Acme Properties", "Rent", 115000, "Checking"),
    (5, "City Power & Water", "Utilities", 9000, "Checking"),
    (8, "Telco Mobile", "Phone", 2499, "Checking"),
    (8, "FiberNet", "Internet", 3999, "Checking"),
    (12, "StreamFlix", "Subscriptions", 1399, "Credit card"),
    (15, "FitClub", "Sport", 3900, "Checking"),
]


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def load(
    session: Session, email: str, password: str, *, seed: int = 2026, today: dt.date | None = None
) -> str:
    """Create the demo user if needed and give them a year of history; a second run adds nothing."""
    today = today or dt.date.today()
    user = session.scalar(select(User).where(User.email == users.normalise_email(email)))
    if user is None:
        user = users.register(session, email, password, "EUR")
    elif session.scalar(select(func.count()).where(Transaction.user_id == user.id)):
        return f"{user.email} already has data; nothing loaded"
    rng = random.Random(seed)
    ids = {a.name: accounts.create(session, user.id, a).id for a in ACCOUNTS}
    categories = {
        c.name: c.id for c in session.scalars(select(Category).where(Category.user_id == user.id))
    }

    def add(kind: str, account: str, day: dt.date, cents: int, payee: str, category: str | None,
            **extra: object) -> None:  # fmt: skip
        transactions.create(
            session,
            user.id,
            TransactionInput(
                kind=kind,
                account_id=ids[account],
                date=day,
                amount=_money(cents),
                payee=payee,
                category_id=categories.get(category) if category else None,
                **extra,  # type: ignore[arg-type]
            ),  # fmt: skip
        )

    start = (today.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    count = 0
    for day in _days(start, today):
        if day.day == 25:
            add("income", "Checking", day, 385000, "Acme Corp", "Salary", memo="Monthly salary")
            add("transfer", "Checking", day, 50000, "Savings plan", None,
                to_account_id=ids["Savings"])  # fmt: skip
            count += 2
        if day.day == 28:
            add("transfer", "Checking", day, rng.randrange(30000, 60000), "Card payment", None,
                to_account_id=ids["Credit card"])  # fmt: skip
            count += 1
        for day_of_month, payee, category, cents, account in MONTHLY:
            if day.day == day_of_month:
                add("expense", account, day, cents, payee, category)
                count += 1
        for payee, category, (low, high), per_month, account in EVERYDAY:
            if rng.random() < per_month / 30:
                add("expense", account, day, rng.randint(low, high), payee, category,
                    tags=["vacation"] if day.month == 8 else [])  # fmt: skip
                count += 1
        if day.weekday() == 5 and rng.random() < 0.3:
            food, home = rng.randint(2500, 6000), rng.randint(800, 3000)
            add("expense", "Checking", day, food + home, "HyperStore", None, memo="Weekly shop",
                splits=[SplitInput(_money(food), categories["Groceries"], "food"),
                        SplitInput(_money(home), categories["Household"], "cleaning")])  # fmt: skip
            count += 1
        if day.day == 1 and day.month in (3, 9):
            add("income", "Savings", day, rng.randint(1500, 4000), "Bank", "Interest")
            count += 1
        if day.day == 2 and day.month in (1, 4, 7, 10):
            add("transfer", "Checking", day, 10000, "Cash machine", None,
                to_account_id=ids["Wallet"])  # fmt: skip
            count += 1
    return f"loaded {count} transactions for {user.email} ({start} to {today})"
