"""The upload sweep: imports left unfinished expire, and files no row needs are removed.

It runs hourly where the upload folder is (the embedded scheduler of the web process, and the
worker), and once from `finance-tracker jobs clean-uploads`. Idempotent; several processes may run
it at the same time.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from finance_tracker.ops import metrics
from finance_tracker.services import uploads
from finance_tracker.services.uploads import SweepReport
from finance_tracker.store.database import Database

if TYPE_CHECKING:
    from finance_tracker.settings import Settings

log = logging.getLogger(__name__)
JOB_TYPE = "clean-uploads"


def clean_uploads(
    database: Database,
    root: Path,
    keep_hours: int,
    *,
    now: dt.datetime | None = None,
    force: bool = False,
) -> SweepReport:
    """Fail imports abandoned by a stopped process, expire those unfinished for more than
    `keep_hours`, then remove the files no row needs.
    `force`: remove unknown files even when most of a folder is unknown (see services.uploads)."""
    with metrics.timed_job(JOB_TYPE) as run:
        with database.session() as session:
            abandoned = uploads.fail_abandoned_imports(session, now)
            expired = uploads.expire_stale_imports(session, keep_hours, now)
        # Committed: the expired imports' files are needed no more, and go with the rest.
        with database.session() as session:
            folders = uploads.remove_unneeded_files(session, root, now, force=force)
        report = SweepReport(expired, folders, abandoned)
        refused = any(folder.refused for folder in folders.values())
        run.outcome = "failed" if refused else "succeeded"
    log.info(
        "upload sweep",
        extra={
            "expired_imports": report.expired_imports,
            "abandoned_imports_failed": report.abandoned_imports,
            **{f"{name}_files_removed": f.removed for name, f in folders.items()},
            "recent_unknown_files_kept": sum(f.kept_recent for f in folders.values()),
            "refused_folders": [name for name, f in folders.items() if f.refused],
        },
    )
    return report


def clean_uploads_once(settings: Settings, *, force: bool = False) -> SweepReport:
    """One sweep with its own database connection: for `finance-tracker jobs clean-uploads`."""
    database = Database(settings.effective_database_url)
    try:
        return clean_uploads(database, settings.uploads, settings.import_keep_hours, force=force)
    finally:
        database.dispose()


def summary(report: SweepReport) -> str:
    """One line for a person at a terminal."""
    removed = ", ".join(f"{f.removed} in {name}/" for name, f in report.folders.items())
    expired = report.expired_imports
    imports = "import" if expired == 1 else "imports"
    line = f"{expired} unfinished {imports} expired; files removed: {removed}"
    if report.abandoned_imports:
        abandoned = report.abandoned_imports
        line += (
            f"; {abandoned} {'import' if abandoned == 1 else 'imports'} left running by a "
            "stopped process marked failed (to be imported again)"
        )
    refused = [name for name, f in report.folders.items() if f.refused]
    if refused:
        line += (
            f"; nothing removed from {', '.join(refused)}: most files there have no row "
            "(check DATABASE_URL and UPLOAD_DIR, or run again with --force)"
        )
    return line
