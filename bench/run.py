"""Issue 3's benchmark: our reports over HTTP beside hledger's and beancount's, same data.

For each size N (default 100,000 and 1,000,000 rows):

1. generate the data set (bench/generate.py) into the database ft_bench_<N> and the journals
   under bench/data/<N>/, or reuse them (`--reuse`) when they are already there;
2. ours: start the real app in production mode (gunicorn, one worker) as a subprocess, time
   process start -> /readyz -> first report (cold), then time each report over one persistent
   HTTP connection with an API token (warm p50/p95), and read the peak RSS of the server's
   processes and of the PostgreSQL backends that served it;
3. hledger: each report is a fresh process (hledger has no warm mode): wall time, peak RSS;
4. beancount: load once (cold), then the same two reports with beanquery on the loaded entries
   (warm p50/p95), peak RSS;
5. print one table, check the issue's targets, write bench/results/<date>-<N>.json.

With `--baseline-src DIR` (the `src` of a worktree of an older commit), step 2 runs first for
that code too (the same server command with PYTHONPATH=DIR, the same database; its in-process
calls in a subprocess on that path) and both sets of figures are printed side by side.

Issue 16: the reports convert every currency into the home currency (a `converted` block); the
converted figures are checked against what this script computes from the rows and the rates in
the database (no missing rates; the month's total and the last net worth to the minor unit).

    .venv/bin/python bench/run.py                      # both sizes, generating as needed
    .venv/bin/python bench/run.py --sizes 100000 --reuse --skip-peers
    .venv/bin/python bench/run.py --sizes 1000000 --reuse --only cold-start --cold-starts 9
    .venv/bin/python bench/run.py --sizes 1000000 --reuse --skip-peers \
        --baseline-src /work/wt-before/src        # a worktree of the commit before conversion
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fractions
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect_right
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import psycopg
from generate import GENERATOR_VERSION

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PEERS_VENV = BENCH_DIR / ".venv-peers"
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432"
TIME = "/usr/bin/time"

# The targets, at 1M rows.
TARGET_MONTH_MS = 20.0
TARGET_MONTHLY_MS = 50.0
TARGET_NET_WORTH_MS = 50.0  # issue 16: like the 10-year monthly report
COLD_FACTOR = 100.0
MEMORY_FACTOR = 10.0
# Quoted in the issue (measured at 1M on this kind of machine), not measured here.
FAVA_QUOTED = {"load_s": 155.0, "month_by_category": 0.048, "monthly_income_expense": 4.8}

REPORTS = {
    "month_by_category": "month by category",
    "monthly_income_expense": "10-year monthly income/expense",
    "net_worth": "10-year net worth",
    "budget_page": "budget page",
}
NO_PEER = ("net_worth", "budget_page")  # reports the peers are not timed on


def log(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------------------------
# Numbers.


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(seconds: list[float]) -> dict:
    return {
        "n": len(seconds),
        "p50_s": percentile(seconds, 0.50),
        "p95_s": percentile(seconds, 0.95),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "mean_s": statistics.fmean(seconds),
        "samples_s": [round(s, 6) for s in seconds],
    }


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def fmt_bytes(kb: float | None) -> str:
    if kb is None:
        return "-"
    if kb >= 1024 * 1024:
        return f"{kb / 1024 / 1024:.2f} GB"
    return f"{kb / 1024:.0f} MB"


# --------------------------------------------------------------------------------------------
# Processes and memory.


def proc_status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


def process_tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                todo.extend(int(c) for c in task.read_text().split())
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_limited(command: list[str], timeout: float, **kwargs) -> tuple[int | None, str, str, float]:
    """Run a command in its own process group; on timeout kill that group. Returns
    (exit code or None on timeout, stdout, stderr, wall seconds)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kwargs,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err, time.perf_counter() - start
    return proc.returncode, out, err, time.perf_counter() - start


