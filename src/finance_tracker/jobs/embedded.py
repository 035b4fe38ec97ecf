"""In the embedded default (no Redis, no worker) the web process runs scheduled jobs itself in a
daemon thread. Jobs are idempotent, so several processes doing this at once is harmless."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import SQLAlchemyError

from finance_tracker.jobs.recurring import run_recurring
from finance_tracker.store.database import Database

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 3600


def start(database: Database, interval: float = INTERVAL_SECONDS) -> threading.Event:
    """Start the scheduler; set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                run_recurring(database)
            except SQLAlchemyError:
                log.exception("scheduled recurring run failed; retrying at the next interval")
            stop.wait(interval)

    threading.Thread(target=loop, name="embedded-scheduler", daemon=True).start()
    return stop
