"""A seeded, realistic benchmark data set: one person's N transactions over ten years.

Writes the same history three ways, in one streaming pass:

* straight into PostgreSQL with COPY, in the app's own schema (migrated to head first), for the
  user bench@example.com (registered through the app's service, so they get the default
  categories and tags);
* an hledger journal (`ledger.journal`);
* a beancount ledger (`ledger.beancount`);

then fills the app's month summaries (if `finance_tracker.services.summaries.rebuild` exists), a
monthly budget for ~15 expense categories (if the `budgets` table exists), runs VACUUM ANALYZE,
and writes `meta.json` (what was generated, and the expected report totals) beside the journals.

`N` counts rows of the `transactions` table: a split is its parent row plus one row per line, a
transfer is its two legs. Same seed, same N, same end month: same data, byte for byte.

    .venv/bin/python bench/generate.py --transactions 100000 --seed 1
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import importlib
import importlib.util
import json
import random
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import psycopg
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/ft_bench"
EMAIL = "bench@example.com"
PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway benchmark user
GENERATOR_VERSION = 1

# Share of the day-to-day events (beyond the fixed monthly schedule) that are splits / income.
P_SPLIT = 0.02
P_INCOME = 0.05
INFLATION = 0.02  # prices and salaries rise by this much a year


# --------------------------------------------------------------------------------------------
# The person: accounts, what they buy, what happens every month.


@dataclass(frozen=True)
class AccountSpec:
    key: str
    name: str
    type: str
    currency: str
    opening: str  # as a user would enter it
    ledger: str  # the hledger / beancount account


ACCOUNTS = (
    AccountSpec("checking", "Checking", "checking", "EUR", "2450.00", "Assets:Checking"),
    AccountSpec("savings", "Savings", "savings", "EUR", "8000.00", "Assets:Savings"),
    AccountSpec("card", "Credit card", "credit_card", "EUR", "0", "Liabilities:Credit-Card"),
    AccountSpec("wallet", "Wallet", "cash", "EUR", "60.00", "Assets:Wallet"),
    AccountSpec("invest", "Investments", "investment", "EUR", "0", "Assets:Investments"),
    AccountSpec("usd", "US checking", "checking", "USD", "1500.00", "Assets:US-Checking"),
)

# Where a purchase is paid from: a few mixes, by name.
PAY = {
    "mixed": (("checking", 5), ("card", 4), ("wallet", 1)),
    "card": (("card", 8), ("checking", 2)),
    "bank": (("checking", 1),),
    "cash": (("wallet", 8), ("card", 2)),
    "usd": (("usd", 1),),
}

# payee, (parent, category) or None for uncategorised, cents low-high, weight, pay mix, tag, p(tag)
EVERYDAY: tuple[tuple[str, tuple[str, str] | None, int, int, float, str, str, float], ...] = (
    ("Fresh Market", ("Food", "Groceries"), 1800, 9500, 12, "mixed", "", 0),
    ("Lidl", ("Food", "Groceries"), 900, 6500, 10, "mixed", "", 0),
    ("Aldi", ("Food", "Groceries"), 900, 6000, 8, "mixed", "", 0),
    ("Organic Corner", ("Food", "Groceries"), 1200, 4500, 3, "card", "", 0),
    ("Farmers Market", ("Food", "Groceries"), 500, 3000, 2, "cash", "", 0),
    ("Trattoria Roma", ("Food", "Restaurants"), 2400, 7800, 3, "card", "reimbursable", 0.05),
    ("Sushi Zen", ("Food", "Restaurants"), 2000, 6500, 2, "card", "reimbursable", 0.05),
    ("Burger Barn", ("Food", "Restaurants"), 1200, 3000, 3, "mixed", "", 0),
    ("Thai Orchid", ("Food", "Restaurants"), 1800, 5000, 2, "card", "", 0),
    ("Pizza Express", ("Food", "Restaurants"), 1500, 4000, 2, "mixed", "", 0),
    ("Corner Bakery", ("Food", "Coffee"), 250, 900, 8, "cash", "", 0),
    ("Coffee Lab", ("Food", "Coffee"), 300, 700, 6, "cash", "", 0),
    ("Starbucks", ("Food", "Coffee"), 350, 900, 3, "card", "", 0),
    ("City Transit", ("Transport", "Public transport"), 290, 290, 8, "bank", "", 0),
    ("Rail Express", ("Transport", "Public transport"), 1500, 9000, 1, "card", "reimbursable", 0.2),
    ("Shell", ("Transport", "Fuel"), 4000, 7500, 2, "card", "", 0),
    ("Aral", ("Transport", "Fuel"), 4000, 8000, 2, "card", "", 0),
    ("Uber", ("Transport", "Taxi"), 900, 3500, 2, "card", "reimbursable", 0.2),
    ("City Cabs", ("Transport", "Taxi"), 1200, 4000, 1, "cash", "", 0),
    ("AutoFix Garage", ("Transport", "Car"), 8000, 60000, 0.3, "bank", "", 0),
    ("Park & Ride", ("Transport", "Car"), 200, 1500, 2, "mixed", "", 0),
    ("Pharmacy Plus", ("Health", "Pharmacy"), 600, 3500, 2, "mixed", "", 0),
    ("Dr. Weber", ("Health", "Doctor"), 2000, 12000, 0.4, "bank", "tax-deductible", 0.3),
    ("Climbing Hall", ("Health", "Sport"), 1200, 1800, 1, "card", "", 0),
    ("Zara", ("Shopping", "Clothing"), 2000, 12000, 1.5, "card", "", 0),
    ("H&M", ("Shopping", "Clothing"), 1500, 8000, 1.5, "card", "", 0),
    ("MediaMarkt", ("Shopping", "Electronics"), 2000, 90000, 0.6, "card", "", 0),
    ("Apple Store", ("Shopping", "Electronics"), 3000, 150000, 0.2, "card", "", 0),
    ("IKEA", ("Shopping", "Household"), 1500, 30000, 1, "card", "", 0),
    ("DM Drogerie", ("Shopping", "Household"), 300, 4000, 4, "mixed", "", 0),
    ("Hardware Depot", ("Shopping", "Household"), 500, 8000, 1, "card", "", 0),
    ("Cinema Lux", ("Leisure", "Entertainment"), 1200, 3200, 1.5, "card", "", 0),
    ("Steam", ("Leisure", "Entertainment"), 500, 6000, 0.8, "card", "", 0),
    ("Concert Hall", ("Leisure", "Entertainment"), 3000, 12000, 0.3, "card", "", 0),
    ("Booking.com", ("Leisure", "Travel"), 8000, 60000, 0.4, "card", "vacation", 0.6),
    ("Lufthansa", ("Leisure", "Travel"), 9000, 80000, 0.2, "card", "vacation", 0.6),
    ("Airbnb", ("Leisure", "Travel"), 10000, 70000, 0.3, "card", "vacation", 0.6),
    ("Book Nook", ("Leisure", "Hobbies"), 800, 4000, 1.5, "mixed", "", 0),
    ("Art Supplies Co", ("Leisure", "Hobbies"), 500, 5000, 0.6, "card", "", 0),
    ("Gift Shop", ("Family", "Gifts"), 1000, 8000, 0.8, "mixed", "", 0),
    ("Toy World", ("Family", "Children"), 1000, 6000, 1, "card", "", 0),
    ("Language School", ("Family", "Education"), 5000, 25000, 0.15, "bank", "tax-deductible", 0.5),
    ("Handyman Services", ("Housing", "Maintenance"), 5000, 40000, 0.15, "bank", "", 0),
    ("Amazon US", ("Shopping", "Electronics"), 1000, 20000, 0.5, "usd", "", 0),
    ("NYC Deli", ("Food", "Restaurants"), 1200, 4000, 0.4, "usd", "vacation", 0.5),
    ("Brooklyn Books", ("Leisure", "Hobbies"), 800, 3500, 0.3, "usd", "", 0),
    ("Unknown merchant", None, 500, 5000, 0.8, "mixed", "", 0),
)

# A split is a shop selling several kinds of things: payee, memo, categories it may split into.
SPLITS = (
    ("HyperStore", "Weekly shop", (("Food", "Groceries"), ("Shopping", "Household"),
                                   ("Shopping", "Clothing"))),
    ("Amazon", "Online order", (("Shopping", "Electronics"), ("Shopping", "Household"),
                                ("Family", "Gifts"), ("Leisure", "Hobbies"))),
    ("Department Store", "", (("Shopping", "Clothing"), ("Shopping", "Household"),
                              ("Family", "Gifts"), ("Family", "Children"))),
)  # fmt: skip

# Everyday income: payee, category, relative size, weight.
INCOME = (
    ("Client payment", ("Income", "Other income"), 1.0, 6),
    ("Side project", ("Income", "Other income"), 0.6, 3),
    ("Amazon", ("Income", "Refunds"), 0.05, 1),
)

# The fixed monthly schedule and how many rows each kind of event makes. The count of rows does
# not depend on the random draws, so the day-to-day remainder can be sized exactly.
FIXED_ROWS = {"expense": 1, "income": 1, "transfer": 2}


def monthly_schedule(month: int) -> list[tuple[int, str, str]]:
    """(day of month, event name, kind) for one month; `day` 31 means the last day."""
    events = [
        (1, "housing", "expense"),
        (3, "insurance", "expense"),
        (5, "utilities", "expense"),
        (8, "phone", "expense"),
        (8, "internet", "expense"),
        (12, "streamflix", "expense"),
        (14, "music", "expense"),
        (15, "gym", "expense"),
        (15, "exchange", "transfer"),
        (16, "github", "expense"),
        (20, "freelance", "income"),
        (25, "salary", "income"),
        (25, "to_savings", "transfer"),
        (26, "to_investments", "transfer"),
        (28, "card_payment", "transfer"),
        (31, "bank_fee", "expense"),
    ]
    if month in (1, 4, 7, 10):
        events += [
            (2, "interest", "income"),
            (10, "taxes", "expense"),
        ]
    if month == 12:
        events.append((20, "bonus", "income"))
    return events


# --------------------------------------------------------------------------------------------
# Small helpers.


def libpq_url(url: str) -> str:
    """psycopg wants postgresql://; SQLAlchemy postgresql+psycopg://. Accept either."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url.removeprefix(prefix)
    return url


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + libpq_url(url).removeprefix("postgresql://")