def timed(command: list[str], timeout: float, **kwargs) -> dict:
    """`command` under /usr/bin/time: wall seconds, peak RSS (KB), output."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        code, out, err, wall = run_limited(
            [TIME, "-f", "%e %M", "-o", report.name, *command], timeout, **kwargs
        )
        fields = report.read().split()
    maxrss = int(fields[-1]) if len(fields) >= 2 and fields[-1].isdigit() else None
    return {"code": code, "stdout": out, "stderr": err, "wall_s": wall, "maxrss_kb": maxrss}


# --------------------------------------------------------------------------------------------
# Data set.


@dataclass
class DataSet:
    n: int
    url: str
    meta: dict
    seconds: float | None = None  # generation time, when generated in this run

    @property
    def last_month(self) -> tuple[dt.date, dt.date]:
        first = dt.date.fromisoformat(self.meta["last_month"] + "-01")
        return first, dt.date.fromisoformat(self.meta["last_day"])

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        return (
            dt.date.fromisoformat(self.meta["first_day"]),
            dt.date.fromisoformat(self.meta["last_day"]),
        )


def database_rows(url: str) -> int | None:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            return conn.execute("SELECT count(*) FROM transactions").fetchone()[0]
    except psycopg.Error:
        return None


def reference_rates(url: str) -> int | None:
    """Rows of `exchange_rates` (the generator's daily EUR->USD rates), None without the table."""
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            if not conn.execute("SELECT to_regclass('exchange_rates') IS NOT NULL").fetchone()[0]:
                return None
            return conn.execute("SELECT count(*) FROM exchange_rates").fetchone()[0]
    except psycopg.Error:
        return None


def schema_at_head(url: str) -> bool:
    from finance_tracker.store import migrate
    from finance_tracker.store.database import Database

    database = Database(sqlalchemy_url(url))
    try:
        return migrate.is_at_head(database.engine)
    except Exception:  # noqa: BLE001 - no database, no schema: not at head
        return False
    finally:
        database.dispose()


def ensure_data(n: int, args: argparse.Namespace) -> DataSet:
    url = f"{args.server.rstrip('/')}/ft_bench_{n}"
    meta_path = BENCH_DIR / "data" / str(n) / "meta.json"
    if args.reuse and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        files = meta.get("files", {})
        rows = database_rows(url)
        at_head = schema_at_head(url)
        rates = reference_rates(url) if at_head else None
        if (
            meta.get("transactions") == n
            and meta.get("database") == f"ft_bench_{n}"
            and meta.get("seed") == args.seed
            and meta.get("generator_version") == GENERATOR_VERSION
            and rows == meta["rows"]["transactions"]
            and at_head
            and rates != 0  # a table for rates, none written: generated before issue 16
            and all(Path(files.get(k, "")).exists() for k in ("hledger", "beancount"))
        ):
            log(f"reusing ft_bench_{n} ({rows:,} rows, generated {meta['generated_at']})")
            return DataSet(n, url, meta)
        why = "schema not at head" if rows and not at_head else f"rows in database: {rows}"
        if rows and at_head and rates == 0:
            why = "no exchange rates"
        log(f"cannot reuse ft_bench_{n} ({why}); generating")
    start = time.perf_counter()
    command = [sys.executable, str(BENCH_DIR / "generate.py"), "--transactions", str(n)]
    command += ["--seed", str(args.seed), "--database-url", url]
    if args.end_month:
        command += ["--end-month", args.end_month]
    subprocess.run(command, check=True, cwd=ROOT)
    return DataSet(n, url, json.loads(meta_path.read_text()), time.perf_counter() - start)


# --------------------------------------------------------------------------------------------
# Ours: the real app over HTTP.


@dataclass
class Endpoint:
    report: str  # a key of REPORTS, or "context"
    label: str
    path: str


def endpoints(data: DataSet) -> list[Endpoint]:
    first, last = data.last_month
    span_first, span_last = data.span
    return [
        Endpoint(
            "month_by_category",
            "GET /api/v1/reports/spending-by-category",
            f"/api/v1/reports/spending-by-category?date_from={first}&date_to={last}",
        ),
        Endpoint(
            "monthly_income_expense",
            "GET /api/v1/reports/income-expense",
            f"/api/v1/reports/income-expense?date_from={span_first}&date_to={span_last}",
        ),
        Endpoint(
            "net_worth",
            "GET /api/v1/reports/net-worth",
            f"/api/v1/reports/net-worth?date_from={span_first}&date_to={span_last}",
        ),
        Endpoint("budget_page", "GET /api/v1/budgets/YYYY-MM", f"/api/v1/budgets/{first:%Y-%m}"),
        # Context, no target: the floors (HTTP alone; + token check) and the existing dashboard.
        Endpoint("context", "GET /healthz (HTTP floor, no DB)", "/healthz"),
        Endpoint("context", "GET /api/v1/me (HTTP + auth floor)", "/api/v1/me"),
        Endpoint("context", "GET /api/v1/dashboard/summary", "/api/v1/dashboard/summary"),
    ]


class Client:
    """One persistent HTTP/1.1 connection, like a browser's or an API client's."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path: str) -> tuple[int, bytes, float]:
        return self.send("GET", path)

    def send(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes, float]:
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            start = time.perf_counter()
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                body = response.read()
                return response.status, body, time.perf_counter() - start
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed an idle keep-alive connection
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def create_token(data: DataSet) -> tuple[int, str]:
    from finance_tracker.services import tokens
    from finance_tracker.store.database import Database

    database = Database(sqlalchemy_url(data.url))
    try:
        with database.session() as session:
            row, plaintext = tokens.create(session, data.meta["user_id"], "bench")
            return row.id, plaintext
    finally:
        database.dispose()


def revoke_token(data: DataSet, token_id: int) -> None:
    from finance_tracker.services import tokens
    from finance_tracker.store.database import Database

    database = Database(sqlalchemy_url(data.url))
    try:
        with database.session() as session:
            tokens.revoke(session, data.meta["user_id"], token_id)
    finally:
        database.dispose()


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + url.removeprefix("postgresql://")


class Server:
    """`finance-tracker serve --production`; with `src`, the same command running the code of
    that source tree (PYTHONPATH comes before the venv's editable install of this checkout)."""

    def __init__(self, data: DataSet, log_path: Path, src: Path | None = None) -> None:
        self.port = free_port()
        self.src = src
        self.env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        self.env.update(
            FINANCE_TRACKER_ENV="production",
            SECRET_KEY=secrets.token_hex(20),  # 40 characters
            DATABASE_URL=data.url,
            HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_WORKERS="1",
            LOG_LEVEL="WARNING",
        )
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if src is not None:
            self.env["PYTHONPATH"] = os.pathsep.join(
                [str(src), *filter(None, [os.environ.get("PYTHONPATH")])]
            )
            self.env["AUTO_MIGRATE"] = "false"  # never touch the schema from older code
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    def start(self) -> None:
        command = [str(Path(sys.executable).parent / "finance-tracker"), "serve", "--production"]
        self.log_file = self.log_path.open("ab")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=self.log_file, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60) -> float:
        """Seconds from process start to the first 200 from /readyz. Older code (`src`) finds
        the database's schema ahead of its own migrations and answers 503 "schema not at head"
        with everything else ok: ready too, for a benchmark of its reports (they ignore the
        newer tables)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/readyz")
                response = conn.getresponse()
                body = response.read()
                conn.close()
                if response.status == 200 or (
                    self.src is not None and response.status == 503 and schema_ahead(body)
                ):
                    return time.perf_counter() - self.started
            except (ConnectionRefusedError, http.client.HTTPException, OSError):
                pass
            time.sleep(0.005)
        raise RuntimeError(f"server not ready after {timeout} s: {self.tail()}")

    def memory(self) -> dict:
        pids = process_tree(self.proc.pid) if self.proc else []
        peaks = {pid: proc_status_kb(pid, "VmHWM") for pid in pids}
        return {
            "pids": pids,
            "peak_kb_by_pid": peaks,
            "peak_kb": sum(v for v in peaks.values() if v),
            "rss_kb_now": sum(proc_status_kb(pid, "VmRSS") or 0 for pid in pids),
        }

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log_file.close()
        self.proc = None

    def tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except FileNotFoundError:
            return ""


def schema_ahead(body: bytes) -> bool:
    try:
        checks = json.loads(body)["checks"]
    except (ValueError, KeyError, TypeError):
        return False
    return checks == {"database": "schema not at head"}


def postgres_backends(url: str) -> dict:
    """Peak RSS of the PostgreSQL backends connected to the benchmark database, other than
    this script's own (VmHWM counts the shared buffers a backend touched: an upper bound)."""
    with psycopg.connect(url, application_name="ft-bench") as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND application_name <> 'ft-bench'"
            )
        ]
    peaks = {pid: proc_status_kb(pid, "VmHWM") for pid in pids}
    known = [v for v in peaks.values() if v]
    return {"pids": pids, "peak_kb_by_pid": peaks, "max_peak_kb": max(known) if known else None}


def month_spent(data: DataSet) -> dict[str, int]:
    """The last month's expenses per currency, as the generator wrote them."""
    expected: dict[str, int] = {}
    for by_currency in data.meta["expected"]["last_month_expenses_by_account"].values():
        for currency, minor in by_currency.items():
            expected[currency] = expected.get(currency, 0) + minor
    return expected


def first_report_correct(data: DataSet, body: bytes, expect: Expected | None = None) -> bool:
    """The month by category answer's per-currency totals equal what the generator wrote (and,
    with `expect`, its converted block is complete and its total right): a cold start counts
    only once the app answers the report right, not just with a 200."""
    try:
        totals = {t["currency"]: t["spent_minor"] for t in json.loads(body)["totals"]}
    except (ValueError, KeyError, TypeError):
        return False
    if totals != month_spent(data):
        return False
    return expect is None or not conversion_problems("month_by_category", body, expect)


# --------------------------------------------------------------------------------------------
# Issue 16: what the converted figures must be, computed here (not with the app's code).

PRECEDENCE = ("manual", "ecb", "transfer")  # on one day and pair, the first of these wins


@dataclass
class Expected:
    """The home currency, the rates into it per foreign currency (day -> (rank, factor)), and
    the last month's spending converted: every amount at the rate of its own day or the closest
    earlier one, summed exactly, rounded half-even once."""

    home: str
    factors: dict[str, tuple[list[dt.date], list[fractions.Fraction]]]
    month_total_minor: int | None

    def factor(self, currency: str, day: dt.date) -> fractions.Fraction | None:
        if currency == self.home:
            return fractions.Fraction(1)
        days, values = self.factors.get(currency, ([], []))
        index = bisect_right(days, day) - 1
        return values[index] if index >= 0 else None

    def convert(self, amounts: list[tuple[str, dt.date, int]]) -> int | None:
        """Amounts of 2-decimal currencies (EUR and USD here) into the home currency."""
        total = fractions.Fraction(0)
        for currency, day, minor in amounts:
            factor = self.factor(currency, day)
            if factor is None:
                return None
            total += minor * factor
        return round(total)


