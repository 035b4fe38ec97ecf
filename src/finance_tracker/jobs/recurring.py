"""Generate due recurring transactions for everyone: from the CLI, a CronJob, or the scheduler."""

from __future__ import annotations

import datetime as dt
import logging

from finance_tracker.services import recurring
from finance_tracker.store.database import Database

log = logging.getLogger(__name__)


def run_recurring(database: Database, today: dt.date | None = None) -> recurring.RunReport:
    with database.session() as session:
        report = recurring.run_due(session, today)
    log.info(
        "recurring transactions run", extra={"created": report.created, "failed": report.failed}
    )
    return report
