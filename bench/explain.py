"""Where a report's time goes: every SQL statement an endpoint runs, with EXPLAIN ANALYZE.

Calls the app in-process (Flask test client, the bench user's API token), records each statement
the request sends to PostgreSQL, then runs each again under EXPLAIN (ANALYZE, BUFFERS) with the
same parameters. Also explains the aggregate queries in `store.queries`, the service functions
behind the reports (`services.reports`, `services.converted`: issue 16's conversion) and the
queries conversion reads (`store.rate_queries`: stored rates, rates learnt from transfers, the
other currencies' day totals) the same way.

    .venv/bin/python bench/explain.py --size 1000000 > bench/results/explain-1000000.txt
    .venv/bin/python bench/explain.py --size 100000 --path /api/v1/dashboard/summary
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import secrets
import time
from pathlib import Path

from sqlalchemy import event, text

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SKIP = ("BEGIN", "COMMIT", "ROLLBACK", "SELECT 1", "SAVEPOINT", "RELEASE")


def default_paths(meta: dict) -> list[str]:
    first = meta["last_month"] + "-01"
    last, span_first = meta["last_day"], meta["first_day"]
    return [
        f"/api/v1/reports/spending-by-category?date_from={first}&date_to={last}",
        f"/api/v1/reports/income-expense?date_from={span_first}&date_to={last}",
        f"/api/v1/reports/net-worth?date_from={span_first}&date_to={last}",
        f"/api/v1/budgets/{meta['last_month']}",
        "/api/v1/dashboard/summary",
    ]


class Recorder:
    def __init__(self, engine) -> None:  # noqa: ANN001
        self.engine = engine
        self.on = False
        self.statements: list[tuple[str, object, float]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if self.on:
            elapsed = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
            self.statements.append((statement, parameters, elapsed))

    def explain(self) -> list[str]:
        out = []
        for statement, parameters, elapsed in self.statements:
            head = " ".join(statement.split())
            if head.upper().startswith(SKIP) or not head.upper().startswith(("SELECT", "WITH")):
                out.append(f"-- ({elapsed * 1000:.2f} ms) {head[:160]}")
                continue
            out.append(f"-- ({elapsed * 1000:.2f} ms as run) {head[:400]}")
            out.append(f"-- parameters: {parameters}")
            with self.engine.connect() as conn:
                plan = conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters or {}
                ).all()
            out.extend("   " + row[0] for row in plan)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="use ft_bench_<size>")
    parser.add_argument("--database-url", help="instead of --size")
    parser.add_argument("--path", action="append", help="endpoint(s); default the reports")
    parser.add_argument("--repeat", type=int, default=3, help="requests before the recorded one")
    args = parser.parse_args()

    from finance_tracker import create_app
    from finance_tracker.services import dashboard, tokens
    from finance_tracker.settings import load_settings
    from finance_tracker.store import queries

    url = args.database_url or f"{DEFAULT_SERVER}/ft_bench_{args.size}"
    meta = json.loads((BENCH_DIR / "data" / str(args.size) / "meta.json").read_text())
    settings = load_settings(
        env="production", secret_key=secrets.token_hex(20), database_url=url, log_level="WARNING"
    )
    app = create_app(settings)
    database = app.extensions["finance_tracker"].database
    user_id = meta["user_id"]
    with database.session() as session:
        token_row, token = tokens.create(session, user_id, "bench-explain")
    recorder = Recorder(database.engine)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    try:
        for path in args.path or default_paths(meta):
            for _ in range(args.repeat):
                client.get(path, headers=headers)
            recorder.statements.clear()
            recorder.on = True
            start = time.perf_counter()
            response = client.get(path, headers=headers)
            elapsed = time.perf_counter() - start
            recorder.on = False
            print(
                f"=== GET {path}: HTTP {response.status_code}, {elapsed * 1000:.1f} ms in-process"
            )
            if response.status_code == 200:
                print("\n".join(recorder.explain()))
            print()

        first = dt.date.fromisoformat(meta["last_month"] + "-01")
        last = dt.date.fromisoformat(meta["last_day"])
        span_first = dt.date.fromisoformat(meta["first_day"])
        calls = {
            "store.queries.balances (from month totals)": lambda s: queries.balances(s, user_id),
            "services.dashboard.build": lambda s: dashboard.build(s, user_id, last),
        }
        with database.session() as session:
            home = session.execute(
                text("SELECT default_currency FROM users WHERE id = :u"), {"u": user_id}
            ).scalar_one()
        # The service functions behind the report endpoints, where they exist yet.
        reports, converted = (
            "finance_tracker.services.reports",
            "finance_tracker.services.converted",
        )
        services = (
            (reports, "spending_by_category", (first, last)),
            (converted, "spending_by_category", (home, first, last)),
            (reports, "income_expense_by_month", (span_first, last)),
            (converted, "income_expense_by_month", (home, span_first, last)),
            (reports, "net_worth_over_time", (span_first, last)),
            (converted, "net_worth_over_time", (home, span_first, last)),
            ("finance_tracker.services.budgets", "month_view", (first,)),
            # What every conversion reads first (services.rates.book_for), over the month and
            # over the ten years.
            ("finance_tracker.services.rates", "book_for", (home, first, last)),
            ("finance_tracker.services.rates", "book_for", (home, span_first, last)),
        )
        for module_name, function_name, extra in services:
            try:
                function = getattr(importlib.import_module(module_name), function_name)
            except (ImportError, AttributeError):
                continue
            name = f"{module_name.removeprefix('finance_tracker.')}.{function_name}"
            if name in calls:
                name += f" {extra[-2]} .. {extra[-1]}"
            calls[name] = lambda s, f=function, e=extra: f(s, user_id, *e)
        for name, call in calls.items():
            with database.session() as session:
                call(session)
                recorder.statements.clear()
                recorder.on = True
                start = time.perf_counter()
                call(session)
                elapsed = time.perf_counter() - start
                recorder.on = False
            print(f"=== {name}: {elapsed * 1000:.1f} ms in-process")
            print("\n".join(recorder.explain()))
            print()
    finally:
        with database.session() as session:
            tokens.revoke(session, user_id, token_row.id)
        database.dispose()


if __name__ == "__main__":
    main()