def expected_conversion(data: DataSet) -> Expected | None:
    """Rates as the issue defines them: stored ones (entered, ECB) and each cross-currency
    transfer's (received / sent, to 10 decimals); a day's rate is the first by source
    (manual, ECB, transfer), the pair as written before its inverse; a day without one takes
    the closest earlier day's. None when the database has no `exchange_rates` table."""
    first, last = data.last_month
    user_id = data.meta["user_id"]
    since = first - dt.timedelta(days=31)
    with psycopg.connect(data.url) as conn:
        if not conn.execute("SELECT to_regclass('exchange_rates') IS NOT NULL").fetchone()[0]:
            return None
        home = conn.execute(
            "SELECT default_currency FROM users WHERE id = %s", (user_id,)
        ).fetchone()[0]
        stored = conn.execute(
            "SELECT base, quote, day, rate, source FROM exchange_rates "
            "WHERE user_id = %s AND day <= %s",
            (user_id, last),
        ).fetchall()
        transfers = conn.execute(
            "SELECT s.date, sa.currency, -s.amount_minor, ra.currency, r.amount_minor "
            "FROM transactions s JOIN transactions r "
            "ON r.transfer_group = s.transfer_group AND r.id <> s.id "
            "JOIN accounts sa ON sa.id = s.account_id JOIN accounts ra ON ra.id = r.account_id "
            "WHERE s.user_id = %s AND s.transfer_group IS NOT NULL AND s.amount_minor < 0 "
            "AND r.amount_minor > 0 AND sa.currency <> ra.currency AND s.date BETWEEN %s AND %s",
            (user_id, since, last),
        ).fetchall()
        spent = conn.execute(
            "SELECT a.currency, t.date, -sum(t.amount_minor) FROM transactions t "
            "JOIN accounts a ON a.id = t.account_id WHERE t.user_id = %s AND a.currency <> %s "
            "AND t.kind = 'expense' AND NOT t.is_split AND t.date BETWEEN %s AND %s "
            "GROUP BY a.currency, t.date",
            (user_id, home, first, last),
        ).fetchall()
    rates = [(b, q, d, Decimal(r), PRECEDENCE.index(src)) for b, q, d, r, src in stored]
    for day, sent_currency, sent, received_currency, received in transfers:
        value = (Decimal(received) / Decimal(sent)).quantize(Decimal("1e-10"), ROUND_HALF_EVEN)
        rates.append((sent_currency, received_currency, day, value, PRECEDENCE.index("transfer")))
    best: dict[str, dict[dt.date, tuple[int, fractions.Fraction]]] = {}
    for base, quote, day, value, rank in rates:
        for source, target, factor, order in (
            (base, quote, fractions.Fraction(value), 2 * rank),
            (quote, base, 1 / fractions.Fraction(value), 2 * rank + 1),
        ):
            if target != home:
                continue
            held = best.setdefault(source, {}).get(day)
            if held is None or order < held[0]:
                best[source][day] = (order, factor)
    factors = {
        currency: (sorted(by_day), [by_day[d][1] for d in sorted(by_day)])
        for currency, by_day in best.items()
    }
    expect = Expected(home, factors, None)
    home_spent = month_spent(data).get(home, 0)
    foreign = expect.convert([(c, d, int(minor)) for c, d, minor in spent])
    foreign_total = sum(int(minor) for _c, _d, minor in spent)
    others = sum(v for c, v in month_spent(data).items() if c != home)
    if foreign is not None and foreign_total == others:
        expect.month_total_minor = home_spent + foreign
    return expect


def _nulls(items: list[dict], *keys: str) -> int:
    return sum(1 for item in items for key in keys if item.get(key) is None)


def conversion_problems(report: str, body: bytes, expect: Expected) -> list[str]:
    """What is wrong with a report's converted figures; [] when they are complete and, where
    this script can work them out, equal to its own sums."""
    try:
        answer = json.loads(body)
    except ValueError:
        return ["not JSON"]
    problems: list[str] = []
    if expect.month_total_minor is None and report in (
        "month_by_category",
        "monthly_income_expense",
    ):
        problems.append("this script could not work out the month's converted total")
    if report == "budget_page":
        for notes in answer.get("conversions", []):
            if notes.get("missing_rates"):
                problems.append(f"missing rates: {notes['missing_rates'][:2]}")
        for item in answer.get("items", []):
            if item.get("missing_rates"):
                problems.append(f"{item.get('category')}: missing {item['missing_rates'][:2]}")
        return problems
    block = answer.get("converted")
    if not isinstance(block, dict):
        return ["no converted block"]
    if block.get("currency") != expect.home:
        problems.append(f"converted into {block.get('currency')}, home is {expect.home}")
    if block.get("missing_rates"):
        problems.append(f"missing rates: {block['missing_rates'][:2]}")
    items = block.get("items", [])
    if report == "month_by_category":
        nulls = _nulls(items, "spent_minor")
        got = block.get("total_minor")
        if got != expect.month_total_minor:
            problems.append(f"converted total {got}, expected {expect.month_total_minor}")
    elif report == "monthly_income_expense":
        nulls = _nulls(items, "income_minor", "expense_minor", "net_minor")
        last = next((i for i in items if i.get("month") == data_last_month(answer)), None)
        got = last.get("expense_minor") if last else None
        if got != expect.month_total_minor:
            problems.append(f"last month's converted expense {got}, "
                            f"expected {expect.month_total_minor}")  # fmt: skip
    elif report == "net_worth":
        nulls = _nulls(items, "net_worth_minor")
        day = answer.get("date_to", "")
        originals = [
            (i["currency"], dt.date.fromisoformat(day), i["net_worth_minor"])
            for i in answer.get("items", [])
            if i.get("date") == day
        ]
        want = expect.convert(originals)
        got = next((i.get("net_worth_minor") for i in items if i.get("date") == day), None)
        if not originals or got != want:
            problems.append(f"net worth on {day}: converted {got}, expected {want}")
    else:
        nulls = 0
    if nulls:
        problems.append(f"{nulls} converted figures are null")
    if not items:
        problems.append("no converted items")
    return problems


def data_last_month(answer: dict) -> str:
    return str(answer.get("date_to", ""))[:7]


def compile_bytecode(src: Path | None = None) -> str:
    """Write the app's bytecode, as `pip install` does for an installed package (the container
    image has it). An editable checkout run with PYTHONDONTWRITEBYTECODE=1 (CI, this machine's
    shells) would otherwise compile every module of the app from source at each start: not
    what a user's server does, and ~0.1 s of every cold start here."""
    import compileall
    import importlib.util

    if src is not None:
        package = str(src / "finance_tracker")
    else:
        spec = importlib.util.find_spec("finance_tracker")
        assert spec is not None and spec.submodule_search_locations
        package = spec.submodule_search_locations[0]
    compileall.compile_dir(package, quiet=1)
    return package


# What any server on this stack loads before a line of ours runs: the web framework, the ORM
# and its PostgreSQL driver, the settings library and the production server. Timed in the same
# run as our cold starts, it shows how much of them is ours and how fast a cold start can get.
STACK_FLOOR_IMPORTS = (
    "flask",
    "sqlalchemy.orm",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg",
    "pydantic_settings",
    "gunicorn.app.base",
    "gunicorn.workers.gthread",
)