def ledger_name(name: str) -> str:
    """'Public transport' -> 'Public-Transport': valid in both hledger and beancount."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    return "-".join(w[:1].upper() + w[1:] for w in words) or "Other"


def money(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


def month_add(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def last_day(first: dt.date) -> dt.date:
    return month_add(first, 1) - dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------
# Database set-up.


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database; only ever one whose name starts with ft_bench."""
    parsed = make_url(sqlalchemy_url(url))
    name = parsed.database or ""
    if not re.fullmatch(r"ft_bench\w*", name):
        raise SystemExit(f"refusing to drop database {name!r}: its name must start with ft_bench")
    admin = libpq_url(parsed.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def create_user_and_accounts(url: str) -> tuple[int, dict[str, int], dict[str, int], dict]:
    """The user (via the app's own service) and their accounts; returns ids and categories."""
    from finance_tracker.services import accounts, users
    from finance_tracker.services.accounts import AccountInput
    from finance_tracker.store.database import Database

    database = Database(sqlalchemy_url(url))
    try:
        with database.session() as session:
            user = users.register(session, EMAIL, PASSWORD, "EUR")
            account_ids = {
                spec.key: accounts.create(
                    session,
                    user.id,
                    AccountInput(spec.name, spec.type, spec.currency, spec.opening),
                ).id
                for spec in ACCOUNTS
            }
            user_id = user.id
        with database.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT c.id, c.name, p.name FROM categories c "
                "LEFT JOIN categories p ON p.id = c.parent_id WHERE c.user_id = %(u)s",
                {"u": user_id},
            ).all()
            tag_ids = dict(
                conn.exec_driver_sql(
                    "SELECT name, id FROM tags WHERE user_id = %(u)s", {"u": user_id}
                ).all()
            )
    finally:
        database.dispose()
    categories = {(parent, name): cid for cid, name, parent in rows if parent is not None}
    return user_id, account_ids, tag_ids, categories


