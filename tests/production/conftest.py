"""The production-shaped suite: every entry point started as it is deployed, and its logs read.

What runs, as real processes (`finance-tracker` from the venv, nothing imported in-process):

- test_deployed.py — the chart's processes with production settings (FINANCE_TRACKER_ENV=
  production, LOG_LEVEL=INFO, JSON logs) on a fresh PostgreSQL database of their own and Redis
  database 11 (`TEST_PRODUCTION_REDIS_URL`; the other tests use 12-15): `db upgrade` (the
  migrations Job), `serve --production` (gunicorn), `worker`, `jobs run-recurring` and
  `jobs clean-uploads` (the CronJobs), the chart's backup script, and `traffic` against the
  server for a few seconds.
- test_embedded.py — the default a person gets from `make run`: `serve` on SQLite in a data
  folder, no Redis, jobs in the web process; and the image's default command on SQLite
  (`serve --production` without Redis: jobs in each gunicorn worker).

Each drives a session through them: sign-up (REGISTRATION=open), transactions by the API and
the web form, an OFX import whose job the worker (or the web process) runs, recurring templates
that are already due (start date in the past) created by `jobs run-recurring` and by the
scheduler (JOBS_INTERVAL_SECONDS=1, so nobody waits an hour), and the reports. Then it checks the
exit codes, that every line each process wrote to stdout and stderr (gunicorn's own included)
is a JSON object, and that none is ERROR or CRITICAL unless the scenario provoked it.

Without PostgreSQL or Redis the suite skips with the reason; with CI=true it fails instead.
Servers listen on 127.0.0.1; every wait is bounded. `-s` prints where the logs are.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REDIS_URL, emptied_redis, private_database
from tests.resilience.harness import BIN, ROOT

PRODUCTION_REDIS_URL = os.environ.get(
    "TEST_PRODUCTION_REDIS_URL", REDIS_URL.rsplit("/", 1)[0] + "/11"
)
BAD_LEVELS = {"ERROR", "CRITICAL"}


@pytest.fixture(scope="module")
def fresh_postgres() -> Iterator[str]:
    """An empty database for this module alone on the machine's PostgreSQL, dropped after."""
    with private_database("ft_production") as url:
        yield url


@pytest.fixture(scope="module")
def production_redis() -> Iterator[str]:
    """Redis database 11 (no other test uses it), flushed before and after."""
    client = emptied_redis(PRODUCTION_REDIS_URL)
    yield PRODUCTION_REDIS_URL
    client.flushdb()
    client.close()


@dataclass
class LogLine:
    source: str  # the process (and stream) that wrote it
    number: int
    text: str
    record: dict | None  # the parsed JSON object, None when the line is not one


@dataclass
class Logs:
    """Every line every process of a scenario wrote, by the file it went to."""

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        path = self.folder / f"{name}.log"
        self.files[name] = path
        return path

    def lines(self) -> list[LogLine]:
        lines = []
        for name, path in self.files.items():
            if not path.exists():
                continue
            for number, text in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except ValueError:
                    record = None
                lines.append(
                    LogLine(name, number, text, record if isinstance(record, dict) else None)
                )
        return lines

    def records(self, message: str) -> list[dict]:
        return [
            line.record
            for line in self.lines()
            if line.record and line.record.get("message") == message
        ]

    def check(self, provoked: dict[str, str] | None = None) -> list[LogLine]:
        """Every line a JSON object with a level; none ERROR or CRITICAL but the ones the
        scenario provoked: `provoked` maps a log (a process and stream) to the start of the one
        message it must have at ERROR or CRITICAL. Returns the lines, for further checks."""
        provoked = provoked or {}
        lines = self.lines()
        not_json = [f"{line.source}:{line.number}: {line.text[:300]}" for line in lines
                    if line.record is None]  # fmt: skip
        assert not not_json, "lines that are not JSON objects:\n" + "\n".join(not_json[:40])
        records = [(line, line.record) for line in lines if line.record is not None]
        no_level = [f"{line.source}:{line.number}: {line.text[:300]}" for line, record in records
                    if "level" not in record]  # fmt: skip
        assert not no_level, "JSON lines without a level:\n" + "\n".join(no_level[:40])
        bad, seen = [], set()
        for line, record in records:
            if record["level"] not in BAD_LEVELS:
                continue
            expected = provoked.get(line.source)
            if expected is not None and str(record.get("message", "")).startswith(expected):
                seen.add(line.source)
            else:
                bad.append(f"{line.source}:{line.number}: {line.text[:3000]}")
        assert not bad, "ERROR or CRITICAL lines:\n" + "\n".join(bad)
        missing = sorted(set(provoked) - seen)
        assert not missing, f"the error provoked is not in the log of {missing}"
        return lines


@pytest.fixture
def logs(tmp_path: Path) -> Logs:
    folder = tmp_path / "logs"
    folder.mkdir()
    print(f"\nlogs in {folder}")  # noqa: T201
    return Logs(folder)


def run_command(
    logs: Logs, name: str, args: list[str], env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """A one-shot process (a Job, a CronJob): its stdout and stderr kept apart in the logs."""
    done = subprocess.run(  # noqa: S603
        args if args[0].startswith("/") or args[0] == "bash" else [str(BIN), *args],
        env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False,
    )  # fmt: skip
    logs.path(f"{name}.stdout").write_text(done.stdout)
    logs.path(f"{name}.stderr").write_text(done.stderr)
    return done
