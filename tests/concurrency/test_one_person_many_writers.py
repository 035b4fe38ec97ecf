"""One person, many writers at once, against the real server — never a 5xx, never a wrong total.

Eight API clients of one person (threads, each on its own connection), a browser tab posting the
new-transaction form, an importer committing bank statements, and someone editing a recurring
template while the server's scheduler creates its due transactions (every second, in every
server process): all of them write into the same month and the same two accounts at once.
Creates, edits that move money between buckets (amount, date, account, category, kind),
deletes, splits, transfers, Set category, tags used for the first time by several clients,
account and category names raced by all, budgets set and copied twice at once.

Then: no answer was a 5xx (or a dropped connection), no log line is ERROR or CRITICAL (every
line JSON), every acknowledged write is there as acknowledged (and every acknowledged delete
gone), each raced name exists once, and the month totals equal a recomputation from the rows.

Run twice: under gunicorn (`serve --production`, 2 workers) on PostgreSQL, and as the embedded
default (`serve` on SQLite). Bounded: 8 clients x 40 operations, each run within 120 s.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, literal_column, select

from finance_tracker.store.models import (
    Account,
    Category,
    MonthTotal,
    MonthTotalDelta,
    Tag,
    Transaction,
)
from finance_tracker.store.sqlfunctions import month_of
from tests.production.conftest import Logs, run_command
from tests.production.session import Person, occurrences
from tests.resilience.harness import App, free_port

from .workload import RACED_ACCOUNT, RACED_CATEGORY, SHARED_TAGS, Api, Ledger, Outcome, run_clients

CLIENTS = 8
OPERATIONS = 40
SECONDS = 120


def _ofx(month: dt.date, batch: int) -> bytes:
    from tests.integration.bank_files import OFX1_HEADER

    day = month.replace(day=10 + batch).strftime("%Y%m%d")
    rows = "".join(
        f"<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>{day}<TRNAMT>-{n + 1}.25"
        f"<FITID>B{batch}-{n}<NAME>Imported {batch}</STMTTRN>\n"
        for n in range(25)
    )
    return (
        OFX1_HEADER
        + (
            "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKTRANLIST>\n"
            f"{rows}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
        ).encode()
    )


class Server:
    """The server under test and a way to look at its database directly."""

    def __init__(self, app: App, database_url: str) -> None:
        self.app = app
        self.url = app.url
        self.engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))


def _environment(extra: dict[str, str | None]) -> dict[str, str | None]:
    return {
        "LOG_LEVEL": "INFO",
        "REGISTRATION": "open",
        "JOBS_INTERVAL_SECONDS": "1",  # the scheduler runs all through the load
        "PYTHONUNBUFFERED": "1",
        "REDIS_URL": None,
        "UPLOAD_DIR": None,
        **extra,
    }


@pytest.fixture(params=["postgresql-gunicorn", "sqlite-embedded"])
def server(request: pytest.FixtureRequest, logs: Logs, tmp_path: Path) -> Iterator[Server]:
    data = tmp_path / "data"
    data.mkdir()
    if request.param == "postgresql-gunicorn":
        database_url = request.getfixturevalue("fresh_postgres")
        env = _environment({"DATABASE_URL": database_url, "DATA_DIR": str(data)})
        full = {**os.environ, "FINANCE_TRACKER_ENV": "production", "SECRET_KEY": "x" * 40}
        full.update({k: v for k, v in env.items() if v is not None})
        for name in [k for k, v in env.items() if v is None]:
            full.pop(name, None)
        done = run_command(logs, "migrate", ["db", "upgrade"], full)
        assert done.returncode == 0, done.stderr
        app = App(free_port(), {**env, "WEB_WORKERS": "2"}, logs.path("serve"))
    else:
        database_url = f"sqlite:///{data / 'finance-tracker.db'}"
        env = _environment({
            "FINANCE_TRACKER_ENV": "development", "DATA_DIR": str(data), "SECRET_KEY": None,
            "AUTO_MIGRATE": None, "WEB_WORKERS": None, "DATABASE_URL": None,
        })  # fmt: skip
        app = App(free_port(), env, logs.path("serve"), args=("serve",))
    app.wait_ready()
    yield Server(app, database_url)
    if app.process.poll() is None:
        app.process.send_signal(signal.SIGTERM if request.param.startswith("postgresql") else
                                signal.SIGINT)  # fmt: skip
    try:
        code = app.process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        code = app.stop(kill=True)
    assert code == 0, f"the server exited with {code}"


def _same_person(url: str, person: Person) -> Person:
    """The same person on another device: their API token, a connection of its own."""
    other = Person(url)
    other.user.api_token, other.user.account_id = person.user.api_token, person.account_id
    return other


def _in_background(name: str, work, failures: list[str]) -> threading.Thread:  # type: ignore[no-untyped-def]
    def guarded() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - reported as a failure of the run
            failures.append(f"{name}: {type(error).__name__}: {error}")

    thread = threading.Thread(target=guarded, name=name, daemon=True)
    thread.start()
    return thread


def test_one_person_writing_from_everywhere_at_once(server: Server, logs: Logs) -> None:
    person = Person(server.url)
    person.sign_up()
    month = dt.date.today().replace(day=1)
    second = person.api("POST", "/api/v1/accounts",
                        {"name": "Card", "type": "credit_card", "currency": "EUR"}, expect=201)  # fmt: skip
    categories = person.api("GET", "/api/v1/categories")
    category_ids = [c["id"] for c in categories["items"]][:6]
    ledger = Ledger([person.account_id, second["id"]], category_ids, month)
    # Budgets last month, to be copied into this one by several clients at once.
    previous = (month - dt.timedelta(days=1)).strftime("%Y-%m")
    for category_id in category_ids[:3]:
        person.api("PUT", f"/api/v1/budgets/{previous}/{category_id}",
                   {"amount": "100.00", "currency": "EUR"})  # fmt: skip
    start = dt.date.today() - dt.timedelta(days=9)
    template = person.add_recurring("Daily coffee", start, frequency="daily")

    side_failures: list[str] = []
    web_saved: list[int] = []
    imported: list[dict] = []

    def web_tab() -> None:  # a browser tab, through the form with its CSRF token
        for _ in range(12):
            done = person.user.web_add_transaction()
            assert done.status == 200 and not done.error, (done.status, done.body[:300])
            web_saved.append(1)

    def importer() -> None:  # commits three statements while the clients write by hand
        importing = _same_person(server.url, person)
        for batch in range(3):
            imported.append(importing.import_ofx(seconds=90, content=_ofx(month, batch)))

    def template_editor() -> None:  # edits the template while the scheduler creates from it
        editing = _same_person(server.url, person)
        for n in range(10):
            editing.api("PATCH", f"/api/v1/recurring/{template['id']}",
                           {"memo": f"edited {n}"})  # fmt: skip
            time.sleep(0.2)

    helpers = [
        _in_background("web tab", web_tab, side_failures),
        _in_background("importer", importer, side_failures),
        _in_background("template editor", template_editor, side_failures),
    ]
    outcome, elapsed = run_clients(
        server.url, person.user.api_token, ledger, CLIENTS, OPERATIONS, SECONDS
    )
    for helper in helpers:
        helper.join(SECONDS)
        assert not helper.is_alive(), f"{helper.name} still running"
    print(
        f"\n{sum(outcome.statuses.values())} API writes and reads in {elapsed:.1f} s: "  # noqa: T201
        + ", ".join(f"{a} {s}: {n}" for (a, s), n in sorted(outcome.statuses.items()))
    )

    # No 5xx, no dropped connection, nothing refused that a sequential run would have taken.
    assert not outcome.failures, "\n".join(outcome.failures[:30])
    assert not side_failures, "\n".join(side_failures)
    assert len(web_saved) == 12
    assert [(i["status"], i["new_rows"]) for i in imported] == [("done", 25)] * 3, imported

    _every_acknowledged_write_is_there(person, outcome)
    person.wait_for_count("Daily coffee", occurrences(start, 1), seconds=30)
    assert person.count_with_payee("Corner shop") == 12
    _raced_names_exist_once(server, person)
    _month_totals_equal_a_recomputation(server, person)
    logs.check()


def _every_acknowledged_write_is_there(person: Person, outcome: Outcome) -> None:
    wrong = []
    for transaction_id, expected in outcome.live.items():
        row = person.api("GET", f"/api/v1/transactions/{transaction_id}")
        seen = (row["kind"], row["account_id"], row["date"], row["amount"], row["category_id"],
                len(row["splits"]))  # fmt: skip
        wanted = (expected.kind, expected.account_id, expected.date, expected.amount,
                  expected.category_id, expected.splits)  # fmt: skip
        if seen != wanted:
            wrong.append(f"{transaction_id}: stored {seen}, acknowledged {wanted}")
    # SQLite hands a deleted row's id to the next row when it was the highest: an id deleted
    # must answer 404, or be a transaction created after (another created_at).
    looking = Api(person.user.target, person.user.api_token, Outcome())
    for transaction_id, created_at in outcome.deleted.items():
        if transaction_id in outcome.live:
            continue
        path = f"/api/v1/transactions/{transaction_id}"
        status, row = looking.call("look", "GET", path, ok=(200, 404))
        if status != 404 and not (status == 200 and row["created_at"] != created_at):
            wrong.append(f"{transaction_id}: deleted, but answers {status} {row}")
    assert not wrong, "\n".join(wrong[:20])
    assert len(outcome.live) > CLIENTS * 5, "too few writes to prove anything"


def _user_id(person: Person) -> int:
    me = person.api("GET", "/api/v1/me")
    return int(me["id"])


def _raced_names_exist_once(server: Server, person: Person) -> None:
    user_id = _user_id(person)
    with server.engine.connect() as db:
        names = [
            db.scalar(select(func.count()).where(Account.user_id == user_id,
                                                 Account.name == RACED_ACCOUNT)),
            db.scalar(select(func.count()).where(Category.user_id == user_id,
                                                 Category.name == RACED_CATEGORY)),
            *(db.scalar(select(func.count()).where(Tag.user_id == user_id, Tag.name == tag))
              for tag in SHARED_TAGS),
        ]  # fmt: skip
    assert names == [1] * (2 + len(SHARED_TAGS)), names


def _month_totals_equal_a_recomputation(server: Server, person: Person) -> None:
    user_id = _user_id(person)
    month = month_of(Transaction.date)
    category = func.coalesce(Transaction.category_id, literal_column("0"))
    recomputed = (
        select(month, Transaction.account_id, category, Transaction.kind,
               func.sum(Transaction.amount_minor), func.count())
        .where(Transaction.user_id == user_id, Transaction.is_split.is_(False))
        .group_by(month, Transaction.account_id, category, Transaction.kind)
    )  # fmt: skip
    # The summary: month_totals plus what writes appended and no read has folded in yet.
    summary = [
        select(table.month, table.account_id, table.category_id, table.kind,
               table.total_minor, table.count).where(table.user_id == user_id)
        for table in (MonthTotal, MonthTotalDelta)
    ]  # fmt: skip
    with server.engine.connect() as db:
        fresh = {(str(r[0]), r[1], int(r[2]), r[3]): (int(r[4]), int(r[5]))
                 for r in db.execute(recomputed)}  # fmt: skip
        added: dict[tuple, list[int]] = {}
        for query in summary:
            for r in db.execute(query):
                sums = added.setdefault((str(r[0]), r[1], int(r[2]), r[3]), [0, 0])
                sums[0], sums[1] = sums[0] + int(r[4]), sums[1] + int(r[5])
        kept = {key: (total, count) for key, (total, count) in added.items() if count}
    differences = sorted(
        f"{key}: summary {kept.get(key)}, rows {fresh.get(key)}"
        for key in set(fresh) | set(kept)
        if fresh.get(key) != kept.get(key)
    )
    assert not differences, "\n".join(differences[:20])
    assert len(fresh) > 4