def measure_stack_floor(runs: int) -> dict:
    """Process start -> exit of a Python that only imports STACK_FLOOR_IMPORTS (collector off,
    as `serve` has it): the floor under any cold start of a Flask + SQLAlchemy server here."""
    code = "import gc; gc.disable()\n" + "\n".join(f"import {m}" for m in STACK_FLOOR_IMPORTS)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)  # noqa: S603
        samples.append(time.perf_counter() - started)
    return {"imports": list(STACK_FLOOR_IMPORTS), "samples_s": samples,
            "median_s": statistics.median(samples)}  # fmt: skip


def measure_ours(
    data: DataSet, args: argparse.Namespace, cold_only: bool = False, src: Path | None = None
) -> dict:
    """Our server's cold starts and warm reports. `src`: the code of that source tree (a
    worktree of an older commit, the baseline) instead of this checkout's; its reports are not
    expected to convert, so only their per-currency totals are checked."""
    token_id, token = create_token(data)
    package = compile_bytecode(src)
    targets = endpoints(data)
    first = next(e for e in targets if e.report == "month_by_category")
    logs = RESULTS_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / f"server-{data.n}{'-baseline' if src else ''}.log"
    log_path.unlink(missing_ok=True)
    who = "baseline" if src else "ours"
    expect = None if src else expected_conversion(data)
    if expect is not None:
        log(
            f"  {who}: the month's spending in {expect.home}, converted by this script: "
            f"{expect.month_total_minor} (minor units)"
        )
    # The code measured: this checkout's, or another's when PYTHONPATH points at it (a
    # "before" figure measured from a worktree of an older commit).
    result: dict = {"cold_starts": [], "endpoints": {}, "log": str(log_path), "package": package}
    if src is not None:
        result["src"] = str(src)
        result["git_commit"] = git_commit(src)
    server = None
    try:
        for attempt in range(args.cold_starts):
            server = Server(data, log_path, src)
            server.start()
            ready = server.wait_ready()
            client = Client(server.port, token)
            status, body, _ = client.get(first.path)
            first_report = time.perf_counter() - server.started
            client.close()
            correct = status == 200 and first_report_correct(data, body, expect)
            result["cold_starts"].append(
                {
                    "ready_s": ready,
                    "first_report_s": first_report,
                    "first_report_status": status,
                    "first_report_correct": correct,
                }
            )
            log(
                f"  {who} cold start {attempt + 1}: ready {fmt_time(ready)}, first report "
                f"{fmt_time(first_report)} (HTTP {status}"
                + (", totals as generated)" if correct else ", totals NOT as generated)")
            )
            if attempt < args.cold_starts - 1 or cold_only:
                server.stop()
                server = None
        if server is not None:
            measure_warm(server, token, targets, args, result, expect, who)
    finally:
        if server is not None:
            server.stop()
        revoke_token(data, token_id)
    cold = [c["first_report_s"] for c in result["cold_starts"] if c["first_report_correct"]]
    result["cold_s"] = statistics.median(cold) if cold else None
    result["ready_s"] = statistics.median(c["ready_s"] for c in result["cold_starts"])
    if src is not None:
        return result  # the floor is the same for both: measured once, with ours
    result["stack_floor"] = measure_stack_floor(max(3, args.cold_starts))
    log(
        f"  stack floor (only importing {', '.join(STACK_FLOOR_IMPORTS)}): median "
        f"{fmt_time(result['stack_floor']['median_s'])}"
    )
    return result