# --------------------------------------------------------------------------------------------
# The writer: one event at a time, to the COPY stream and both journals.


class Writer:
    COLUMNS = (
        "id, user_id, account_id, date, amount_minor, kind, payee, memo, category_id, "
        "parent_id, is_split, transfer_group, created_at, updated_at"
    )

    def __init__(
        self,
        copy,  # psycopg Copy
        journal: TextIO,
        beancount: TextIO,
        user_id: int,
        account_ids: dict[str, int],
        first_id: int,
        rng: random.Random,
    ) -> None:
        self.copy = copy
        self.journal = journal
        self.beancount = beancount
        self.user = str(user_id)
        self.account_ids = {k: str(v) for k, v in account_ids.items()}
        self.currency = {a.key: a.currency for a in ACCOUNTS}
        self.ledger = {a.key: a.ledger for a in ACCOUNTS}
        self.next_id = first_id
        self.rng = rng
        self.buffer: list[str] = []
        self.tag_links: list[tuple[int, int]] = []
        self.balance = {a.key: 0 for a in ACCOUNTS}
        self.rows = defaultdict(int)
        # Expected report figures, to check every tool's answers against.
        self.month_totals: dict[tuple[str, str, str], int] = defaultdict(int)  # month, kind, cur
        self.category_month: dict[tuple[str, str, str], int] = defaultdict(int)  # month, acct, cur
        self.ds = ""
        self.ts = ""
        self.month = ""

    def set_day(self, day: dt.date) -> None:
        self.ds = day.isoformat()
        self.ts = self.ds + " 12:00:00+00"
        self.month = self.ds[:7]

    def _row(
        self,
        account: str,
        amount: int,
        kind: str,
        payee: str,
        memo: str,
        category: str,
        parent: str,
        is_split: str,
        group: str,
    ) -> int:
        row_id = self.next_id
        self.next_id += 1
        self.buffer.append(
            f"{row_id}\t{self.user}\t{self.account_ids[account]}\t{self.ds}\t{amount}\t{kind}\t"
            f"{payee}\t{memo}\t{category}\t{parent}\t{is_split}\t{group}\t{self.ts}\t{self.ts}\n"
        )
        if len(self.buffer) >= 5000:
            self.flush()
        return row_id

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer))
            self.buffer.clear()

    def _count(self, kind: str, ledger_account: str, currency: str, amount: int) -> None:
        self.month_totals[(self.month, kind, currency)] += amount
        if kind == "expense":
            self.category_month[(self.month, ledger_account, currency)] += amount

    def simple(
        self,
        kind: str,
        account: str,
        amount: int,
        payee: str,
        memo: str,
        category: tuple[int, str] | None,
        tag: tuple[int, str] | None = None,
    ) -> None:
        """An income (amount > 0) or expense (amount < 0) in one category."""
        cid, cat_ledger = category if category else (None, None)
        if cat_ledger is None:
            cat_ledger = "Income:Uncategorised" if kind == "income" else "Expenses:Uncategorised"
        row_id = self._row(
            account, amount, kind, payee, memo, str(cid) if cid else "\\N", "\\N", "f", "\\N"
        )
        self.rows[kind] += 1
        self.balance[account] += amount
        currency = self.currency[account]
        self._count(kind, cat_ledger, currency, -amount)
        text = f"{payee} | {memo}" if memo else payee
        hl_tag = bc_tag = ""
        if tag is not None:
            self.tag_links.append((row_id, tag[0]))
            hl_tag, bc_tag = f"  ; {tag[1]}:", f" #{tag[1]}"
        value, other = money(-amount), money(amount)
        acct = self.ledger[account]
        self.journal.write(
            f"{self.ds} {text}{hl_tag}\n    {cat_ledger}  {value} {currency}\n"
            f"    {acct}  {other} {currency}\n\n"
        )
        self.beancount.write(
            f'{self.ds} * "{payee}" "{memo}"{bc_tag}\n  {cat_ledger}  {value} {currency}\n'
            f"  {acct}  {other} {currency}\n\n"
        )

    def split(
        self, account: str, payee: str, memo: str, lines: list[tuple[tuple[int, str], int]]
    ) -> None:
        """An expense split over categories: parent row + one row per line (amounts > 0)."""
        total = sum(amount for _, amount in lines)
        parent = self._row(account, -total, "expense", payee, memo, "\\N", "\\N", "t", "\\N")
        parent_s = str(parent)
        currency = self.currency[account]
        acct = self.ledger[account]
        text = f"{payee} | {memo}" if memo else payee
        hl = [f"{self.ds} {text}\n"]
        bc = [f'{self.ds} * "{payee}" "{memo}"\n']
        for (cid, cat_ledger), amount in lines:
            self._row(account, -amount, "expense", payee, "", str(cid), parent_s, "f", "\\N")
            self._count("expense", cat_ledger, currency, amount)
            hl.append(f"    {cat_ledger}  {money(amount)} {currency}\n")
            bc.append(f"  {cat_ledger}  {money(amount)} {currency}\n")
        hl.append(f"    {acct}  {money(-total)} {currency}\n\n")
        bc.append(f"  {acct}  {money(-total)} {currency}\n\n")
        self.journal.write("".join(hl))
        self.beancount.write("".join(bc))
        self.rows["split"] += 1
        self.rows["split_line"] += len(lines)
        self.balance[account] -= total

    def transfer(
        self, source: str, target: str, amount: int, payee: str, received: int | None = None
    ) -> None:
        """Two legs sharing a transfer group; `received` when the currencies differ."""
        received = amount if received is None else received
        group = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        self._row(source, -amount, "transfer", payee, "", "\\N", "\\N", "f", group)
        self._row(target, received, "transfer", payee, "", "\\N", "\\N", "f", group)
        self.rows["transfer"] += 1
        self.balance[source] -= amount
        self.balance[target] += received
        src_cur, dst_cur = self.currency[source], self.currency[target]
        price = "" if src_cur == dst_cur else f" @@ {money(amount)} {src_cur}"
        src, dst = self.ledger[source], self.ledger[target]
        self.journal.write(
            f"{self.ds} {payee}\n    {dst}  {money(received)} {dst_cur}{price}\n"
            f"    {src}  {money(-amount)} {src_cur}\n\n"
        )
        self.beancount.write(
            f'{self.ds} * "{payee}" ""\n  {dst}  {money(received)} {dst_cur}{price}\n'
            f"  {src}  {money(-amount)} {src_cur}\n\n"
        )


