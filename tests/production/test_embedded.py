"""The embedded default, as `make run` starts it: `finance-tracker serve` in development mode on
SQLite in a data folder, no Redis and no worker, so imports and scheduled jobs run in the web
process. A person signs up, adds transactions, imports a statement (a thread of the server runs
the job), sets up a recurring bill that is already due (the server's scheduler creates it), and
reads the reports; `jobs run-recurring` and `jobs clean-uploads` run against the same folder.
Ctrl-C (SIGINT) stops the server with exit code 0. And the image's default command on SQLite:
`serve --production` without Redis, jobs in each gunicorn worker. See conftest.py for what is
checked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.resilience.harness import SECRET, App, free_port

from .conftest import Logs, run_command
from .session import Person, occurrences


def _environment(data: Path) -> dict[str, str]:
    """The default: nothing set but where the data lives, the log level the issue asks for, a
    one-second schedule, and sign-up for anyone (the default lets only the first person in)."""
    env = {
        **os.environ,
        "FINANCE_TRACKER_ENV": "development",
        "DATA_DIR": str(data),
        "LOG_LEVEL": "INFO",
        "JOBS_INTERVAL_SECONDS": "1",
        "REGISTRATION": "open",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "UPLOAD_DIR", "EMBEDDED_JOBS",
                 "AUTO_MIGRATE", "PROMETHEUS_MULTIPROC_DIR", "PORT", "HOST"):  # fmt: skip
        env.pop(name, None)
    return env


def test_the_embedded_default_runs_a_session_with_clean_json_logs(
    logs: Logs, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    env = _environment(data)
    started = time.monotonic()
    # App sets production values for some of the variables the default leaves unset.
    server = App(
        free_port(),
        {**env, "SECRET_KEY": None, "AUTO_MIGRATE": None, "WEB_WORKERS": None},
        logs.path("serve"),
        args=("serve",),
    )
    code: int | None = None
    try:
        server.wait_ready()
        assert (data / "finance-tracker.db").exists()
        person = Person(server.url)
        start = person.start_using_it()
        seconds = person.wait_for_count("Gym membership", occurrences(start, 7))
        print(f"\nthe web process's scheduler created the due transactions in {seconds:.1f} s")  # noqa: T201
        person.look_at_reports()

        # The CronJob commands work against the same folder, and find nothing left to do.
        done = run_command(logs, "run-recurring", ["jobs", "run-recurring"], env)
        assert done.returncode == 0, done.stderr + done.stdout
        assert "created 0 recurring transactions (0 failed)" in done.stdout
        done = run_command(logs, "clean-uploads", ["jobs", "clean-uploads"], env)
        assert done.returncode == 0, done.stderr + done.stdout
        assert person.count_with_payee("Gym membership") == occurrences(start, 7)
    finally:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGINT)  # Ctrl-C, as a person stops `make run`
        try:
            code = server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.stop(kill=True)
    assert code == 0, f"serve exited with {code}"
    logs.check()
    # Created once, by one scheduled run, which said so.
    runs = [r for r in logs.records("recurring transactions run") if r["transactions_created"]]
    assert [r["transactions_created"] for r in runs] == [occurrences(start, 7)], runs
    print(f"the embedded scenario took {time.monotonic() - started:.1f} s")  # noqa: T201


def test_the_image_s_default_command_on_sqlite_runs_jobs_in_its_workers(
    logs: Logs, tmp_path: Path
) -> None:
    """`docker run` of the image with only SECRET_KEY: `serve --production` (gunicorn, two
    workers) on SQLite in DATA_DIR, no Redis, so each worker runs the scheduled jobs, after the
    migrations the production settings do not apply by themselves."""
    data = tmp_path / "data"
    env = {**_environment(data), "FINANCE_TRACKER_ENV": "production", "SECRET_KEY": SECRET}
    done = run_command(logs, "db-upgrade", ["db", "upgrade"], env)
    assert done.returncode == 0, done.stderr + done.stdout
    server = App(free_port(), {**env, "AUTO_MIGRATE": None}, logs.path("web"))
    try:
        server.wait_ready()
        person = Person(server.url)
        start = person.start_using_it()
        person.wait_for_count("Gym membership", occurrences(start, 7))
        time.sleep(2.5)  # both workers' schedulers run again: still created once
        assert person.count_with_payee("Gym membership") == occurrences(start, 7)
        person.look_at_reports()
    finally:
        code = server.stop()
    assert code == 0, f"serve --production exited with {code}"
    logs.check()
    runs = [r for r in logs.records("recurring transactions run") if r["transactions_created"]]
    assert sum(r["transactions_created"] for r in runs) == occurrences(start, 7), runs
