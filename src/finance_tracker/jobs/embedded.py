"""Scheduled jobs in a daemon thread: recurring transactions, the ECB's rates where the server
fetches them (ECB_RATES_FETCH) and the upload sweep, at start and then every JOBS_INTERVAL_SECONDS
(an hour).

In the embedded default (no Redis, no worker) the web process runs them itself; the worker runs
them too (`start_in_worker`), the upload sweep always, since it is the process with the uploads
volume. Jobs are idempotent, so several processes doing this at once is harmless.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from finance_tracker.jobs.ecb_rates import FetchError, fetch_ecb_rates
from finance_tracker.jobs.recurring import run_recurring
from finance_tracker.jobs.uploads import clean_uploads
from finance_tracker.store.database import Database

if TYPE_CHECKING:
    from finance_tracker.settings import Settings

log = logging.getLogger(__name__)


def start(
    database: Database,
    interval: float | None = None,
    *,
    settings: Settings | None = None,
    recurring: bool = True,
) -> threading.Event:
    """Start the scheduler; set the returned event to stop it. It runs at once, then every
    `interval` seconds (default: JOBS_INTERVAL_SECONDS): recurring transactions (unless
    `recurring` is False: a CronJob runs them), the ECB's rates (with ECB_RATES_FETCH) and the
    upload sweep of `settings` (UPLOAD_DIR, IMPORT_KEEP_HOURS; default: the environment's
    settings)."""
    if settings is None:
        from finance_tracker.settings import load_settings

        settings = load_settings()
    root, keep_hours = settings.uploads, settings.import_keep_hours
    every = settings.jobs_interval_seconds if interval is None else interval
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            if recurring:
                try:
                    run_recurring(database)
                except Exception:
                    log.exception("scheduled recurring run failed; retrying at the next interval")
            if settings.ecb_rates_fetch:
                try:
                    fetch_ecb_rates(database, settings.ecb_rates_url)
                except FetchError as error:  # no network, the ECB down: said, not a traceback
                    log.warning("ECB rates not fetched (%s); retrying at the next interval", error)
                except Exception:
                    log.exception("scheduled ECB rates fetch failed; retrying at the next interval")
            try:
                clean_uploads(database, root, keep_hours)
            except Exception:
                log.exception("scheduled upload sweep failed; retrying at the next interval")
            stop.wait(every)

    threading.Thread(target=loop, name="embedded-scheduler", daemon=True).start()
    return stop


def start_in_worker(settings: Settings) -> threading.Event:
    """The worker's schedule: the upload sweep and the ECB's rates always (the worker has the
    uploads volume, and the way out to the ECB), and recurring transactions unless
    EMBEDDED_JOBS=false (where a CronJob runs them instead)."""
    return start(
        Database(settings.effective_database_url),
        settings=settings,
        recurring=settings.embedded_jobs is not False,
    )