# --------------------------------------------------------------------------------------------
# The generation itself.


def day_budgets(rng: random.Random, days: list[dt.date], total: int) -> list[int]:
    """Split `total` rows over the days, busier on Saturdays and later years; exact sum."""
    weekday = (1.0, 1.0, 1.0, 1.1, 1.3, 1.6, 0.6)
    span = max(1, len(days) - 1)
    weights = [
        weekday[d.weekday()] * rng.uniform(0.6, 1.4) * (1 + 0.3 * i / span)
        for i, d in enumerate(days)
    ]
    scale = total / sum(weights)
    budgets, running, allotted = [], 0.0, 0
    for weight in weights:
        running += weight * scale
        target = round(running)
        budgets.append(target - allotted)
        allotted = target
    budgets[-1] += total - allotted
    return budgets


def generate(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    url = libpq_url(args.database_url)
    end_month = (
        dt.date.fromisoformat(args.end_month + "-01")
        if args.end_month
        else month_add(dt.date.today().replace(day=1), -1)
    )
    first_month = month_add(end_month, -(args.years * 12 - 1))
    first_day, end_day = first_month, last_day(end_month)
    days = [first_day + dt.timedelta(days=i) for i in range((end_day - first_day).days + 1)]

    # Fixed schedule: rows known up front, the rest of N is day-to-day activity.
    fixed: dict[dt.date, list[tuple[str, str]]] = defaultdict(list)
    month = first_month
    while month <= end_month:
        for day, name, kind in monthly_schedule(month.month):
            date = last_day(month) if day == 31 else month.replace(day=day)
            fixed[date].append((name, kind))
        month = month_add(month, 1)
    fixed_rows = sum(FIXED_ROWS[kind] for events in fixed.values() for _, kind in events)
    everyday_rows = args.transactions - fixed_rows
    if everyday_rows < 0:
        raise SystemExit(
            f"{args.transactions} rows is fewer than the fixed schedule of {args.years} years "
            f"needs ({fixed_rows}); ask for more transactions or fewer --years"
        )

    out_dir = Path(args.out_dir or BENCH_DIR / "data" / str(args.transactions))
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"generating {args.transactions:,} rows ({first_day} .. {end_day}, seed {args.seed})")

    # Schema and user.
    t = time.perf_counter()
    if not args.keep_database:
        recreate_database(url)
    from finance_tracker.store import migrate

    migrate.upgrade(sqlalchemy_url(url))
    user_id, account_ids, tag_ids, categories = create_user_and_accounts(url)
    print(f"  schema at head, user {EMAIL} (id {user_id}): {time.perf_counter() - t:.1f} s")

    def category(pair: tuple[str, str] | None) -> tuple[int, str] | None:
        if pair is None:
            return None
        parent, name = pair
        root = "Income" if parent == "Income" else f"Expenses:{ledger_name(parent)}"
        return categories[pair], f"{root}:{ledger_name(name)}"

    rng = random.Random(args.seed)
    budgets = day_budgets(rng, days, everyday_rows)

    # Everyday vocabulary, compiled for speed.
    weights, items = [], []
    for payee, pair, low, high, weight, pay, tag, p_tag in EVERYDAY:
        mix = PAY[pay]
        cum, acc = [], 0
        for _, w in mix:
            acc += w
            cum.append(acc)
        tag_ref = (tag_ids[tag], tag) if tag else None
        items.append(
            (payee, category(pair), low, high, [k for k, _ in mix], cum, acc, tag_ref, p_tag)
        )
        weights.append(weight)
    cum_weights = [sum(weights[: i + 1]) for i in range(len(weights))]
    total_weight = cum_weights[-1]
    mean_expense = sum(w * (it[2] + it[3]) / 2 for w, it in zip(weights, items, strict=True))
    mean_expense /= total_weight
    # Everyday income roughly pays for everyday spending, so balances stay believable at any N.
    income_mean = mean_expense * (1 - P_INCOME) / P_INCOME
    income_items = [(p, category(c), size, w) for p, c, size, w in INCOME]
    income_cum = [sum(w for *_, w in income_items[: i + 1]) for i in range(len(income_items))]
    split_items = [(p, m, [category(c) for c in cats]) for p, m, cats in SPLITS]
    vacation = (tag_ids["vacation"], "vacation")

    journal_path = out_dir / "ledger.journal"
    beancount_path = out_dir / "ledger.beancount"
    spent_by_category: dict[int, int] = defaultdict(int)

    t = time.perf_counter()
    with (
        psycopg.connect(url) as conn,
        journal_path.open("w", buffering=1 << 20) as journal,
        beancount_path.open("w", buffering=1 << 20) as beancount,
    ):
        try:  # skip per-row foreign-key triggers: the generator's ids are consistent by design
            conn.execute("SET session_replication_role = replica")
        except psycopg.Error:
            conn.rollback()
        first_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM transactions").fetchone()[0]
        opening_day = first_day - dt.timedelta(days=1)
        _write_headers(journal, beancount, opening_day, categories, category)

        cursor = conn.cursor()
        with cursor.copy(f"COPY transactions ({Writer.COLUMNS}) FROM STDIN") as copy:
            w = Writer(copy, journal, beancount, user_id, account_ids, first_id, rng)
            rand, randint, uniform = rng.random, rng.randint, rng.uniform

            for index, day in enumerate(days):
                w.set_day(day)
                years = (day - first_day).days / 365.25
                price = (1 + INFLATION) ** years
                for name, _kind in fixed.get(day, ()):
                    _fixed_event(w, name, day, years, price, category, rng)
                budget = budgets[index]
                while budget > 0:
                    r = rand()
                    if r < P_SPLIT and budget >= 3:
                        payee, memo, cats = split_items[int(rand() * len(split_items))]
                        count = min(randint(2, 3), budget - 1)
                        chosen = rng.sample(cats, min(count, len(cats)))
                        lines = [(c, int(randint(300, 6000) * price)) for c in chosen]
                        w.split("checking" if rand() < 0.5 else "card", payee, memo, lines)
                        for (cid, _), amount in lines:
                            spent_by_category[cid] += amount
                        budget -= 1 + len(lines)
                    elif r < P_SPLIT + P_INCOME:
                        pick = bisect.bisect(income_cum, rand() * income_cum[-1])
                        payee, cat, size, _ = income_items[pick]
                        amount = int(income_mean * size * uniform(0.6, 1.4) * price)
                        if size >= 0.5:  # invoices grow when the account runs low
                            amount += max(0, 500_000 - w.balance["checking"]) // 4
                        memo = "Invoice" if size >= 0.5 else "Refund"
                        w.simple("income", "checking", max(amount, 100), payee, memo, cat)
                        budget -= 1
                    else:
                        item = items[bisect.bisect(cum_weights, rand() * total_weight)]
                        payee, cat, low, high, keys, cum, acc, tag, p_tag = item
                        account = (
                            keys[bisect.bisect(cum, rand() * acc)] if len(keys) > 1 else keys[0]
                        )
                        amount = int(randint(low, high) * price) if high > low else int(low * price)
                        chosen_tag = tag if tag and rand() < p_tag else None
                        if chosen_tag is None and day.month == 8 and rand() < 0.1:
                            chosen_tag = vacation
                        w.simple("expense", account, -amount, payee, "", cat, chosen_tag)
                        if cat is not None and account != "usd":
                            spent_by_category[cat[0]] += amount
                        budget -= 1
                        # Cash runs low: take some out at the machine (a transfer, two rows).
                        if account == "wallet" and w.balance["wallet"] < -4000 and budget >= 2:
                            topup = randint(10, 30) * 1000
                            w.transfer("checking", "wallet", topup, "Cash machine")
                            budget -= 2
            w.flush()
        tag_links = w.tag_links
        with cursor.copy("COPY transaction_tags (transaction_id, tag_id) FROM STDIN") as copy:
            for start in range(0, len(tag_links), 20000):
                copy.write("".join(f"{t}\t{g}\n" for t, g in tag_links[start : start + 20000]))
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('transactions', 'id'), "
            "(SELECT MAX(id) FROM transactions))"
        )
        conn.commit()
    generated = w.next_id - first_id
    load_seconds = time.perf_counter() - t
    print(
        f"  COPY + journals: {generated:,} rows, {len(tag_links):,} tag links in "
        f"{load_seconds:.1f} s ({generated / max(load_seconds, 1e-9):,.0f} rows/s)"
    )
    if generated != args.transactions:
        raise SystemExit(f"internal error: generated {generated} rows, wanted {args.transactions}")

    summaries_ran = _rebuild_summaries(url, user_id)
    budget_rows = _budgets(url, user_id, first_month, end_month, spent_by_category, len(days))
    _reference_rates(url, user_id, first_day, end_day, args.seed)
    t = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    print(f"  VACUUM (ANALYZE): {time.perf_counter() - t:.1f} s")

    last = end_month.isoformat()[:7]
    expected_month = defaultdict(dict)
    for (month_key, acct, cur), amount in w.category_month.items():
        if month_key == last:
            expected_month[acct][cur] = amount
    monthly: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for (month_key, kind, cur), amount in w.month_totals.items():
        monthly[month_key][kind][cur] = -amount  # income positive, expense negative
    meta = {
        "generator_version": GENERATOR_VERSION,
        "seed": args.seed,
        "transactions": args.transactions,
        "years": args.years,
        "database": make_url(sqlalchemy_url(url)).database,
        "user_id": user_id,
        "email": EMAIL,
        "first_day": first_day.isoformat(),
        "last_day": end_day.isoformat(),
        "last_month": last,
        "rows": {
            "transactions": generated,
            "income": w.rows["income"],
            "expense": w.rows["expense"],
            "split_parents": w.rows["split"],
            "split_lines": w.rows["split_line"],
            "transfers": w.rows["transfer"],
            "transfer_legs": 2 * w.rows["transfer"],
            "tag_links": len(tag_links),
            "budgets": budget_rows,
        },
        "summaries_rebuilt": summaries_ran,
        "files": {
            "hledger": str(journal_path),
            "beancount": str(beancount_path),
            "hledger_bytes": journal_path.stat().st_size,
            "beancount_bytes": beancount_path.stat().st_size,
        },
        "expected": {
            "last_month_expenses_by_account": expected_month,
            "monthly_income_expense": monthly,
        },
        "seconds": round(time.perf_counter() - started, 1),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True))
    rows = meta["rows"]
    print(
        f"  rows: {rows['income']:,} income, {rows['expense']:,} expense, "
        f"{rows['split_parents']:,} splits with {rows['split_lines']:,} lines, "
        f"{rows['transfers']:,} transfers ({rows['transfer_legs']:,} legs), "
        f"{rows['tag_links']:,} tag links, {budget_rows:,} budgets"
    )
    print(
        f"  files: {journal_path} ({meta['files']['hledger_bytes'] / 1e6:.0f} MB), "
        f"{beancount_path} ({meta['files']['beancount_bytes'] / 1e6:.0f} MB)"
    )
    print(f"done in {meta['seconds']:.1f} s")
    return meta


