"""The chart's processes, run as deployed: PostgreSQL, Redis, production settings, JSON at INFO.

One scenario, in the order a cluster runs things: the migrations Job, the web Deployment
(gunicorn), a person's session, the recurring and uploads CronJobs, the worker Deployment (its
scheduler and the import queue), the traffic sender, the backup CronJob's script, two failures
on purpose, then SIGTERM to the long-running processes. See conftest.py for what is checked.

The worker runs as the chart renders it with `recurring.enabled: false` (EMBEDDED_JOBS unset):
its scheduler then makes recurring transactions too, which is what the scenario needs from it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from pathlib import Path

from tests.conftest import unavailable
from tests.resilience.harness import SECRET, App, free_port, status_of, wait_for

from .conftest import Logs, run_command
from .session import Person, occurrences

BACKUP_SCRIPT = (
    Path(__file__).resolve().parents[2] / "deploy/helm/finance-tracker/scripts/backup.sh"
)


def _environment(database_url: str, redis_url: str, uploads: Path) -> dict[str, str]:
    """What the chart's ConfigMap and Secret give every app container."""
    env = {
        **os.environ,
        "FINANCE_TRACKER_ENV": "production",
        "LOG_LEVEL": "INFO",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "UPLOAD_DIR": str(uploads),
        "DATA_DIR": str(uploads.parent / "data"),
        "REGISTRATION": "open",
        "AUTO_MIGRATE": "false",
        "JOBS_INTERVAL_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("PROMETHEUS_MULTIPROC_DIR", "EMBEDDED_JOBS", "PORT", "HOST", "METRICS_PORT"):
        env.pop(name, None)
    return env


def test_the_deployed_processes_run_a_session_with_clean_json_logs(
    fresh_postgres: str, production_redis: str, logs: Logs, tmp_path: Path
) -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if not shutil.which(tool)]
    if missing:
        unavailable(f"the backup script needs {' and '.join(missing)} (Debian: postgresql-client)")
    uploads = tmp_path / "uploads"
    env = _environment(fresh_postgres, production_redis, uploads)
    started = time.monotonic()

    # The migrations Job (a Helm hook): twice, as a re-sync would run it.
    for attempt in (1, 2):
        done = run_command(logs, f"db-upgrade-{attempt}", ["db", "upgrade"], env)
        assert done.returncode == 0, done.stderr + done.stdout

    # The web Deployment: gunicorn with two workers, Redis sessions, no jobs of its own.
    web = App(free_port(), env, logs.path("web"))
    worker: App | None = None
    try:
        web.wait_ready()
        person = Person(web.url)
        person.sign_up()
        person.add_transactions()
        assert person.count_with_payee("Grocer") == 1

        # The recurring CronJob: a weekly template that started 15 days ago is due three times.
        start = dt.date.today() - dt.timedelta(days=15)
        person.add_recurring("Gym membership", start)
        due = occurrences(start, 7)
        done = run_command(logs, "run-recurring-1", ["jobs", "run-recurring"], env)
        assert done.returncode == 0, done.stderr + done.stdout
        (run,) = logs.records("recurring transactions run")
        assert (run["transactions_created"], run["failed"]) == (due, 0), run
        assert person.count_with_payee("Gym membership") == due
        again = run_command(logs, "run-recurring-2", ["jobs", "run-recurring"], env)
        assert again.returncode == 0, again.stderr + again.stdout
        assert [r["transactions_created"] for r in logs.records("recurring transactions run")] == [
            due,
            0,
        ]

        # The uploads CronJob.
        done = run_command(logs, "clean-uploads-1", ["jobs", "clean-uploads"], env)
        assert done.returncode == 0, done.stderr + done.stdout
        assert logs.records("upload sweep"), "the sweep logged nothing"

        # The worker Deployment: its scheduler (EMBEDDED_JOBS unset: recurring on) and the queue.
        metrics_port = free_port()
        worker = App(
            metrics_port,
            {**env, "METRICS_PORT": str(metrics_port), "METRICS_HOST": "127.0.0.1"},
            logs.path("worker"),
            args=("worker",),
        )
        wait_for(
            lambda: status_of(f"{worker.url}/metrics") == 200 or worker.process.poll() is not None,
            40,
        )
        assert worker.process.poll() is None, "the worker stopped"
        start = dt.date.today() - dt.timedelta(days=20)
        person.add_recurring("Streaming service", start)
        seconds = person.wait_for_count("Streaming service", occurrences(start, 7))
        print(f"\nthe worker's scheduler created the due transactions in {seconds:.1f} s")  # noqa: T201
        imported = person.import_ofx()
        assert (imported["status"], imported["new_rows"]) == ("done", 2), imported
        assert person.count_with_payee("Corner Bakery") == 1
        person.look_at_reports()

        # The traffic sender against the web Service, for a few seconds (as the chart runs it,
        # but bounded): its summary is a log line too.
        done = run_command(
            logs, "traffic",
            ["traffic", "--target", web.url, "--rate", "5", "--duration", "4", "--users", "2",
             "--metrics-port", "0", "--metrics-host", "127.0.0.1"],
            env, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr + done.stdout
        (line,) = [json.loads(x) for x in done.stdout.splitlines() if "traffic summary" in x]
        summary = line["summary"]
        assert summary["sent"] > 0 and summary["failed"] == 0, line

        # The backup CronJob's script, as the chart runs it (bash, DATABASE_URL, BACKUP_DIR, KEEP).
        backups = tmp_path / "backups"
        done = run_command(
            logs, "backup", ["bash", str(BACKUP_SCRIPT)],
            {"PATH": os.environ["PATH"], "DATABASE_URL": fresh_postgres, "BACKUP_DIR": str(backups),
             "KEEP": "2", "PGCONNECT_TIMEOUT": "10", "HOME": str(tmp_path)},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr + done.stdout
        assert len(list(backups.glob("finance-tracker-*.dump"))) == 1

        done = run_command(logs, "clean-uploads-2", ["jobs", "clean-uploads"], env)
        assert done.returncode == 0, done.stderr + done.stdout

        # Failures on purpose: a CronJob run while the database is unreachable, and the backup
        # given a URL that is not PostgreSQL's. Each fails its Job, and says why in one JSON line.
        down = f"postgresql://postgres@127.0.0.1:{free_port()}/finance"
        done = run_command(logs, "run-recurring-db-down", ["jobs", "run-recurring"],
                           {**env, "DATABASE_URL": down})  # fmt: skip
        assert done.returncode == 1, done.stderr + done.stdout
        done = run_command(
            logs, "backup-bad-url", ["bash", str(BACKUP_SCRIPT)],
            {"PATH": os.environ["PATH"], "DATABASE_URL": "sqlite:////tmp/x.db",
             "BACKUP_DIR": str(backups)},
        )  # fmt: skip
        assert done.returncode == 2, done.stderr + done.stdout
    finally:
        codes = {"worker": worker.stop() if worker else 0, "web": web.stop()}
    assert codes == {"worker": 0, "web": 0}, codes
    logs.check(
        provoked={
            "run-recurring-db-down.stdout": "jobs run-recurring stopped: (psycopg.OperationalError)",
            "backup-bad-url.stderr": "backup: DATABASE_URL is not a PostgreSQL URL",
        }
    )
    print(f"the deployed scenario took {time.monotonic() - started:.1f} s")  # noqa: T201