def git_commit(path: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()


def measure_warm(
    server: Server,
    token: str,
    targets: list[Endpoint],
    args: argparse.Namespace,
    result: dict,
    expect: Expected | None = None,
    who: str = "ours",
) -> None:
    client = Client(server.port, token)
    for endpoint in targets:
        status, body, first_seconds = client.get(endpoint.path)
        entry: dict = {
            "report": endpoint.report,
            "path": endpoint.path,
            "status": status,
            "first_s": first_seconds,
            "bytes": len(body),
        }
        if status != 200:
            entry["detail"] = body[:300].decode(errors="replace")
            result["endpoints"][endpoint.label] = entry
            log(f"  {who} {endpoint.label}: HTTP {status} (not available yet)")
            continue
        for _ in range(args.warmup):
            client.get(endpoint.path)
        seconds = []
        for _ in range(args.requests):
            status, body, elapsed = client.get(endpoint.path)
            if status != 200:
                raise RuntimeError(f"{endpoint.path} answered {status} mid-run")
            seconds.append(elapsed)
        entry.update(summary(seconds))
        if endpoint.report != "context":
            after_write = measure_after_write(client, endpoint, args.after_write_requests, server)
            if after_write:
                entry["after_write"] = after_write
            entry["body_sample"] = body[:400].decode(errors="replace")
            entry["converted"] = converts(body)
            if expect is not None:
                entry["conversion_problems"] = conversion_problems(endpoint.report, body, expect)
        result["endpoints"][endpoint.label] = entry
        problems = entry.get("conversion_problems")
        log(
            f"  {who} {endpoint.label}: p50 {fmt_time(entry['p50_s'])}, "
            f"p95 {fmt_time(entry['p95_s'])} ({len(body):,} bytes)"
            + ("" if not entry.get("converted") else ", converted")
            + ("" if problems is None else f", conversion {problems if problems else 'ok'}")
            + (
                f"; first after a write: p50 {fmt_time(entry['after_write']['p50_s'])}"
                if entry.get("after_write")
                else ""
            )
        )
    client.close()
    result["memory"] = server.memory()
    result["postgres"] = postgres_backends(server.env["DATABASE_URL"])


def measure_after_write(
    client: Client, endpoint: Endpoint, requests: int, server: Server
) -> dict | None:
    """The report right after the person wrote to their account in another currency: what a
    process kept of that account is then stale, and the report reads it again. Each timed
    request follows an expense of 1.00 added there (the last day of the data), deleted after
    it, so the data is as generated again at the end. None if nothing could be written."""
    if requests <= 0:
        return None
    account_id, day = foreign_account(server.env["DATABASE_URL"])
    if account_id is None:
        return None
    expense = {"kind": "expense", "account_id": account_id, "date": day, "amount": "1.00",
               "payee": "bench: a write"}  # fmt: skip
    seconds = []
    for _ in range(requests):
        status, body, _ = client.send("POST", "/api/v1/transactions", expense)
        if status != 201:
            raise RuntimeError(f"writing before a report answered {status}: {body[:200]!r}")
        written = json.loads(body)["id"]
        try:
            status, _body, elapsed = client.get(endpoint.path)
            if status != 200:
                raise RuntimeError(f"{endpoint.path} answered {status} after a write")
            seconds.append(elapsed)
        finally:
            status, body, _ = client.send("DELETE", f"/api/v1/transactions/{written}")
            if status != 204:
                raise RuntimeError(f"deleting the write answered {status}: {body[:200]!r}")
    return summary(seconds)


def foreign_account(url: str) -> tuple[int | None, str]:
    """An account of the benchmark's person in a currency other than their home currency, and
    the data's last day."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT a.id, (SELECT max(date) FROM transactions) FROM accounts a "
            "JOIN users u ON u.id = a.user_id WHERE a.currency <> u.default_currency "
            "ORDER BY a.id LIMIT 1"
        ).fetchone()
    return (row[0], row[1].isoformat()) if row else (None, "")


def converts(body: bytes) -> bool:
    """The answer has figures in the home currency: a report's `converted` block, or the
    budget page's `conversions`."""
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    return isinstance(answer, dict) and ("converted" in answer or "conversions" in answer)


def measure_in_process(data: DataSet, runs: int, who: str = "in-process") -> dict:
    """The same reports called in-process, no HTTP: the service layer behind each endpoint
    (when it exists yet) and the raw-scan aggregates in store.queries that the dashboard uses
    today, which read transactions instead of a summary."""
    import importlib

    from finance_tracker.store.database import Database

    first, last = data.last_month
    span_first, span_last = data.span
    user_id = data.meta["user_id"]
    with psycopg.connect(data.url) as conn:
        home = conn.execute(
            "SELECT default_currency FROM users WHERE id = %s", (user_id,)
        ).fetchone()[0]
    # report -> [(label, module, function, positional arguments after (session, user_id))]
    reports, converted = "finance_tracker.services.reports", "finance_tracker.services.converted"
    candidates = {
        "month_by_category": [
            ("service", reports, "spending_by_category", (first, last)),
            ("service, converted", converted, "spending_by_category", (home, first, last)),
            ("raw SQL", "finance_tracker.store.queries", "spending_by_top_category", (first, last)),
        ],
        "monthly_income_expense": [
            ("service", reports, "income_expense_by_month", (span_first, span_last)),
            ("service, converted", converted, "income_expense_by_month",
             (home, span_first, span_last)),
            ("raw SQL", "finance_tracker.store.queries", "monthly_cash_flow",
             (span_first, span_last)),
        ],
        "net_worth": [
            ("service", reports, "net_worth_over_time", (span_first, span_last)),
            ("service, converted", converted, "net_worth_over_time",
             (home, span_first, span_last)),
        ],
        "budget_page": [("service", "finance_tracker.services.budgets", "month_view", (first,))],
    }  # fmt: skip
    database = Database(sqlalchemy_url(data.url))
    out: dict = {}
    try:
        for report, options in candidates.items():
            out[report] = []
            for label, module_name, function_name, extra in options:
                name = f"{module_name.removeprefix('finance_tracker.')}.{function_name}"
                entry: dict = {"kind": label, "function": name}
                try:
                    function = getattr(importlib.import_module(module_name), function_name)
                except (ImportError, AttributeError):
                    continue  # not written yet
                try:
                    with database.session() as session:
                        function(session, user_id, *extra)  # warm caches and the connection
                        seconds = []
                        for _ in range(runs):
                            started = time.perf_counter()
                            function(session, user_id, *extra)
                            seconds.append(time.perf_counter() - started)
                    entry.update(summary(seconds))
                    log(f"  {who} {name}: p50 {fmt_time(entry['p50_s'])}")
                except Exception as error:  # noqa: BLE001 - code under construction
                    entry["error"] = f"{type(error).__name__}: {error}"
                    log(f"  {who} {name}: {entry['error']}")
                out[report].append(entry)
    finally:
        database.dispose()
    return out


# --------------------------------------------------------------------------------------------
# Peers.


def amounts(text: str) -> dict[str, str]:
    """The total block of hledger's balance report: the lines after the last rule."""
    block = text.rsplit("----", 1)[-1]
    found: dict[str, str] = {}
    for number, commodity in re.findall(r"(-?[\d,]*\d\.\d+) ([A-Z]{3})", block):
        found[commodity] = number.replace(",", "")
    return found


def hledger_version() -> str | None:
    if shutil.which("hledger") is None:
        return None
    return subprocess.run(["hledger", "--version"], capture_output=True, text=True).stdout.strip()


def measure_hledger(
    data: DataSet, args: argparse.Namespace, only: tuple[str, ...] | None = None
) -> dict:
    version = hledger_version()
    if version is None:
        return {"error": "hledger not installed (apt-get install -y hledger)"}
    if not Path(TIME).exists():
        return {"error": f"{TIME} missing (apt-get install -y time)"}
    journal = data.meta["files"]["hledger"]
    first, _last = data.last_month
    span_first, span_last = data.span
    commands = {
        "month_by_category": ["bal", "^Expenses", "-p", f"{first:%Y-%m}"],
        "monthly_income_expense": [
            "bal", "^Income", "^Expenses", "-M", "--depth", "1",
            "-b", span_first.isoformat(), "-e", (span_last + dt.timedelta(days=1)).isoformat(),
        ],
    }  # fmt: skip
    runs = args.peer_runs if data.n <= args.large else args.peer_runs_large
    out: dict = {"tool": "hledger", "version": version, "reports": {}}
    for report, command in commands.items():
        if only is not None and report not in only:
            continue
        full = ["hledger", "-f", journal, *command]
        seconds, peaks, entry = [], [], {"command": " ".join(full)}
        for _ in range(runs):
            run = timed(full, args.peer_timeout)
            if run["code"] is None:
                entry["error"] = f"timeout after {args.peer_timeout:.0f} s"
                break
            if run["code"] != 0:
                entry["error"] = f"exit {run['code']}: {run['stderr'][-300:]}"
                break
            seconds.append(run["wall_s"])
            peaks.append(run["maxrss_kb"])
            if report == "month_by_category":  # one column: its total block is comparable
                entry["totals"] = amounts(run["stdout"])
            entry["output_lines"] = run["stdout"].count("\n")
        if seconds:
            entry.update(summary(seconds))
            entry["maxrss_kb"] = max(p for p in peaks if p is not None)
        out["reports"][report] = entry
        status = entry.get("error") or (
            f"{fmt_time(entry['p50_s'])} per run, {fmt_bytes(entry['maxrss_kb'])}"
        )
        log(f"  hledger {REPORTS[report]}: {status}")
    return out


def ensure_peers_venv() -> Path | None:
    python = PEERS_VENV / "bin" / "python"
    if python.exists():
        return python
    log(f"  creating {PEERS_VENV} with beancount 3 and beanquery (one time)")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "beancount>=3", "beanquery"],
            check=True,
        )
    except subprocess.CalledProcessError as error:
        log(f"  could not set up beancount: {error}")
        return None
    return python


def measure_beancount(data: DataSet, args: argparse.Namespace) -> dict:
    python = ensure_peers_venv()
    if python is None:
        return {"error": "beancount not installable"}
    first, last = data.last_month
    span_first, span_last = data.span
    runs = args.peer_runs  # warm queries on one load: cheap next to the load itself
    command = [
        str(python), str(BENCH_DIR / "peer_beancount.py"), data.meta["files"]["beancount"],
        "--month", first.isoformat(), last.isoformat(),
        "--span", span_first.isoformat(), span_last.isoformat(),
        "--runs", str(runs), "--t0", repr(time.time()),
    ]  # fmt: skip
    run = timed(command, args.peer_timeout * 3)
    if run["code"] is None:
        return {"error": f"timeout after {args.peer_timeout * 3:.0f} s"}
    if run["code"] != 0:
        return {"error": f"exit {run['code']}: {run['stderr'][-500:]}"}
    out = json.loads(run["stdout"])
    out["maxrss_kb"] = run["maxrss_kb"] or out.get("maxrss_kb")
    out["wall_s"] = run["wall_s"]
    for report, entry in out["reports"].items():
        entry.update(summary(entry.pop("times_s")))
        log(
            f"  beancount {REPORTS[report]}: p50 {fmt_time(entry['p50_s'])} warm "
            f"(load {fmt_time(out['load_s'])})"
        )
    return out