def _write_headers(journal, beancount, opening_day, categories, category) -> None:
    ds = opening_day.isoformat()
    accounts = [a.ledger for a in ACCOUNTS]
    cats = sorted({category(pair)[1] for pair in categories})
    cats += ["Expenses:Uncategorised", "Income:Uncategorised"]
    journal.write("; Finance Tracker benchmark data set (bench/generate.py)\n\n")
    beancount.write(
        '; Finance Tracker benchmark data set (bench/generate.py)\n\noption "title" '
        '"Finance Tracker benchmark"\noption "operating_currency" "EUR"\n\n'
    )
    for name in [*accounts, *cats, "Equity:Opening-Balances"]:
        journal.write(f"account {name}\n")
        beancount.write(f"{ds} open {name}\n")
    journal.write("\n")
    beancount.write("\n")
    for spec in ACCOUNTS:
        minor = round(float(spec.opening) * 100)
        if minor:
            line = f"{spec.ledger}  {money(minor)} {spec.currency}"
            rest = f"Equity:Opening-Balances  {money(-minor)} {spec.currency}"
            journal.write(f"{ds} Opening balance\n    {line}\n    {rest}\n\n")
            beancount.write(f'{ds} * "Opening balance" ""\n  {line}\n  {rest}\n\n')


def _fixed_event(
    w: Writer, name: str, day: dt.date, years: float, price: float, category, rng: random.Random
) -> None:
    """One event of the monthly schedule; row counts must match FIXED_ROWS for its kind."""
    rand, randint = rng.random, rng.randint
    pay = (1 + INFLATION + 0.01) ** years  # raises outpace inflation a little
    job_change = years >= 4.5
    if name == "housing":
        if years < 6:
            w.simple(
                "expense",
                "checking",
                -int(115000 * price),
                "Acme Properties",
                "Rent",
                category(("Housing", "Rent")),
            )
        else:
            w.simple(
                "expense",
                "checking",
                -142000,
                "Northbank",
                "Mortgage instalment",
                category(("Housing", "Mortgage")),
            )
    elif name == "insurance":
        w.simple(
            "expense",
            "checking",
            -int(4500 * price),
            "SafeHome Insurance",
            "",
            category(("Housing", "Insurance")),
        )
    elif name == "utilities":
        season = 1.3 if day.month in (11, 12, 1, 2) else 0.85
        w.simple(
            "expense",
            "checking",
            -int(9000 * price * season * rng.uniform(0.9, 1.1)),
            "City Power & Water",
            "",
            category(("Housing", "Utilities")),
        )
    elif name == "phone":
        w.simple("expense", "checking", -2499, "Telco Mobile", "", category(("Bills", "Phone")))
    elif name == "internet":
        w.simple("expense", "checking", -3999, "FiberNet", "", category(("Bills", "Internet")))
    elif name == "streamflix":
        w.simple(
            "expense",
            "card",
            -int(1399 * price),
            "StreamFlix",
            "",
            category(("Leisure", "Subscriptions")),
        )
    elif name == "music":
        w.simple("expense", "card", -999, "Spotify", "", category(("Leisure", "Subscriptions")))
    elif name == "gym":
        w.simple("expense", "checking", -3900, "FitClub", "", category(("Health", "Sport")))
    elif name == "github":
        w.simple("expense", "usd", -400, "GitHub", "", category(("Leisure", "Subscriptions")))
    elif name == "freelance":
        w.simple(
            "income",
            "usd",
            randint(150000, 400000),
            "Freelance client (US)",
            "Invoice",
            category(("Income", "Other income")),
        )
    elif name == "salary":
        payer = "Globex GmbH" if job_change else "Acme Corp"
        base = 452000 if job_change else 385000
        w.simple(
            "income",
            "checking",
            int(base * pay),
            payer,
            "Monthly salary",
            category(("Income", "Salary")),
        )
    elif name == "bonus":
        w.simple(
            "income",
            "checking",
            int(300000 * pay * rng.uniform(0.5, 1.5)),
            "Globex GmbH" if job_change else "Acme Corp",
            "Year-end bonus",
            category(("Income", "Bonus")),
        )
    elif name == "interest":
        w.simple(
            "income",
            "savings",
            randint(1500, 4000),
            "Northbank",
            "Interest",
            category(("Income", "Interest")),
        )
    elif name == "taxes":
        w.simple(
            "expense",
            "checking",
            -randint(30000, 90000),
            "Tax office",
            "Quarterly tax",
            category(("Bills", "Taxes")),
        )
    elif name == "bank_fee":
        w.simple(
            "expense", "checking", -490, "Northbank", "Account fee", category(("Bills", "Fees"))
        )
    elif name == "to_savings":
        w.transfer("checking", "savings", 50000, "Savings plan")
    elif name == "to_investments":
        w.transfer("checking", "invest", 30000, "ETF savings plan")
    elif name == "card_payment":
        owed = -w.balance["card"]
        w.transfer("checking", "card", owed if owed > 0 else 1000, "Card payment")
    elif name == "exchange":  # keep about 2,000 USD: sell what the US work brought in, or buy
        rate = 1.05 + 0.15 * rand()  # USD per EUR
        surplus = w.balance["usd"] + 150_000 - 200_000  # opening balance is 1,500 USD
        if surplus > 10_000:
            w.transfer(
                "usd", "checking", surplus, "Currency exchange", received=int(surplus / rate)
            )
        else:
            eur = max(10_000, int((10_000 - surplus) / rate))
            w.transfer("checking", "usd", eur, "Currency exchange", received=int(eur * rate))
    else:  # pragma: no cover - the schedule and this function are kept in step
        raise ValueError(name)


