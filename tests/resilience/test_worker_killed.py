"""The worker is killed in the middle of an import (SIGKILL, as when its pod is deleted hard or
OOM-killed): nothing is half-written, and the job is retried to completion or marked failed."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select

from finance_tracker import create_app
from finance_tracker.jobs.imports import submit_import
from finance_tracker.services import accounts, imports, users
from finance_tracker.settings import load_settings
from finance_tracker.store.models import ImportBatch, Transaction
from tests.resilience.conftest import figures_text
from tests.resilience.harness import BIN, SECRET, PrivateRedis, wait_for

ROWS = 20_000


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _qif(rows: int) -> bytes:
    day = dt.date(2026, 1, 1)
    lines = ["!Type:Bank"]
    for i in range(rows):
        date = day + dt.timedelta(days=i % 300)
        lines += [f"D{date:%m/%d/%Y}", f"T-{i % 97 + 1}.{i % 100:02d}", f"PShop {i}", "^"]
    return ("\n".join(lines) + "\n").encode()


def test_worker_killed_mid_import_leaves_nothing_half_written(
    migrated_postgres: str, tmp_path: Path, private_redis: PrivateRedis
) -> None:
    store = private_redis
    uploads = tmp_path / "uploads"
    settings = load_settings(
        database_url=migrated_postgres, redis_url=store.url, secret_key=SECRET,
        data_dir=tmp_path, upload_dir=uploads, auto_migrate=False, log_level="WARNING",
    )  # fmt: skip
    app = create_app(settings)
    state = app.extensions["finance_tracker"]
    with state.database.session() as session:
        user = users.register(session, "import-kill@example.com", "long enough password 1")
        account = accounts.create(
            session, user.id, accounts.AccountInput("Bank", "checking", "EUR")
        )
        stored, size = imports.save_upload(uploads, "imports", io.BytesIO(_qif(ROWS)), 10**8)
        batch = imports.start(session, user.id, account.id, uploads, stored, size, "big.qif")
        imports.preview(session, user.id, batch.id, uploads, limit=0)
        batch_id, user_id = batch.id, user.id

    def batch_state() -> tuple[str, int]:
        with state.database.session() as session:
            status = session.get(ImportBatch, batch_id).status  # type: ignore[union-attr]
            count = session.scalar(
                select(func.count())
                .select_from(Transaction)
                .where(Transaction.import_batch_id == batch_id)
            )
            return status, int(count or 0)

    env = {
        **os.environ, "DATABASE_URL": migrated_postgres, "REDIS_URL": store.url,
        "SECRET_KEY": SECRET, "UPLOAD_DIR": str(uploads), "DATA_DIR": str(tmp_path),
        "EMBEDDED_JOBS": "false", "LOG_LEVEL": "WARNING", "METRICS_PORT": "0",
    }  # fmt: skip
    log = (tmp_path / "worker.log").open("ab")
    worker = subprocess.Popen([str(BIN), "worker"], env=env, stdout=log, stderr=log)  # noqa: S603
    second = None
    try:
        submit_import(state, batch_id)
        wait_for(lambda: batch_state()[0] == "running", 60, 0.05)
        time.sleep(0.5)  # well inside the commit: rows are being written
        horses = _children(worker.pid)
        killed_at = time.monotonic()
        for pid in [*horses, worker.pid]:  # the pod dies: worker and work horse at once
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=10)
        status_after_kill, rows_after_kill = batch_state()

        second = subprocess.Popen([str(BIN), "worker"], env=env, stdout=log, stderr=log)  # noqa: S603
        with contextlib.suppress(TimeoutError):
            wait_for(lambda: batch_state()[0] in ("done", "failed"), 200, 0.5)
        final_status, final_rows = batch_state()
        healed = round(time.monotonic() - killed_at, 1)
    finally:
        for process in (worker, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        state.database.dispose()
        log.close()
    figures_text(
        "worker killed mid-import",
        rows_in_file=ROWS,
        work_horses_killed=len(horses),
        status_right_after_kill=status_after_kill,
        rows_written_right_after_kill=rows_after_kill,
        final_status=final_status,
        final_rows=final_rows,
        seconds_until_settled=healed,
    )
    assert rows_after_kill == 0, "a killed import must leave nothing half-written"
    assert (final_status, final_rows) in (("done", ROWS), ("failed", 0)), (final_status, final_rows)
    _ = user_id