# --------------------------------------------------------------------------------------------
# Checks, table, JSON.


def expected_totals(meta: dict) -> dict[str, dict[str, str]]:
    """What the generator wrote, in journal signs (expenses positive, income negative)."""

    def decimal(minor: int) -> str:
        sign = "-" if minor < 0 else ""
        return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"

    month: dict[str, int] = {}
    for by_currency in meta["expected"]["last_month_expenses_by_account"].values():
        for currency, minor in by_currency.items():
            month[currency] = month.get(currency, 0) + minor
    span: dict[str, int] = {}
    for kinds in meta["expected"]["monthly_income_expense"].values():
        for by_currency in kinds.values():
            for currency, minor in by_currency.items():
                span[currency] = span.get(currency, 0) - minor
    return {
        "month_by_category": {c: decimal(v) for c, v in sorted(month.items())},
        "monthly_income_expense": {c: decimal(v) for c, v in sorted(span.items())},
    }


def check_agreement(data: DataSet, peers: dict) -> dict:
    expected = expected_totals(data.meta)
    verdict: dict = {}
    for tool, result in peers.items():
        for report, entry in result.get("reports", {}).items():
            got = entry.get("totals")
            if got is None:
                continue
            ok = {c: float(v) for c, v in got.items()} == {
                c: float(v) for c, v in expected[report].items()
            }
            verdict[f"{tool}/{report}"] = {"ok": ok, "expected": expected[report], "got": got}
    return verdict


def ours_peak_kb(ours: dict) -> int | None:
    app = ours.get("memory", {}).get("peak_kb")
    pg = ours.get("postgres", {}).get("max_peak_kb") or 0
    return app + pg if app else None


def evaluate(result: dict) -> list[dict]:
    """The issue's targets, checked against whatever was measured."""
    ours = result["ours"]
    by_report = {
        e["report"]: e for e in ours.get("endpoints", {}).values() if e["report"] != "context"
    }
    hledger = result.get("hledger", {})
    beancount = result.get("beancount", {})
    checks: list[dict] = []
    at_scale = result["data"]["transactions"] >= 1_000_000  # fava's figures are for 1M rows

    def add(name: str, value: str, ok: bool | None, detail: str = "") -> None:
        verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
        checks.append({"target": name, "value": value, "verdict": verdict, "detail": detail})

    for report, limit in (
        ("month_by_category", TARGET_MONTH_MS),
        ("monthly_income_expense", TARGET_MONTHLY_MS),
        ("net_worth", TARGET_NET_WORTH_MS),
    ):
        entry = by_report.get(report, {})
        p50 = entry.get("p50_s")
        converted = " (converted)" if entry.get("converted") else ""
        name = f"{REPORTS[report]}{converted}: p50 <= {limit:.0f} ms, warm over HTTP"
        if p50 is None:
            add(name, f"not available yet (HTTP {entry.get('status', '-')})", None)
        else:
            add(name, fmt_time(p50), p50 * 1000 <= limit)
        if report in NO_PEER:
            continue
        # Beat every peer's warm figure (hledger has only cold runs: its figure is the run).
        peers = {
            "hledger": hledger.get("reports", {}).get(report, {}).get("p50_s"),
            "beancount": beancount.get("reports", {}).get(report, {}).get("p50_s"),
            "fava (quoted)": FAVA_QUOTED[report] if at_scale else None,
        }
        known = {k: v for k, v in peers.items() if v is not None}
        detail = ", ".join(f"{k} {fmt_time(v)}" for k, v in known.items())
        name = f"{REPORTS[report]}: faster than every peer's warm p50"
        if p50 is None or not known:
            add(name, "not available yet" if p50 is None else fmt_time(p50), None, detail)
        else:
            add(name, fmt_time(p50), all(p50 < v for v in known.values()), detail)

    # Issue 16: the converted figures are complete and equal this script's own sums.
    for report, title in REPORTS.items():
        entry = by_report.get(report, {})
        problems = entry.get("conversion_problems")
        if problems is not None:
            add(
                f"{title}: converted figures complete (no missing rates) and as computed here",
                "yes" if not problems else "; ".join(problems)[:200],
                not problems,
            )

    cold = ours.get("cold_s")
    peers_cold = {
        "hledger": hledger.get("reports", {}).get("month_by_category", {}).get("p50_s"),
        "beancount": beancount.get("cold_s"),
        "fava (quoted)": FAVA_QUOTED["load_s"] if at_scale else None,
    }
    known = {k: v for k, v in peers_cold.items() if v is not None}
    if not known:
        add(f">= {COLD_FACTOR:.0f}x faster cold start", fmt_time(cold), None, "no peer figures")
    elif cold is None:
        ready = ours.get("ready_s")
        add(
            f">= {COLD_FACTOR:.0f}x faster cold start (process start -> first report)",
            f"no report yet (ready in {fmt_time(ready)})",
            None,
            ", ".join(f"{k} {v / ready:.0f}x" for k, v in known.items()) + " (vs ready)"
            if ready
            else "",
        )
    else:
        floor = ours.get("stack_floor", {}).get("median_s")
        add(
            f">= {COLD_FACTOR:.0f}x faster cold start (process start -> first report)",
            fmt_time(cold),
            all(v / cold >= COLD_FACTOR for v in known.values()),
            ", ".join(f"{k} {fmt_time(v)} = {v / cold:.0f}x" for k, v in known.items())
            + (
                f"; the stack's import floor {fmt_time(floor)} would be "
                + ", ".join(f"{v / floor:.0f}x {k}" for k, v in known.items())
                if floor
                else ""
            ),
        )

    ours_kb = ours_peak_kb(ours)
    peer_kb = {
        "hledger": max(
            (e.get("maxrss_kb") or 0 for e in hledger.get("reports", {}).values()), default=0
        )
        or None,
        "beancount": beancount.get("maxrss_kb"),
    }
    known_kb = {k: v for k, v in peer_kb.items() if v}
    if not known_kb:
        add(f"<= 1/{MEMORY_FACTOR:.0f} of the peers' memory", fmt_bytes(ours_kb), None, "no peers")
    elif ours_kb is None:
        add(f"<= 1/{MEMORY_FACTOR:.0f} of the peers' memory", "not measured", None)
    else:
        add(
            f"<= 1/{MEMORY_FACTOR:.0f} of the peers' memory (app + PostgreSQL backend)",
            fmt_bytes(ours_kb),
            all(v / ours_kb >= MEMORY_FACTOR for v in known_kb.values()),
            ", ".join(f"{k} {fmt_bytes(v)} = {v / ours_kb:.0f}x" for k, v in known_kb.items()),
        )
    return checks


