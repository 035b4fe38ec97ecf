"""The import job: commit one uploaded file, all or nothing, with progress as it goes.

Once the commit is in the database the bank file is removed: its rows are in the account. A failed
import keeps its file, so that its owner can fix the mapping and try again."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from sqlalchemy import update

from finance_tracker.domain.text import Text, message_of
from finance_tracker.importers import ImportFileError
from finance_tracker.jobs.progress import MemoryProgress, RedisProgress
from finance_tracker.ops import metrics
from finance_tracker.services import imports
from finance_tracker.services.errors import InvalidInput
from finance_tracker.store.database import Database
from finance_tracker.store.models import ImportBatch, utcnow

log = logging.getLogger(__name__)


def run_import(
    database: Database, root: Path, batch_id: int, progress: MemoryProgress | RedisProgress
) -> str:
    """Returns the final status. Safe to run again: a finished (or expired, or discarded) import
    is left alone, and one whose earlier run died mid-way starts over (its writes were never
    committed)."""
    with metrics.timed_job("import") as run:
        status = _run_import(database, root, batch_id, progress)
        run.outcome = "failed" if status == "failed" else "succeeded"
        return status


def _run_import(
    database: Database, root: Path, batch_id: int, progress: MemoryProgress | RedisProgress
) -> str:
    with database.session() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None or batch.status in ("done", "expired"):
            return batch.status if batch else "missing"
        file_format = batch.file_format
        # Conditional: its owner may have discarded it (or the sweep expired it) meanwhile.
        claimed = session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id, ImportBatch.status == batch.status)
            .values(status="running", started_at=utcnow(), error="")
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return "missing"
    key = f"import:{batch_id}"
    progress.set(key, 0)
    try:
        with database.session() as session:
            batch = session.get(ImportBatch, batch_id)
            assert batch is not None
            written = imports.commit(session, batch, root, lambda done: progress.set(key, done))
            path = imports.file_path(root, batch)
    except imports.ImportRefused as refused:
        _fail(database, batch_id, str(refused), invalid=len(refused.problems))
        metrics.IMPORT_ROWS.labels(file_format, "invalid").inc(len(refused.problems))
        return "failed"
    except ImportFileError as error:  # the file, not the job: running it again would not help
        _fail(database, batch_id, message_of(error))
        return "failed"
    except InvalidInput as error:  # the choices no longer fit (an account renamed meanwhile)
        _fail(database, batch_id, "; ".join(error.errors.values()))
        return "failed"
    except Exception as error:  # noqa: BLE001 - any crash: record it, nothing was committed
        log.exception("import failed", extra={"batch_id": batch_id})
        _fail(database, batch_id, Text("the import stopped: %(error)s; retry it",
                                       error=type(error).__name__))  # fmt: skip
        raise
    progress.set(key, written.rows)
    metrics.IMPORT_ROWS.labels(file_format, "imported").inc(written.inserted)
    metrics.IMPORT_ROWS.labels(file_format, "duplicate").inc(written.rows - written.inserted)
    metrics.TRANSACTIONS_CREATED.labels("import", "mixed").inc(written.inserted)
    # Committed: the rows are in the account and the file is needed no more. Should this fail
    # (or the process die first), the upload sweep removes it: a done import's file is unneeded.
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove a finished import's file", extra={"batch_id": batch_id})
    return "done"


def _fail(database: Database, batch_id: int, message: str, invalid: int | None = None) -> None:
    with database.session() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is not None:
            batch.status, batch.error, batch.finished_at = "failed", message[:2000], utcnow()
            if invalid is not None:
                batch.invalid_rows = invalid


def run_import_in_worker(batch_id: int) -> str:
    """The RQ entry point: a worker process builds its own database and progress store."""
    import redis

    from finance_tracker.settings import load_settings

    settings = load_settings()
    database = Database(settings.effective_database_url)
    client = redis.Redis.from_url(settings.redis_url) if settings.redis_url else None
    try:
        return run_import(
            database,
            settings.uploads,
            batch_id,
            RedisProgress(client) if client else MemoryProgress(),
        )
    finally:
        database.dispose()


def submit_import(state, batch_id: int) -> None:  # type: ignore[no-untyped-def]
    """Queue the commit of a previewed import (web and API call this)."""
    from finance_tracker.jobs import queue
    from finance_tracker.jobs.progress import store_for

    with state.database.session() as session:
        # Conditional: an import expired or discarded meanwhile (or already queued) stays so.
        queued = session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id, ImportBatch.status.in_(("previewed", "failed")))
            .values(status="queued", started_at=utcnow())  # set again when the job starts
            .execution_options(synchronize_session=False)
        )
        if not queued.rowcount:  # type: ignore[attr-defined]
            return
    root = state.settings.uploads
    progress = store_for(state.redis)
    queue.submit(
        state.redis,
        "finance_tracker.jobs.imports.run_import_in_worker",
        batch_id,
        run_inline=lambda b: _run_quietly(state.database, root, b, progress),
    )


def _run_quietly(database: Database, root: Path, batch_id: int, progress) -> None:  # type: ignore[no-untyped-def]
    # Already logged and recorded on the batch; a thread has nobody to re-raise to.
    with contextlib.suppress(Exception):
        run_import(database, root, batch_id, progress)
