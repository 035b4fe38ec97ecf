"""Generate due recurring transactions for everyone: from the CLI, a CronJob, or the scheduler."""

from __future__ import annotations

import datetime as dt
import logging

from finance_tracker.ops import metrics
from finance_tracker.services import recurring
from finance_tracker.store.database import Database

log = logging.getLogger(__name__)


def run_recurring(database: Database, today: dt.date | None = None) -> recurring.RunReport:
    with metrics.timed_job("recurring") as run:
        with database.session() as session:
            report = recurring.run_due(session, today)
        run.outcome = "failed" if report.failed else "succeeded"
    metrics.TRANSACTIONS_CREATED.labels("recurring", "mixed").inc(report.created)
    # Not "created": that is a LogRecord attribute, and logging refuses to overwrite it.
    log.info(
        "recurring transactions run",
        extra={"transactions_created": report.created, "failed": report.failed},
    )
    return report