def table(result: dict) -> str:
    meta = result["data"]
    rows: list[tuple[str, ...]] = []
    header = ("report", "tool", "p50", "p95", "cold", "peak RSS", "note")
    ours = result["ours"]
    ours_mem = ours_peak_kb(ours)
    mem_note = ""
    if ours.get("memory"):
        mem_note = (
            f"app {fmt_bytes(ours['memory']['peak_kb'])} + "
            f"PG backend {fmt_bytes(ours.get('postgres', {}).get('max_peak_kb'))}"
        )
    hledger = result.get("hledger", {})
    beancount = result.get("beancount", {})
    in_process = result.get("in_process", {})
    for report, title in REPORTS.items():
        label = title
        for entry_label, entry in ours.get("endpoints", {}).items():
            if entry["report"] != report:
                continue
            if entry.get("p50_s") is None:
                rows.append((label, "ours (HTTP)", "not available yet", "", "", "",
                             f"HTTP {entry['status']} from {entry_label}"))  # fmt: skip
            else:
                how = (
                    "ours (HTTP, warm, converted)"
                    if entry.get("converted")
                    else "ours (HTTP, warm)"
                )
                rows.append((
                    label, how, fmt_time(entry["p50_s"]),
                    fmt_time(entry["p95_s"]),
                    fmt_time(ours.get("cold_s")) if report == "month_by_category" else "",
                    fmt_bytes(ours_mem), mem_note,
                ))  # fmt: skip
                if entry.get("after_write"):
                    after = entry["after_write"]
                    rows.append((
                        "", "ours (HTTP, first after a write)", fmt_time(after["p50_s"]),
                        fmt_time(after["p95_s"]), "", "",
                        f"an expense added to the other-currency account first, n={after['n']}",
                    ))  # fmt: skip
            label = ""
        for entry in in_process.get(report, []):
            tool = f"ours in-process, {entry['kind']}"
            if "error" in entry:
                rows.append((label, tool, "error", "", "", "", entry["error"][:60]))
            else:
                rows.append((label, tool, fmt_time(entry["p50_s"]), fmt_time(entry["p95_s"]),
                             "", "", f"{entry['function']}, no HTTP"))  # fmt: skip
            label = ""
        if report in hledger.get("reports", {}):
            entry = hledger["reports"][report]
            if "error" in entry:
                rows.append((label, "hledger", entry["error"][:40], "", "", "", ""))
            else:
                note = f"cold runs only, n={entry['n']}"
                rows.append((label, "hledger", fmt_time(entry["p50_s"]),
                             fmt_time(entry["p95_s"]), fmt_time(entry["p50_s"]),
                             fmt_bytes(entry["maxrss_kb"]), note))  # fmt: skip
            label = ""
        elif "error" in hledger and report not in NO_PEER:
            rows.append((label, "hledger", hledger["error"][:40], "", "", "", ""))
            label = ""
        if report in beancount.get("reports", {}):
            entry = beancount["reports"][report]
            rows.append((label, "beancount + beanquery", fmt_time(entry["p50_s"]),
                         fmt_time(entry["p95_s"]), fmt_time(beancount["cold_s"]),
                         fmt_bytes(beancount["maxrss_kb"]),
                         f"warm on loaded entries, n={entry['n']}; load "
                         f"{fmt_time(beancount['load_s'])}"))  # fmt: skip
            label = ""
        elif "error" in beancount and report not in NO_PEER:
            rows.append((label, "beancount", beancount["error"][:40], "", "", "", ""))
            label = ""
        if report in NO_PEER:
            rows.append((label, "hledger / beancount", "-", "", "", "", "not timed here"))
    context = [(lbl, e) for lbl, e in ours.get("endpoints", {}).items() if e["report"] == "context"]
    for index, (entry_label, entry) in enumerate(context):
        rows.append((
            "context (no target)" if index == 0 else "", entry_label,
            fmt_time(entry.get("p50_s")) if entry.get("p50_s") else f"HTTP {entry['status']}",
            fmt_time(entry.get("p95_s")), "", "", "",
        ))  # fmt: skip

    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        f"N = {meta['transactions']:,} rows in ft_bench_{meta['transactions']} "
        f"({meta['first_day']} .. {meta['last_day']}, seed {meta['seed']}); "
        f"ours: cold = process start -> first correct report "
        f"(median of {len(ours['cold_starts'])}), "
        f"ready = {fmt_time(ours.get('ready_s'))}",
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    if ours.get("error"):
        lines.append(f"ours failed: {ours['error']}")
    lines.append("")
    lines.append("targets (issues 3 and 16; set at 1M rows)")
    for check in result["targets"]:
        detail = f"  [{check['detail']}]" if check["detail"] else ""
        lines.append(f"  {check['verdict']:<4}  {check['target']}: {check['value']}{detail}")
    agreement = result.get("agreement", {})
    if agreement:
        bad = [k for k, v in agreement.items() if not v["ok"]]
        lines.append(
            "peer totals agree with the generator's: "
            + ("yes" if not bad else "NO: " + ", ".join(bad))
        )
    return "\n".join(line.rstrip() for line in lines)


def environment() -> dict:
    def run(*command: str) -> str:
        try:
            return subprocess.run(
                command, capture_output=True, text=True, cwd=ROOT, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_kb": proc_meminfo("MemTotal"),
        "python": platform.python_version(),
        "git_commit": run("git", "rev-parse", "--short", "HEAD"),
        "git_dirty_files": len(run("git", "status", "--porcelain").splitlines()),
        "alembic_head": alembic_head(),
        "postgres": run("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SHOW server_version"),
        "loadavg_at_start": os.getloadavg(),
    }


def alembic_head() -> str | None:
    from finance_tracker.store import migrate

    return migrate.head_revision(sqlalchemy_url(DEFAULT_SERVER + "/postgres"))


def proc_meminfo(key: str) -> int | None:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--reuse", action="store_true", help="reuse data sets already generated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--end-month", help="YYYY-MM (default: last month)")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server URL")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per report")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    parser.add_argument(
        "--after-write-requests", type=int, default=20,
        help="timed requests per report right after a write to the other-currency account",
    )  # fmt: skip
    parser.add_argument("--cold-starts", type=int, default=3, help="server starts to time")
    parser.add_argument("--sql-runs", type=int, default=20, help="runs of each in-process call")
    parser.add_argument("--peer-runs", type=int, default=3, help="runs per peer report")
    parser.add_argument(
        "--peer-runs-large", type=int, default=1, help="hledger runs per report for N > --large"
    )
    parser.add_argument("--large", type=int, default=200_000)
    parser.add_argument("--peer-timeout", type=float, default=600, help="seconds per peer run")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument(
        "--only",
        choices=["cold-start"],
        help="cold-start: only our cold starts (and hledger's month report unless --skip-peers)",
    )
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="also measure the code of this source tree (e.g. the src of a git worktree of an "
        "older commit) on the same data, first, and print both side by side",
    )
    # Internal: the in-process calls only, into a JSON file (the baseline's, on its path).
    parser.add_argument("--in-process-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.in_process_only:
        return in_process_only(args)
    if args.only == "cold-start":
        return cold_start_only(args)

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    tables = []
    for n in args.sizes:
        log(f"== N = {n:,}")
        data = ensure_data(n, args)
        result = new_result(data, generate_s=data.seconds)
        if args.baseline_src:
            result["baseline"] = measure_baseline(data, args)
        try:
            result["ours"] = measure_ours(data, args)
        except Exception as error:  # noqa: BLE001 - report it and still measure the peers
            log(f"  ours: {type(error).__name__}: {error}")
            result["ours"] = {"error": f"{type(error).__name__}: {error}", "cold_starts": []}
        result["in_process"] = measure_in_process(data, args.sql_runs)
        if not args.skip_peers:
            result["hledger"] = measure_hledger(data, args)
            result["beancount"] = measure_beancount(data, args)
            result["agreement"] = check_agreement(
                data, {"hledger": result["hledger"], "beancount": result["beancount"]}
            )
        result["environment"]["loadavg_at_end"] = os.getloadavg()
        result["targets"] = evaluate(result)
        text = table(result)
        if "baseline" in result:
            result["side_by_side"] = side_by_side(result)
            text += "\n\n" + result["side_by_side"]
        result["table"] = text
        suffix = "-no-peers" if args.skip_peers else ""
        suffix += "-vs-baseline" if args.baseline_src else ""
        path = RESULTS_DIR / f"{result['date']}-{n}{suffix}.json"
        path.write_text(json.dumps(result, indent=1, default=str))
        log("")
        log(text)
        log(f"(written to {path.relative_to(ROOT)})")
        log("")
        tables.append(text)
    if len(tables) > 1:
        log("\n\n".join(tables))
    return 0


def measure_baseline(data: DataSet, args: argparse.Namespace) -> dict:
    """The same server command and in-process calls on the code of `--baseline-src`."""
    src = args.baseline_src.resolve()
    if not (src / "finance_tracker" / "__init__.py").exists():
        raise SystemExit(f"--baseline-src {src}: no finance_tracker package there")
    out: dict = {"src": str(src), "git_commit": git_commit(src)}
    log(f"  baseline: the code in {src} (commit {out['git_commit']})")
    try:
        out["ours"] = measure_ours(data, args, src=src)
    except Exception as error:  # noqa: BLE001 - report it and still measure ours
        log(f"  baseline: {type(error).__name__}: {error}")
        out["ours"] = {"error": f"{type(error).__name__}: {error}", "cold_starts": []}
    with tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(src), *filter(None, [os.environ.get("PYTHONPATH")])]
        ))  # fmt: skip
        command = [sys.executable, str(Path(__file__).resolve()), "--sizes", str(data.n)]
        command += ["--server", args.server, "--sql-runs", str(args.sql_runs)]
        command += ["--in-process-only", report.name]
        subprocess.run(command, check=False, cwd=ROOT, env=env)
        try:
            answer = json.loads(report.read() or "{}")
        except ValueError:
            answer = {}
    out["in_process"] = answer.get("reports", {})
    out["in_process_package"] = answer.get("package")
    if out["in_process_package"] and not out["in_process_package"].startswith(str(src)):
        log(f"  baseline in-process ran {out['in_process_package']}, not {src}: ignored")
        out["in_process"] = {}
    return out


