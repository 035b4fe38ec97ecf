"""Write-path benchmark (issue 13): our API against the floors of the stack it stands on.

In one run, on the same gunicorn settings as `finance-tracker serve --production` (2 workers x 4
threads, gthread) and driven by wrk (Debian's `wrk`, a C load generator: the client costs little
and the same for every target) at 8 connections, 2 threads:

1. bare Flask returning a small JSON (the HTTP floor)           GET  /hello
2. bare Flask + SQLAlchemy inserting one row and committing       POST /rows
3. ours: token auth and a small JSON                              GET  /api/v1/me
4. ours: create, edit and delete a transaction                    POST, PATCH, DELETE
   /api/v1/transactions — one person, one token, one account, one month, every connection
   at once (the case of issue 13).

Prints req/s, p50 and p99 latency and errors (non-2xx and socket errors) side by side, each
with its ratio to its floor, and the issue's targets. PostgreSQL on 127.0.0.1:5432; the benchmark
creates and drops its own database `ft_bench_write`. Ours runs as deployed: production settings,
JSON access log at INFO (to a file), no Redis, no scheduler.

    .venv/bin/python bench/write_path.py [--seconds 5] [--rounds 3] [--connections 8]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ADMIN = os.environ.get("BENCH_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "ft_bench_write"
SECRET = "benchmark-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - a throwaway server
DONE_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, '
    .. '"status_errors": %d, "socket_errors": %d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def _lua(method: str, path: str, token: str | None, body: dict | None, ids: list[int]) -> str:
    """A wrk script; with `ids`, each wrk thread walks its own share of them ({id} in path)."""
    headers = ['wrk.headers["Content-Type"] = "application/json"']
    if token:
        headers.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    payload = json.dumps(json.dumps(body)) if body is not None else "nil"
    script = "\n".join(headers) + f"\nlocal body = {payload}\n"
    if ids:
        script += (
            "local ids = {" + ",".join(map(str, ids)) + "}\n"
            "local threads, counter = 0, 0\n"
            "setup = function(thread) thread:set('offset', threads); threads = threads + 1 end\n"
            "init = function(args) step = 0 end\n"
            "request = function()\n"
            "  local index = (offset + step * 2) % #ids + 1\n"
            "  step = step + 1\n"
            f'  local path = string.gsub("{path}", "{{id}}", ids[index])\n'
            f'  return wrk.format("{method}", path, nil, body)\n'
            "end\n"
        )
    else:
        script += f'wrk.method = "{method}"\nif body then wrk.body = body end\n'
    return script + DONE_LUA


def drive(
    name: str,
    url: str,
    script: str,
    seconds: float,
    connections: int,
    workdir: Path,
    *,
    warm_up: bool = False,
) -> Result:
    path = workdir / (re.sub(r"\W+", "-", name) + ".lua")
    path.write_text(script)
    # Warm-up, not counted: lazy imports, SQLAlchemy's statement cache, the pools.
    warm = ["wrk", "-t", "2", "-c", str(connections), "-d", "2s", "-s", str(path), url]
    if warm_up and "ids[" not in script:  # (ids to delete are not to be used up by it)
        subprocess.run(warm, capture_output=True, check=True)
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "-s",
        str(path),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return Result(
        name,
        data["requests"],
        data["seconds"],
        data["p50_ms"],
        data["p99_ms"],
        data["status_errors"] + data["socket_errors"],
    )


RUNNING: list[Server] = []


class Server:
    def __init__(self, command: list[str], env: dict[str, str], port: int, log: Path) -> None:
        RUNNING.append(self)
        self.url = f"http://127.0.0.1:{port}"
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT
        )

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + path, timeout=2):  # noqa: S310
                    return
            except OSError as error:
                if getattr(error, "code", None):  # an HTTP answer: it is up
                    return
                time.sleep(0.2)
        raise SystemExit(f"server at {self.url} never answered {path}")

    def stop(self) -> None:
        if self in RUNNING:
            RUNNING.remove(self)
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def _gunicorn(app: str, port: int, env: dict[str, str], log: Path) -> Server:
    command = [
        str(BIN / "gunicorn"),
        "-w",
        "2",
        "-k",
        "gthread",
        "--threads",
        "4",
        "--keep-alive",
        "5",
        "-b",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT / "bench"),
        app,
    ]
    return Server(command, env, port, log)


def _fresh_database() -> str:
    with psycopg.connect(ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    return re.sub(r"/[^/]*$", f"/{DATABASE}", ADMIN)


def _drop_database() -> None:
    with psycopg.connect(ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _person(url: str, prepared: int) -> tuple[str, int, list[int], list[int]]:
    """A person with an account, a token and `prepared` transactions to edit and delete."""
    subprocess.run(
        [str(BIN / "finance-tracker"), "db", "upgrade"],
        check=True,
        env={**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"},
        capture_output=True,
    )
    from finance_tracker.services import accounts, tokens, transactions, users
    from finance_tracker.store.database import Database

    database = Database(url.replace("postgresql://", "postgresql+psycopg://"))
    today = dt.date.today()
    with database.session() as session:
        user = users.register(session, "bench@example.com", "a long benchmark passphrase 7731")
        account = accounts.create(
            session, user.id, accounts.AccountInput("Checking", "checking", "EUR", "0")
        )
        _, token = tokens.create(session, user.id, "benchmark")
        ids = [
            transactions.create(
                session,
                user.id,
                transactions.TransactionInput(
                    "expense", account.id, today, "4.20", f"Prepared {n}"
                ),
            ).id
            for n in range(prepared)
        ]
    database.dispose()
    half = len(ids) // 8
    return token, account.id, ids[:half], ids[half:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5, help="each target, each round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--prepared", type=int, default=12000,
        help="transactions made beforehand: 1/8 to edit, the rest to delete",
    )  # fmt: skip
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk: apt-get install -y wrk")
    workdir = Path(tempfile.mkdtemp(prefix="ft-bench-write-"))
    url = _fresh_database()
    samples: dict[str, list[Result]] = {}
    try:
        token, account_id, edit_ids, delete_ids = _person(url, args.prepared)
        targets = _start_all(url, token, account_id, edit_ids, workdir)
        # Rounds, every target once a round: a machine that slows down or speeds up during
        # the run then weighs on every target alike (each figure is the median of its rounds).
        share = len(delete_ids) // args.rounds
        for round_number in range(args.rounds):
            for name, url_of_target, make_script in targets:
                ids = delete_ids[round_number * share : (round_number + 1) * share]
                script = make_script(ids)
                result = drive(name, url_of_target, script, args.seconds, args.connections,
                               workdir, warm_up=round_number == 0)  # fmt: skip
                samples.setdefault(name, []).append(result)
    finally:
        for server in list(RUNNING):
            server.stop()
        _drop_database()
    _report([_median(runs) for runs in samples.values()], args.seconds, args.rounds,
            args.connections)  # fmt: skip
    shutil.rmtree(workdir, ignore_errors=True)


def _median(runs: list[Result]) -> Result:
    def middle(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    seconds = sum(r.seconds for r in runs)
    rate = middle([r.rate for r in runs])
    return Result(runs[0].name, round(rate * seconds), seconds, middle([r.p50_ms for r in runs]),
                  middle([r.p99_ms for r in runs]), sum(r.errors for r in runs))  # fmt: skip


def _start_all(
    url: str, token: str, account_id: int, edit_ids: list[int], workdir: Path
) -> list[tuple[str, str, Callable[[list[int]], str]]]:
    """Every server up at once (idle ones cost nothing); the targets with their wrk scripts."""
    hello = _gunicorn("floor_apps:hello", 18201, {}, workdir / "hello.log")
    os.environ["FLOOR_DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT / "bench"))
    import floor_apps

    floor_apps.create_table()
    floor = _gunicorn(
        "floor_apps:insert", 18202, {"FLOOR_DATABASE_URL": url}, workdir / "insert.log"
    )
    ours = Server(
        [str(BIN / "finance-tracker"), "serve", "--production"],
        {
            "DATABASE_URL": url, "FINANCE_TRACKER_ENV": "production", "SECRET_KEY": SECRET,
            "PORT": "18203", "HOST": "127.0.0.1", "WEB_WORKERS": "2", "LOG_LEVEL": "INFO",
            "EMBEDDED_JOBS": "false", "AUTO_MIGRATE": "false",
        },
        18203, workdir / "ours.log",
    )  # fmt: skip
    hello.wait("/hello")
    floor.wait("/rows")
    ours.wait("/readyz")
    today = dt.date.today().isoformat()
    row = {"date": today, "amount_minor": 420, "payee": "Corner shop"}
    expense = {"kind": "expense", "account_id": account_id, "date": today, "amount": "4.20",
               "payee": "Corner shop"}  # fmt: skip
    one = f"/api/v1/transactions/{edit_ids[0]}"
    return [
        ("1 bare Flask: GET /hello", hello.url + "/hello",
         lambda _ids: _lua("GET", "/hello", None, None, [])),
        ("2 bare Flask+SQLAlchemy: POST /rows", floor.url + "/rows",
         lambda _ids: _lua("POST", "/rows", None, row, [])),
        ("3 ours: GET /api/v1/me", ours.url + "/api/v1/me",
         lambda _ids: _lua("GET", "/api/v1/me", token, None, [])),
        ("4 ours: POST /api/v1/transactions", ours.url + "/api/v1/transactions",
         lambda _ids: _lua("POST", "/api/v1/transactions", token, expense, [])),
        ("4 ours: PATCH /api/v1/transactions/{id}", ours.url + one,
         lambda _ids: _lua("PATCH", "/api/v1/transactions/{id}", token, {"amount": "5.10"},
                           edit_ids)),
        ("4 ours: DELETE /api/v1/transactions/{id}", ours.url + one,
         lambda ids: _lua("DELETE", "/api/v1/transactions/{id}", token, None, ids)),
    ]  # fmt: skip


def _report(results: list[Result], seconds: float, rounds: int, connections: int) -> None:
    hello, insert = results[0], results[1]
    print(
        f"\nwrite path: wrk, {connections} connections, medians of {rounds} rounds of "
        f"{seconds:g} s each, "
        f"gunicorn 2 workers x 4 threads; load average {os.getloadavg()[0]:.2f}\n"
    )
    print(f"{'target':46} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}  ratio")
    for result in results:
        floor = hello if result is hello or "/me" in result.name else insert
        ratio = (
            ""
            if result in (hello, insert)
            else f"{result.rate / floor.rate:5.0%} of "
            + ("hello" if floor is hello else "bare insert")
        )
        print(
            f"{result.name:46} {result.rate:8.0f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} "
            f"{result.errors:7d}  {ratio}"
        )
    me = next(r for r in results if "/me" in r.name)
    post = next(r for r in results if "POST /api" in r.name)
    print("\ntargets:")
    print(
        f"  POST >= 50% of the bare insert: {post.rate / insert.rate:.0%} "
        f"{'met' if post.rate >= 0.5 * insert.rate else 'NOT met'}"
    )
    print(f"  POST 0 errors: {post.errors} {'met' if post.errors == 0 else 'NOT met'}")
    print(f"  POST p99 <= 50 ms: {post.p99_ms:.1f} ms {'met' if post.p99_ms <= 50 else 'NOT met'}")
    print(
        f"  /me >= 30% of hello: {me.rate / hello.rate:.0%} "
        f"{'met' if me.rate >= 0.3 * hello.rate else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
