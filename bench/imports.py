"""Issue 4: rows/s of importing a CSV through the real import path, beside a raw COPY of the same
rows into the same table, and the peak RSS of the worker doing the import.

    .venv/bin/python bench/imports.py                 # 1,000,000 rows on PostgreSQL
    .venv/bin/python bench/imports.py --rows 100000

Both runs start from an empty `transactions` table with all its indexes. "Ours" is
`jobs.imports.run_import` in a separate process (the worker's code path: parse, map, dedup keys,
rules, duplicate lookups, COPY into transactions, month totals); "COPY" then takes the very rows
it wrote out again, empties the table, and COPYs them straight back in: the fastest way in.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import psycopg

BENCH_DIR = Path(__file__).parent
SERVER = "postgresql://postgres@127.0.0.1:5432"
PAYEES = [
    ("Fresh Market", -1800, -9500), ("Corner Bakery", -250, -900), ("City Transit", -290, -290),
    ("Shell", -4000, -7500), ("Acme Corp", 385000, 385000), ("Landlord", -115000, -115000),
    ("Cinema Lux", -1200, -3200), ("Pharmacy Plus", -600, -3500), ("Amazon", -500, -25000),
]  # fmt: skip
RULES = [("Fresh Market", "Groceries"), ("Corner Bakery", "Coffee"), ("Shell", "Fuel"),
         ("Acme", "Salary"), ("Landlord", "Rent")]  # fmt: skip
WORKER = """
import sys, json, pathlib, time
from finance_tracker.store.database import Database
from finance_tracker.jobs.imports import run_import
from finance_tracker.jobs.progress import MemoryProgress
database = Database(sys.argv[1])
started = time.perf_counter()
status = run_import(database, pathlib.Path(sys.argv[2]), int(sys.argv[3]), MemoryProgress())
seconds = time.perf_counter() - started
peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]
print(json.dumps({"status": status, "seconds": seconds, "peak_kib": int(peak)}))
"""


def write_csv(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    start = dt.date(2016, 11, 1)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Date", "Description", "Reference", "Amount"])
        for n in range(rows):
            payee, low, high = PAYEES[rng.randrange(len(PAYEES))]
            cents = rng.randint(min(low, high), max(low, high))
            day = start + dt.timedelta(days=n * 3650 // rows)
            writer.writerow([day.isoformat(), payee, f"ref {n}", f"{cents / 100:.2f}"])


def fresh_database(name: str) -> str:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def prepare(url: str, upload_root: Path, csv_path: Path) -> tuple[int, int]:
    """A user with an empty account and a few rules; the CSV uploaded and mapped."""
    from finance_tracker.services import accounts, categories, imports, rules, users
    from finance_tracker.services.accounts import AccountInput
    from finance_tracker.services.rules import RuleInput
    from finance_tracker.store import migrate
    from finance_tracker.store.database import Database

    migrate.upgrade(url)
    database = Database(url)
    with database.session() as s:
        user = users.register(s, "import-bench@example.com", "bench-password-123")
        ours = accounts.create(s, user.id, AccountInput("Checking", "checking", "EUR")).id
        names = {c.name: c.id for c in categories.list_all(s, user.id)}
        for pattern, category in RULES:
            rules.create(s, user.id, RuleInput(pattern, pattern, set_category_id=names[category]))
        with csv_path.open("rb") as handle:
            stored, size = imports.save_upload(upload_root, "imports", handle, 1 << 34)
        batch = imports.start(s, user.id, ours, upload_root, stored, size, csv_path.name)
        view = imports.csv_view(s, user.id, batch.id, upload_root)
        imports.set_csv_settings(s, user.id, batch.id, view.settings.to_dict())
        batch_id, user_id = batch.id, user.id
    database.dispose()
    return user_id, batch_id


COLUMNS = ("user_id, account_id, date, amount_minor, kind, payee, memo, category_id, is_split,"
           " import_key, import_batch_id, cleared, created_at, updated_at")  # fmt: skip


def copy_baseline(url: str) -> float:
    """The very rows our import wrote (same keys, categories, batch id), taken out with COPY TO,
    the table emptied, and COPYed straight back in: the fastest way in, for the same work."""
    raw = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(raw) as connection, connection.cursor() as cursor:
        buffer = io.BytesIO()
        with cursor.copy(f"COPY (SELECT {COLUMNS} FROM transactions ORDER BY id) TO STDOUT") as out:
            for block in out:
                buffer.write(block)
        cursor.execute("TRUNCATE transactions CASCADE")
        connection.commit()
        started = time.perf_counter()
        with cursor.copy(f"COPY transactions ({COLUMNS}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        connection.commit()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data_dir = BENCH_DIR / "data" / "imports"
    data_dir.mkdir(parents=True, exist_ok=True)
    csv_path = data_dir / f"statement-{args.rows}.csv"
    if not csv_path.exists():
        write_csv(csv_path, args.rows, args.seed)
    url = fresh_database(f"ft_bench_import_{args.rows}")
    upload_root = data_dir / "uploads"
    _user_id, batch_id = prepare(url, upload_root, csv_path)

    worker = subprocess.run(
        [sys.executable, "-c", WORKER, url, str(upload_root), str(batch_id)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    ours = json.loads(worker.stdout.strip().splitlines()[-1])
    raw = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(raw) as connection:
        imported = connection.execute("SELECT count(*) FROM transactions").fetchone()[0]
        categorised = connection.execute(
            "SELECT count(*) FROM transactions WHERE category_id IS NOT NULL"
        ).fetchone()[0]
    copy_seconds = copy_baseline(url)
    rows = args.rows
    ours_rate, copy_rate = rows / ours["seconds"], rows / copy_seconds
    peak_mib = ours["peak_kib"] / 1024
    print(f"import of a {rows:,}-row CSV ({csv_path.stat().st_size / 2**20:.0f} MiB) on PostgreSQL")
    print(f"{'path':<44}{'seconds':>10}{'rows/s':>12}")
    print(f"{'raw COPY into transactions (baseline)':<44}{copy_seconds:>10.2f}{copy_rate:>12,.0f}")
    print(
        f"{'ours: parse, map, dedup, rules, insert':<44}{ours['seconds']:>10.2f}{ours_rate:>12,.0f}"
    )
    print(f"ours / COPY: {ours_rate / copy_rate:.0%} (target >= 50%): "
          f"{'PASS' if ours_rate >= copy_rate / 2 else 'FAIL'}")  # fmt: skip
    print(f"worker peak RSS: {peak_mib:.0f} MiB (target <= 300 MiB): "
          f"{'PASS' if peak_mib <= 300 else 'FAIL'}")  # fmt: skip
    print(f"rows imported: {imported:,} ({ours['status']}); categorised by rules: {categorised:,}")
    results = BENCH_DIR / "results" / f"{dt.date.today()}-import-{rows}.json"
    results.write_text(json.dumps({
        "rows": rows, "copy_seconds": copy_seconds, "ours_seconds": ours["seconds"],
        "ours_rows_per_s": ours_rate, "copy_rows_per_s": copy_rate, "ratio": ours_rate / copy_rate,
        "worker_peak_rss_mib": peak_mib, "imported": imported, "categorised": categorised,
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