def _rebuild_summaries(url: str, user_id: int) -> bool:
    if importlib.util.find_spec("finance_tracker.services.summaries") is None:
        print("  summaries: finance_tracker.services.summaries not found (skipped)")
        return False
    module = importlib.import_module("finance_tracker.services.summaries")
    rebuild = getattr(module, "rebuild", None)
    if rebuild is None:
        print("  summaries: no rebuild(session, user_id) in services.summaries (skipped)")
        return False
    from finance_tracker.store.database import Database

    t = time.perf_counter()
    database = Database(sqlalchemy_url(url))
    try:
        with database.session() as session:
            rebuild(session, user_id)
    finally:
        database.dispose()
    print(f"  summaries: services.summaries.rebuild ran in {time.perf_counter() - t:.1f} s")
    return True


BUDGETED = (
    ("Food", "Groceries"), ("Food", "Restaurants"), ("Food", "Coffee"),
    ("Transport", "Public transport"), ("Transport", "Fuel"), ("Transport", "Taxi"),
    ("Transport", "Car"), ("Health", "Pharmacy"), ("Shopping", "Clothing"),
    ("Shopping", "Electronics"), ("Shopping", "Household"), ("Leisure", "Entertainment"),
    ("Leisure", "Travel"), ("Leisure", "Hobbies"), ("Family", "Gifts"),
)  # fmt: skip
ROLLOVER = {("Leisure", "Travel"), ("Family", "Gifts"), ("Shopping", "Electronics")}