def in_process_only(args: argparse.Namespace) -> int:
    """The in-process calls of one size's data set, written as JSON to the given file; run by
    measure_baseline with PYTHONPATH on the baseline's source tree."""
    import finance_tracker

    n = args.sizes[0]
    meta = json.loads((BENCH_DIR / "data" / str(n) / "meta.json").read_text())
    data = DataSet(n, f"{args.server.rstrip('/')}/ft_bench_{n}", meta)
    reports = measure_in_process(data, args.sql_runs, who="baseline in-process")
    args.in_process_only.write_text(
        json.dumps({"package": finance_tracker.__file__, "reports": reports}, default=str)
    )
    return 0


def side_by_side(result: dict) -> str:
    """Before (the baseline's code) and after (this checkout), same data, same run."""
    base = result["baseline"]
    before, after = base.get("ours", {}), result["ours"]
    env = result["environment"]
    header = ("report", "measured", "before p50", "before p95", "after p50", "after p95",
              "after/before")  # fmt: skip
    rows: list[tuple[str, ...]] = []

    def ratio(b: float | None, a: float | None) -> str:
        return f"{a / b:.2f}x" if a and b else ""

    def add(report: str, what: str, b: dict | None, a: dict | None) -> None:
        b, a = b or {}, a or {}
        rows.append((
            report, what, fmt_time(b.get("p50_s")), fmt_time(b.get("p95_s")),
            fmt_time(a.get("p50_s")), fmt_time(a.get("p95_s")),
            ratio(b.get("p50_s"), a.get("p50_s")),
        ))  # fmt: skip

    for report, title in [*REPORTS.items(), ("context", "context (no target)")]:
        label = title
        for name, entry in after.get("endpoints", {}).items():
            if entry["report"] != report:
                continue
            old = before.get("endpoints", {}).get(name)
            what = name + (" (after: converted)" if entry.get("converted") else "")
            add(label, what, old if old and old.get("p50_s") else None, entry)
            label = ""
            if entry.get("after_write"):
                add("", "  the same, first after a write", (old or {}).get("after_write"),
                    entry["after_write"])  # fmt: skip
        old_calls = {e["function"]: e for e in base.get("in_process", {}).get(report, [])}
        for entry in result.get("in_process", {}).get(report, []):
            if "p50_s" in entry:
                add(label, f"in-process {entry['function']}", old_calls.get(entry["function"]),
                    entry)  # fmt: skip
                label = ""
    rows.append(("cold start", "process start -> first correct report (median)",
                 fmt_time(before.get("cold_s")), "", fmt_time(after.get("cold_s")), "",
                 ratio(before.get("cold_s"), after.get("cold_s"))))  # fmt: skip
    rows.append(("", "process start -> /readyz (median)", fmt_time(before.get("ready_s")), "",
                 fmt_time(after.get("ready_s")), "",
                 ratio(before.get("ready_s"), after.get("ready_s"))))  # fmt: skip
    memory = (fmt_bytes(ours_peak_kb(before)), fmt_bytes(ours_peak_kb(after)))
    rows.append(("memory", "peak RSS, app + PostgreSQL backend", memory[0], "", memory[1], "", ""))
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    dirty = env.get("git_dirty_files")
    lines = [
        f"before vs after, same data, same run: before = {base.get('git_commit')} "
        f"({base.get('src')}), after = {env.get('git_commit')}"
        + (f" (checkout with {dirty} changed files)" if dirty else ""),
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    if before.get("error"):
        lines.append(f"before failed: {before['error']}")
    return "\n".join(line.rstrip() for line in lines)


def new_result(data, **extra: object) -> dict:  # type: ignore[no-untyped-def]
    """What every result file starts with: the issue, the day, the machine and the data set."""
    return {
        "issue": 3,
        "date": dt.date.today().isoformat(),
        **extra,
        "environment": environment(),
        "data": {k: v for k, v in data.meta.items() if k != "expected"},
    }


def cold_start_only(args: argparse.Namespace) -> int:
    """Process start -> first correct report, the way the full run measures it, and hledger's
    month by category report (its cold figure) beside it. No warm runs, no beancount."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        log(f"== N = {n:,}, cold start only")
        data = ensure_data(n, args)
        result = new_result(data, only="cold-start")
        result["ours"] = measure_ours(data, args, cold_only=True)
        if not args.skip_peers:
            result["hledger"] = measure_hledger(data, args, only=("month_by_category",))
        result["environment"]["loadavg_at_end"] = os.getloadavg()
        result["targets"] = [c for c in evaluate(result) if "cold start" in c["target"]]
        ours = result["ours"]
        log(
            f"ours: cold = process start -> first correct report, median of "
            f"{len(ours['cold_starts'])}: {fmt_time(ours['cold_s'])} "
            f"(ready {fmt_time(ours['ready_s'])})"
        )
        for check in result["targets"]:
            detail = f"  [{check['detail']}]" if check["detail"] else ""
            log(f"  {check['verdict']:<4}  {check['target']}: {check['value']}{detail}")
        path = RESULTS_DIR / f"{result['date']}-{n}-cold-start.json"
        path.write_text(json.dumps(result, indent=1, default=str))
        log(f"(written to {path.relative_to(ROOT)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
