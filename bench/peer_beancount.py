"""The two reports from beancount + beanquery, for bench/run.py (runs in bench/.venv-peers).

Loads the ledger once (cold, pickle cache off), then runs each query `--runs` times on the loaded
entries (warm) and prints one JSON object: load time, time from process start to the first
report, every query time, the totals (to check against the generator's) and peak RSS.
"""

from __future__ import annotations

import time

STARTED = time.time()  # before the imports: they are part of a cold start

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
from decimal import Decimal  # noqa: E402
from importlib.metadata import version  # noqa: E402

import beanquery  # noqa: E402
from beancount import loader  # noqa: E402

MONTH = (
    "SELECT account, sum(position) AS total WHERE account ~ '^Expenses:' "
    "AND date >= {start} AND date <= {end} GROUP BY account ORDER BY account"
)
MONTHLY = (
    "SELECT year(date) AS y, month(date) AS m, root(account, 1) AS kind, sum(position) AS total "
    "WHERE account ~ '^(Income|Expenses):' AND date >= {start} AND date <= {end} "
    "GROUP BY y, m, kind ORDER BY y, m, kind"
)


def totals(rows: list, column: int) -> dict[str, str]:
    """Currency -> sum of one inventory column over all rows."""
    result: dict[str, Decimal] = {}
    for row in rows:
        for position in row[column]:
            units = position.units
            result[units.currency] = result.get(units.currency, Decimal(0)) + units.number
    return {currency: str(number) for currency, number in sorted(result.items())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ledger")
    parser.add_argument("--month", nargs=2, required=True, metavar=("FIRST", "LAST"))
    parser.add_argument("--span", nargs=2, required=True, metavar=("FIRST", "LAST"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--t0", type=float, help="epoch seconds when the caller started us")
    args = parser.parse_args()
    t0 = args.t0 or STARTED

    loader.initialize(use_cache=False)
    start = time.perf_counter()
    entries, errors, options = loader.load_file(args.ledger)
    load_seconds = time.perf_counter() - start
    connection = beanquery.connect("beancount:", entries=entries, errors=errors, options=options)

    reports = {
        "month_by_category": MONTH.format(start=args.month[0], end=args.month[1]),
        "monthly_income_expense": MONTHLY.format(start=args.span[0], end=args.span[1]),
    }
    out: dict = {
        "tool": "beancount",
        "version": f"beancount {version('beancount')}, beanquery {version('beanquery')}",
        "entries": len(entries),
        "errors": len(errors),
        "load_s": load_seconds,
        "reports": {},
    }
    first_report_at = None
    for name, query in reports.items():
        times, rows = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            rows = connection.execute(query).fetchall()
            times.append(time.perf_counter() - start)
            if first_report_at is None:
                first_report_at = time.time()
        column = 1 if name == "month_by_category" else 3
        out["reports"][name] = {"times_s": times, "rows": len(rows), "totals": totals(rows, column)}
        if name == "monthly_income_expense":
            by_kind: dict[str, dict] = {}
            for kind in ("Income", "Expenses"):
                by_kind[kind] = totals([r for r in rows if r[2] == kind], column)
            out["reports"][name]["totals_by_kind"] = by_kind
    out["cold_s"] = (first_report_at or time.time()) - t0
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


if __name__ == "__main__":
    main()