def _budgets(
    url: str,
    user_id: int,
    first_month: dt.date,
    end_month: dt.date,
    spent: dict[int, int],
    day_count: int,
) -> int:
    """A monthly EUR budget per category: its average monthly spending, rounded up to 10 EUR."""
    from finance_tracker.store.database import Database

    database = Database(sqlalchemy_url(url))
    try:
        inspector = inspect(database.engine)
        if not inspector.has_table("budgets"):
            print("  budgets: no budgets table yet (skipped)")
            return 0
        columns = {c["name"] for c in inspector.get_columns("budgets")}
        wanted = {"user_id", "category_id", "month", "amount_minor", "currency", "rollover"}
        if not wanted <= columns:
            print(f"  budgets: table lacks {sorted(wanted - columns)} (skipped)")
            return 0
        with database.engine.connect() as conn:
            ids = {
                (parent, name): cid
                for cid, name, parent in conn.exec_driver_sql(
                    "SELECT c.id, c.name, p.name FROM categories c "
                    "JOIN categories p ON p.id = c.parent_id WHERE c.user_id = %(u)s",
                    {"u": user_id},
                ).all()
            }
    finally:
        database.dispose()
    months = day_count / 30.44
    rows = []
    month = first_month
    while month <= end_month:
        for pair in BUDGETED:
            cid = ids[pair]
            average = spent.get(cid, 0) / months
            amount = max(1000, -(-int(average * 1.05) // 1000) * 1000)
            rows.append((user_id, cid, month, amount, "EUR", pair in ROLLOVER))
        month = month_add(month, 1)
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        with cursor.copy(
            "COPY budgets (user_id, category_id, month, amount_minor, currency, rollover) "
            "FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
    print(f"  budgets: {len(rows):,} rows ({len(BUDGETED)} categories x every month)")
    return len(rows)


def ecb_days(first_day: dt.date, end_day: dt.date) -> list[dt.date]:
    """Business days (Mon-Fri) from the last one on or before `first_day` to `end_day`: every
    day of the data then has a reference rate of its own day or the closest earlier one."""
    day = first_day
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    out = []
    while day <= end_day:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def ecb_rates(first_day: dt.date, end_day: dt.date, seed: int) -> list[tuple[dt.date, str]]:
    """ECB-like EUR->USD reference rates, one per business day: a mean-reverting random walk
    in 1/10,000 units, kept within 1.0500-1.2000, as exact 4-decimal strings ('1.0876'). Its own
    random stream, so the transactions and journals do not change."""
    rng = random.Random(f"ecb-rates-{seed}")
    units = 11_250  # 1.1250
    out = []
    for day in ecb_days(first_day, end_day):
        units += round(0.02 * (11_250 - units) + rng.gauss(0, 40))
        units = min(12_000, max(10_500, units))
        out.append((day, f"{units // 10_000}.{units % 10_000:04d}"))
    return out


def _reference_rates(
    url: str, user_id: int, first_day: dt.date, end_day: dt.date, seed: int
) -> int:
    """The person's EUR->USD reference rates (source 'ecb'), if the exchange_rates table
    exists (issue 16): what uploading the ECB's historical file would store."""
    from finance_tracker.store.database import Database

    database = Database(sqlalchemy_url(url))
    try:
        if not inspect(database.engine).has_table("exchange_rates"):
            print("  exchange rates: no exchange_rates table yet (skipped)")
            return 0
    finally:
        database.dispose()
    rates = ecb_rates(first_day, end_day, seed)
    created = dt.datetime.combine(end_day, dt.time(12), dt.UTC)
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        with cursor.copy(
            "COPY exchange_rates (user_id, base, quote, day, rate, source, created_at) FROM STDIN"
        ) as copy:
            for day, rate in rates:
                copy.write_row((user_id, "EUR", "USD", day, rate, "ecb", created))
        conn.commit()
    print(
        f"  exchange rates: {len(rates):,} EUR->USD reference rates (ecb), "
        f"{rates[0][0]} .. {rates[-1][0]}, {min(r for _, r in rates)}-{max(r for _, r in rates)}"
    )
    return len(rates)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", "-n", type=int, default=100_000, help="rows (N)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--end-month", help="YYYY-MM of the last month (default: last month)")
    parser.add_argument("--database-url", default=DEFAULT_URL, help=f"default {DEFAULT_URL}")
    parser.add_argument("--out-dir", help="where the journals go (default bench/data/<N>)")
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="load into the existing database instead of dropping and creating it",
    )
    args = parser.parse_args(argv)
    return generate(args)


if __name__ == "__main__":
    main()
