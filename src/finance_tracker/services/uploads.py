"""Files under UPLOAD_DIR and the rows that need them: a file goes once the database agrees.

A bank file (imports/) is needed while its import can still be previewed or committed; a receipt
(receipts/) while its row exists. Uploads are written before their row is committed, and rows are
deleted before their file, so a file is removed:

- with its transaction: after the commit that deleted its row, or after the rollback of the one
  that would have added it (`remove_after_commit`, `remove_unless_committed`);
- by the sweep, for what a crash left behind: `expire_stale_imports` marks imports left unfinished
  too long as expired (their file is then needed no more), and `remove_unneeded_files` removes
  every file no row needs. It reads only committed rows, touches only names we give uploads, and
  leaves alone a file younger than an hour (its row may not be committed yet). Before that,
  `fail_abandoned_imports` turns imports whose job died with its process (queued or running far
  longer than any job may run) into failed ones, to be committed again.

The sweep is for the operator, across every user: it is the one use case that takes no user_id.
Everything here is idempotent, and safe while other processes do the same.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event, func, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction

from finance_tracker.domain.text import Text
from finance_tracker.store.models import ImportBatch, Receipt, utcnow

log = logging.getLogger(__name__)

# The folders of UPLOAD_DIR the sweep looks into; nothing else there is ever touched.
FOLDERS = ("imports", "receipts")
# What `save_upload` names a file (uuid4().hex): the sweep removes nothing it could not have made.
STORED_NAME = re.compile(r"[0-9a-f]{32}")
# An upload is written before its row is committed: a younger file may be on its way in.
GRACE = dt.timedelta(hours=1)
# Imports that can still be previewed or committed, and so need their file until they expire.
UNFINISHED = ("uploaded", "mapping", "previewed", "failed")
# ... and those queued or running, which need it until they are done.
IN_PROGRESS = ("queued", "running")
# No job runs this long (RQ stops one after jobs.queue.JOB_TIMEOUT_SECONDS): an import queued or
# running since before this was left by a process that stopped (a restart in the embedded
# default, where the job is a thread of the web process).
ABANDONED_AFTER = dt.timedelta(hours=2)
EXPIRED = "expired"
# A sweep that finds most of a folder's files unknown is more likely looking at the wrong
# database (DATABASE_URL and UPLOAD_DIR of different installations) than at that many leftovers:
# it removes nothing there and says so, unless forced.
SUSPICIOUS_SHARE = 0.5
SUSPICIOUS_MINIMUM = 20

_PENDING = "finance_tracker.upload_files"


# --- Files removed with the transaction that decides their fate -------------------------------


def remove_after_commit(session: Session, path: Path) -> None:
    """Remove `path` once the session's transaction has committed (its row is deleted); keep it
    if the transaction rolls back (the row is still there and needs it)."""
    _pending(session)["commit"].append(path)


def remove_unless_committed(session: Session, path: Path) -> None:
    """Remove `path` if the session's transaction rolls back: a new upload whose row never made
    it into the database. A crash before either is left to the sweep."""
    _pending(session)["rollback"].append(path)


def _pending(session: Session) -> dict[str, list[Path]]:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = {"commit": [], "rollback": []}
        event.listen(session, "after_commit", _committed)
        event.listen(session, "after_soft_rollback", _rolled_back)
    return pending


def _committed(session: Session) -> None:
    pending = session.info.get(_PENDING)
    if pending:
        _remove_all(pending["commit"])
        pending["commit"].clear()
        pending["rollback"].clear()


def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if pending and not previous.nested:  # a savepoint's rollback leaves the transaction going
        _remove_all(pending["rollback"])
        pending["commit"].clear()
        pending["rollback"].clear()


def _remove_all(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # the sweep will find it; the transaction's outcome stands
            log.warning("could not remove an upload file", exc_info=True)


# --- The sweep ----------------------------------------------------------------------------------


def expire_stale_imports(session: Session, keep_hours: int, now: dt.datetime | None = None) -> int:
    """Mark imports left unfinished (uploaded, mapping, previewed, failed) for more than
    `keep_hours` since their upload or last run as expired; returns how many. Their files are
    needed no more: `remove_unneeded_files`, run after this commits, removes them.

    One conditional UPDATE: an import committed or discarded meanwhile is left alone."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(hours=keep_hours)
    result = session.execute(
        update(ImportBatch)
        .where(
            ImportBatch.status.in_(UNFINISHED),
            ImportBatch.created_at < cutoff,
            or_(ImportBatch.started_at.is_(None), ImportBatch.started_at < cutoff),
            or_(ImportBatch.finished_at.is_(None), ImportBatch.finished_at < cutoff),
        )
        .values(
            status=EXPIRED,
            finished_at=now,
            error=Text(
                "the file was removed after %(hours)s hours without being imported: "
                "upload it again to import it",
                hours=keep_hours,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def fail_abandoned_imports(session: Session, now: dt.datetime | None = None) -> int:
    """Mark imports queued or running for longer than ABANDONED_AFTER as failed, so that their
    owner can commit them again (or discard them); returns how many. Nothing of theirs was
    written: an import commits all its rows in one transaction or none."""
    now = now or utcnow()
    result = session.execute(
        update(ImportBatch)
        .where(
            ImportBatch.status.in_(IN_PROGRESS),
            func.coalesce(ImportBatch.started_at, ImportBatch.created_at) < now - ABANDONED_AFTER,
        )
        .values(
            status="failed",
            finished_at=now,
            error=Text(
                "the import did not finish: the server stopped while it was waiting or "
                "running. Nothing was imported: import it again"
            ),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


@dataclass
class FolderSweep:
    removed: int = 0  # files removed
    kept_recent: int = 0  # unknown files younger than GRACE: maybe on their way in
    refused: bool = False  # too many unknown files: nothing removed (see SUSPICIOUS_SHARE)


@dataclass
class SweepReport:
    expired_imports: int = 0
    folders: dict[str, FolderSweep] = field(default_factory=dict)
    abandoned_imports: int = 0  # queued or running when their process stopped: now failed

    @property
    def files_removed(self) -> int:
        return sum(folder.removed for folder in self.folders.values())


def needed_names(session: Session) -> dict[str, set[str]]:
    """The stored names, by folder, of the files some row still needs."""
    live = (*UNFINISHED, *IN_PROGRESS)
    imports = session.scalars(
        select(ImportBatch.stored_name).where(ImportBatch.status.in_(live))
    ).all()
    receipts = session.scalars(select(Receipt.stored_name)).all()
    return {"imports": set(imports), "receipts": set(receipts)}


def known_names(session: Session) -> dict[str, set[str]]:
    """Every stored name a row mentions, needed or not (a finished import's file is not)."""
    imports = session.scalars(select(ImportBatch.stored_name)).all()
    receipts = session.scalars(select(Receipt.stored_name)).all()
    return {"imports": set(imports), "receipts": set(receipts)}


def remove_unneeded_files(
    session: Session, root: Path, now: dt.datetime | None = None, *, force: bool = False
) -> dict[str, FolderSweep]:
    """Remove the files in imports/ and receipts/ that no row needs: those of finished (done,
    expired) imports at once, and those no row knows once they are older than GRACE."""
    now = now or utcnow()
    # Known first, needed second: an import committed between the two reads is then unknown
    # (and young: kept), where the other order saw it known but not needed and removed the file
    # of an import about to be committed (CI: one import of the concurrency test failed so).
    known = known_names(session)
    needed = needed_names(session)
    oldest_in_flight = (now - GRACE).timestamp()
    report: dict[str, FolderSweep] = {}
    for folder in FOLDERS:
        sweep = report[folder] = FolderSweep()
        directory = root / folder
        if not directory.is_dir():
            continue
        finished: list[Path] = []
        unknown: list[Path] = []
        total = 0
        for path in directory.iterdir():
            if not STORED_NAME.fullmatch(path.name) or path.is_symlink() or not path.is_file():
                continue
            total += 1
            if path.name in needed[folder]:
                continue
            if path.name in known[folder]:
                finished.append(path)
            elif _modified(path) < oldest_in_flight:
                unknown.append(path)
            else:
                sweep.kept_recent += 1
        if (
            not force
            and len(unknown) >= SUSPICIOUS_MINIMUM
            and len(unknown) > SUSPICIOUS_SHARE * total
        ):
            sweep.refused = True
            log.warning(
                "upload sweep: most files have no row: removing none (check that DATABASE_URL "
                "and UPLOAD_DIR belong to the same installation)",
                extra={"folder": folder, "unknown": len(unknown), "files": total},
            )
            unknown = []
        sweep.removed = sum(_remove(path) for path in (*finished, *unknown))
    return report


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # removed meanwhile (another sweep): as good as new, so skipped
        return float("inf")


def _remove(path: Path) -> bool:
    """True if this call removed the file (another process may have been first)."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
