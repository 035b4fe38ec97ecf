"""Bank files and receipts do not pile up under UPLOAD_DIR: a file stays while a row needs it and
goes once none does — with its transaction when it can, and by the hourly sweep for what an
unfinished import or a crash leaves behind. Nothing in flight, and nothing a row needs, is touched.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import time
import uuid

import pytest
from sqlalchemy import func, select, update

from finance_tracker.jobs import embedded, queue
from finance_tracker.jobs.uploads import clean_uploads, clean_uploads_once, summary
from finance_tracker.services import imports, receipts, transactions, uploads
from finance_tracker.services.errors import Conflict, InvalidInput, NotFound
from finance_tracker.services.transactions import TransactionInput
from finance_tracker.store.models import ImportBatch, Receipt, Transaction, utcnow

from .test_bank_imports import CSV

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
KEEP_HOURS = 24
TWO_DAYS_AGO = time.time() - 2 * 24 * 3600


def files_in(folder) -> set[str]:  # type: ignore[no-untyped-def]
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def file_of(db, upload_root, batch_id: int):  # type: ignore[no-untyped-def]
    with db.session() as s:
        return upload_root / "imports" / s.get(ImportBatch, batch_id).stored_name


def status_of(db, batch_id: int) -> str | None:
    with db.session() as s:
        batch = s.get(ImportBatch, batch_id)
        return batch.status if batch else None


def uploaded_hours_ago(db, upload_root, batch_id: int, hours: float) -> None:
    """As if the import had been uploaded `hours` ago, its file written then too."""
    when = utcnow() - dt.timedelta(hours=hours)
    with db.session() as s:
        s.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(created_at=when))
    path = file_of(db, upload_root, batch_id)
    os.utime(path, (when.timestamp(), when.timestamp()))


def stray_file(upload_root, folder: str, content: bytes, modified: float | None = None):  # type: ignore[no-untyped-def]
    """A file as an upload leaves it when no row was ever committed for it (a crash)."""
    path = upload_root / folder / uuid.uuid4().hex
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    if modified is not None:
        os.utime(path, (modified, modified))
    return path


@pytest.fixture
def expense(db, person) -> int:
    with db.session() as s:
        created = transactions.create(
            s, person.id,
            TransactionInput("expense", person.checking, dt.date(2026, 10, 3), "12.30", "Cafe"),
        )  # fmt: skip
        return created.id


@pytest.fixture
def attach(db, person, upload_root, expense):
    def attach_receipt(name: str = "lunch.png") -> Receipt:
        with db.session() as s:
            return receipts.attach(s, person.id, expense, upload_root, io.BytesIO(PNG), name, 10**6)

    return attach_receipt


@pytest.fixture
def sweep(db, upload_root):
    def run(**kwargs):  # type: ignore[no-untyped-def]
        return clean_uploads(db, upload_root, KEEP_HOURS, **kwargs)

    return run


# --- An import's file lives as long as the import can still be committed ----------------------


def test_a_finished_import_leaves_no_file(db, person, import_file, commit, upload_root):
    batch = import_file(CSV)
    path = file_of(db, upload_root, batch)
    assert path.is_file()
    assert commit(batch) == "done"
    assert not path.exists()  # the rows are in the account now
    assert files_in(upload_root / "imports") == set()


def test_a_failed_import_keeps_its_file_to_fix_the_mapping_and_retry(
    db, person, import_file, commit, upload_root
):
    batch = import_file(CSV)
    with db.session() as s:
        detected = imports.csv_view(s, person.id, batch, upload_root).settings.to_dict()
        imports.set_csv_settings(s, person.id, batch, {**detected, "date_format": "%d/%m/%Y"})
    assert commit(batch) == "failed"  # every date unreadable that way: nothing imported
    path = file_of(db, upload_root, batch)
    assert path.is_file()

    with db.session() as s:
        imports.set_csv_settings(s, person.id, batch, detected)
        assert imports.preview(s, person.id, batch, upload_root).new == 4
    assert commit(batch) == "done"
    assert not path.exists()


def test_a_discarded_import_loses_its_row_and_then_its_file(
    db, person, stranger, import_file, upload_root
):
    batch = import_file(CSV)
    path = file_of(db, upload_root, batch)
    with pytest.raises(NotFound), db.session() as s:
        imports.discard(s, stranger.id, batch, upload_root)  # someone else's: unknown
    assert path.is_file() and status_of(db, batch) == "uploaded"

    with pytest.raises(RuntimeError), db.session() as s:
        imports.discard(s, person.id, batch, upload_root)
        raise RuntimeError("the commit never happens")
    assert path.is_file() and status_of(db, batch) == "uploaded"  # rolled back: both stay

    with db.session() as s:
        imports.discard(s, person.id, batch, upload_root)
        assert path.is_file()  # not before the commit
    assert not path.exists() and status_of(db, batch) is None


@pytest.mark.parametrize("status", ["running", "done"])
def test_a_running_or_done_import_cannot_be_discarded(db, person, import_file, upload_root, status):
    batch = import_file(CSV)
    with db.session() as s:
        s.get(ImportBatch, batch).status = status
    with pytest.raises(Conflict, match=status), db.session() as s:
        imports.discard(s, person.id, batch, upload_root)
    assert status_of(db, batch) == status and file_of(db, upload_root, batch).is_file()


# --- Receipts: the file goes with the transaction that decides -------------------------------


def test_a_receipt_whose_commit_fails_leaves_no_file(db, person, expense, upload_root):
    with pytest.raises(RuntimeError), db.session() as s:
        receipts.attach(s, person.id, expense, upload_root, io.BytesIO(PNG), "lunch.png", 10**6)
        assert len(files_in(upload_root / "receipts")) == 1  # written before the row
        raise RuntimeError("the database went away before the commit")
    assert files_in(upload_root / "receipts") == set()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Receipt)) == 0


def test_a_receipt_is_deleted_with_its_file_but_only_once_committed(
    db, person, attach, upload_root
):
    receipt = attach()
    path = upload_root / "receipts" / receipt.stored_name
    with pytest.raises(RuntimeError), db.session() as s:
        receipts.delete(s, person.id, receipt.id, upload_root)
        raise RuntimeError("the commit fails")
    assert path.is_file()  # the receipt is still there, and so is its file
    with db.session() as s:
        receipts.delete(s, person.id, receipt.id, upload_root)
    assert not path.exists()


# --- The sweep ----------------------------------------------------------------------------------


def test_the_sweep_removes_what_no_row_needs_and_nothing_else(
    db, person, import_file, attach, expense, upload_root, sweep, caplog
):
    stale = import_file(CSV, "forgotten.csv")
    uploaded_hours_ago(db, upload_root, stale, KEEP_HOURS + 1)
    stale_file = file_of(db, upload_root, stale)
    fresh = import_file(CSV, "today.csv")  # uploaded a minute ago, being mapped
    fresh_file = file_of(db, upload_root, fresh)
    kept_receipt = attach()
    kept_receipt_file = upload_root / "receipts" / kept_receipt.stored_name
    os.utime(kept_receipt_file, (TWO_DAYS_AGO, TWO_DAYS_AGO))  # old, and its row needs it
    orphan_receipt = stray_file(upload_root, "receipts", PNG, modified=TWO_DAYS_AGO)
    orphan_import = stray_file(upload_root, "imports", CSV, modified=TWO_DAYS_AGO)
    in_flight = stray_file(upload_root, "receipts", PNG)  # written now, its row not yet committed
    not_ours = upload_root / "receipts" / "README.txt"  # no name an upload is given
    not_ours.write_text("left by the operator")
    os.utime(not_ours, (TWO_DAYS_AGO, TWO_DAYS_AGO))

    with caplog.at_level(logging.INFO, logger="finance_tracker.jobs.uploads"):
        report = sweep()

    assert report.expired_imports == 1
    assert (report.folders["imports"].removed, report.folders["receipts"].removed) == (2, 1)
    assert report.folders["receipts"].kept_recent == 1
    assert not stale_file.exists() and not orphan_import.exists() and not orphan_receipt.exists()
    assert fresh_file.is_file() and kept_receipt_file.is_file() and in_flight.is_file()
    assert not_ours.is_file()
    assert status_of(db, stale) == "expired" and status_of(db, fresh) == "uploaded"
    with db.session() as s:
        assert s.get(ImportBatch, stale).error == (
            "the file was removed after 24 hours without being imported: upload it again to "
            "import it"
        )

    # The log says how many, never which files or whose.
    (record,) = [r for r in caplog.records if r.getMessage() == "upload sweep"]
    assert (record.expired_imports, record.imports_files_removed) == (1, 2)
    assert (record.receipts_files_removed, record.recent_unknown_files_kept) == (1, 1)
    logged = str(record.__dict__)
    assert stale_file.name not in logged and orphan_receipt.name not in logged
    assert "forgotten" not in logged

    again = sweep()  # a second run, or another process at the same time: nothing more to do
    assert (again.expired_imports, again.files_removed) == (0, 0)
    assert fresh_file.is_file() and kept_receipt_file.is_file() and in_flight.is_file()
    assert status_of(db, stale) == "expired"
    assert summary(again) == (
        "0 unfinished imports expired; files removed: 0 in imports/, 0 in receipts/"
    )


def test_an_import_is_given_keep_hours_from_its_last_run_not_its_upload(
    db, person, import_file, commit, upload_root, sweep
):
    previewed = import_file(CSV, "previewed.csv")
    failed_now = import_file(CSV, "failed a minute ago.csv")
    for batch in (previewed, failed_now):
        uploaded_hours_ago(db, upload_root, batch, KEEP_HOURS + 2)
    with db.session() as s:
        imports.preview(s, person.id, previewed, upload_root)
        row = s.get(ImportBatch, failed_now)
        row.status, row.finished_at = "failed", utcnow()  # its owner tried a minute ago
    done = import_file(CSV, "done long ago.csv")
    assert commit(done) == "done"
    with db.session() as s:
        long_ago = utcnow() - dt.timedelta(hours=KEEP_HOURS * 3)
        s.execute(
            update(ImportBatch)
            .where(ImportBatch.id == done)
            .values(created_at=long_ago, started_at=long_ago, finished_at=long_ago)
        )

    assert sweep().expired_imports == 1
    assert status_of(db, previewed) == "expired"
    assert status_of(db, failed_now) == "failed"  # still there to fix and retry
    assert file_of(db, upload_root, failed_now).is_file()
    assert status_of(db, done) == "done"  # a finished import is never expired


def test_a_queued_or_running_import_is_never_swept(db, person, import_file, upload_root, sweep):
    batches = {status: import_file(CSV, f"{status}.csv") for status in ("queued", "running")}
    for batch in batches.values():
        uploaded_hours_ago(db, upload_root, batch, KEEP_HOURS * 3)
    with db.session() as s:
        for status, batch in batches.items():
            row = s.get(ImportBatch, batch)
            row.status, row.started_at = status, utcnow() - dt.timedelta(minutes=30)
    report = sweep()
    assert (report.expired_imports, report.abandoned_imports) == (0, 0)
    for status, batch in batches.items():
        assert status_of(db, batch) == status
        assert file_of(db, upload_root, batch).is_file()


def test_an_import_left_running_by_a_stopped_server_can_be_imported_again(
    db, person, import_file, commit, upload_root, sweep
):
    # The server stopped (a restart, in the embedded default) while the import waited or ran:
    # no job will ever finish it. Once it is older than any job may run, the sweep says so.
    batches = {status: import_file(CSV, f"{status}.csv") for status in ("queued", "running")}
    with db.session() as s:
        for status, batch in batches.items():
            row = s.get(ImportBatch, batch)
            row.status = status
            row.started_at = utcnow() - uploads.ABANDONED_AFTER - dt.timedelta(minutes=1)
    report = sweep()
    assert (report.abandoned_imports, report.expired_imports) == (2, 0)
    assert "2 imports left running by a stopped process marked failed" in summary(report)
    for batch in batches.values():
        with db.session() as s:
            row = s.get(ImportBatch, batch)
            assert row.status == "failed" and "the server stopped" in row.error
        assert file_of(db, upload_root, batch).is_file()  # kept, to import again
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transaction)) == 0  # nothing half-done
    assert commit(batches["running"]) == "done"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transaction)) == 4


def test_no_job_outlives_the_time_after_which_an_import_counts_as_abandoned():
    assert dt.timedelta(seconds=queue.JOB_TIMEOUT_SECONDS) < uploads.ABANDONED_AFTER


def test_a_finished_import_s_file_left_by_a_crash_is_swept(
    db, person, import_file, commit, upload_root, sweep
):
    batch = import_file(CSV)
    path = file_of(db, upload_root, batch)
    content = path.read_bytes()
    assert commit(batch) == "done"
    path.write_bytes(content)  # the job died between its commit and removing the file
    assert sweep().folders["imports"].removed == 1
    assert not path.exists()


def test_an_expired_import_says_why_it_cannot_be_previewed_or_committed(
    db, person, import_file, commit, upload_root, sweep
):
    batch = import_file(CSV)
    uploaded_hours_ago(db, upload_root, batch, KEEP_HOURS + 1)
    sweep()
    reason = "the file was removed after 24 hours without being imported: upload it again"
    with pytest.raises(Conflict, match=reason), db.session() as s:
        imports.preview(s, person.id, batch, upload_root)
    with pytest.raises(Conflict, match=reason), db.session() as s:
        imports.csv_view(s, person.id, batch, upload_root)
    with pytest.raises(Conflict, match=reason), db.session() as s:
        imports.set_csv_settings(s, person.id, batch, {})
    assert commit(batch) == "expired"  # a job sent before it expired does nothing
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Transaction)) == 0
        imports.discard(s, person.id, batch, upload_root)  # what is left to do with it
    assert status_of(db, batch) is None


def test_an_import_whose_file_vanished_says_so(db, person, import_file, commit, upload_root):
    batch = import_file(CSV)
    file_of(db, upload_root, batch).unlink()  # an operator tidied up by hand
    vanished = pytest.raises(InvalidInput, match="no longer here: upload it again")
    with vanished, db.session() as s:
        imports.preview(s, person.id, batch, upload_root)
    assert commit(batch) == "failed"
    with db.session() as s:
        assert "no longer here" in s.get(ImportBatch, batch).error


def test_a_sweep_that_knows_none_of_the_files_removes_none(
    db, person, attach, upload_root, sweep, caplog
):
    """DATABASE_URL and UPLOAD_DIR of two installations: most receipts look like orphans."""
    attach()
    strays = [
        stray_file(upload_root, "receipts", PNG, modified=TWO_DAYS_AGO)
        for _ in range(uploads.SUSPICIOUS_MINIMUM)
    ]
    with caplog.at_level(logging.WARNING, logger="finance_tracker.services.uploads"):
        report = sweep()
    assert report.folders["receipts"].refused and report.files_removed == 0
    assert all(path.is_file() for path in strays)
    assert "check that DATABASE_URL and UPLOAD_DIR" in caplog.text
    assert "--force" in summary(report)

    forced = sweep(force=True)  # the operator checked: they are leftovers
    assert forced.folders["receipts"].removed == len(strays)
    assert len(files_in(upload_root / "receipts")) == 1


def test_the_worker_s_scheduler_sweeps_even_where_recurring_runs_elsewhere(
    db, person, import_file, upload_root, settings_for, database_url
):
    """The worker where a CronJob makes the recurring transactions: it still has the uploads."""
    batch = import_file(CSV)
    uploaded_hours_ago(db, upload_root, batch, KEEP_HOURS + 1)
    orphan = stray_file(upload_root, "receipts", PNG, modified=TWO_DAYS_AGO)
    settings = settings_for(database_url, upload_dir=upload_root, embedded_jobs=False)
    stop = embedded.start_in_worker(settings)
    try:
        deadline = time.monotonic() + 30
        while orphan.exists() or status_of(db, batch) != "expired":
            assert time.monotonic() < deadline, "the scheduler did not sweep"
            time.sleep(0.05)
    finally:
        stop.set()
    assert not file_of(db, upload_root, batch).exists()


def test_one_sweep_from_the_command_line_uses_the_settings(
    db, person, import_file, upload_root, settings_for, database_url
):
    """What `finance-tracker jobs clean-uploads` runs: IMPORT_KEEP_HOURS and UPLOAD_DIR."""
    batch = import_file(CSV)
    uploaded_hours_ago(db, upload_root, batch, 3)
    settings = settings_for(database_url, upload_dir=upload_root, import_keep_hours=4)
    assert clean_uploads_once(settings).expired_imports == 0
    settings = settings_for(database_url, upload_dir=upload_root, import_keep_hours=2)
    report = clean_uploads_once(settings)
    assert (report.expired_imports, report.files_removed) == (1, 1)
    assert summary(report) == (
        "1 unfinished import expired; files removed: 1 in imports/, 0 in receipts/"
    )


def test_the_clean_uploads_command_sweeps_once_and_says_what_it_did(
    db, person, import_file, upload_root, database_url
):
    from click.testing import CliRunner

    from finance_tracker.cli import main

    batch = import_file(CSV)
    uploaded_hours_ago(db, upload_root, batch, 30)
    env = {"DATABASE_URL": database_url, "UPLOAD_DIR": str(upload_root), "IMPORT_KEEP_HOURS": "24"}
    result = CliRunner().invoke(main, ["jobs", "clean-uploads"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 unfinished import expired; files removed: 1 in imports/" in result.output
    assert status_of(db, batch) == "expired"
    again = CliRunner().invoke(main, ["jobs", "clean-uploads"], env=env)
    assert "0 unfinished imports expired; files removed: 0 in imports/" in again.output
