"""Bank imports: upload, (map CSV columns), preview, commit — all or nothing, never twice.

A file is stored under UPLOAD_DIR with a random name; the name a user gave is only displayed.
The commit runs as a job (the worker, or a thread in the embedded default) and either writes
every new row or, on any invalid row or crash, nothing at all.

A file is kept while its import may still be previewed or committed: until it is done (the job
removes it), discarded by its owner (`discard`), or left unfinished for IMPORT_KEEP_HOURS (the
sweep in `services.uploads` marks it expired and removes it).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from finance_tracker.domain.ledger import LedgerError, check_date
from finance_tracker.domain.money import MoneyError, parse_amount
from finance_tracker.importers import (
    FileFormat,
    ImportFileError,
    ParsedRow,
    RowProblem,
    csv_format,
    detect_format,
    ofx_format,
    qif_format,
)
from finance_tracker.importers.csv_format import CsvSettings, CsvSniff
from finance_tracker.importers.dedup import KeyMaker
from finance_tracker.services import accounts, tags, uploads
from finance_tracker.services.errors import Conflict, InvalidInput, NotFound
from finance_tracker.services.rules import RuleBook
from finance_tracker.store import bulk_import, summaries
from finance_tracker.store.bulk_import import ImportRow
from finance_tracker.store.models import CsvMapping, ImportBatch, Transaction, utcnow

CHUNK_BYTES = 1 << 20
MAX_PROBLEMS_SHOWN = 100
KEY_LOOKUP_BATCH = 1000
# Statuses an import cannot be discarded in: its job is writing, or its rows are in the account.
NOT_DISCARDABLE = ("running", "done")


class ImportRefused(Exception):
    """The file has invalid rows: nothing is imported until they are fixed."""

    def __init__(self, problems: list[RowProblem], count: int) -> None:
        first = "; ".join(f"line {p.line}: {p.message}" for p in problems[:3])
        super().__init__(f"{count} invalid rows, nothing imported — {first}")
        self.problems = problems


def display_name(filename: str | None) -> str:
    """What the user called the file, safe to show: no folders, no control characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip(" .")
    return name[:200] or "upload"


def save_upload(root: Path, folder: str, stream: BinaryIO, max_bytes: int) -> tuple[str, int]:
    """Stream an upload to a new random file under root/folder; refuse it past `max_bytes`."""
    target_dir = root / folder
    target_dir.mkdir(parents=True, exist_ok=True)
    stored_name = uuid.uuid4().hex
    target = target_dir / stored_name
    size = 0
    try:
        with target.open("xb") as out:
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise InvalidInput(
                        {"file": f"the file is larger than {max_bytes // (1024 * 1024)} MB"}
                    )
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if size == 0:
        target.unlink(missing_ok=True)
        raise InvalidInput({"file": "the file is empty"})
    return stored_name, size


def file_path(root: Path, batch: ImportBatch) -> Path:
    """Where the import's file is (or was)."""
    # stored_name is ours (hex), but check anyway that the path stays inside the upload folder.
    path = (root / "imports" / batch.stored_name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise NotFound("import file")
    return path


def stored_path(root: Path, batch: ImportBatch) -> Path:
    """The import's file, to read: refused when it is not there any more."""
    refuse_expired(batch)
    path = file_path(root, batch)
    if not path.is_file():
        raise ImportFileError("the uploaded file is no longer here: upload it again")
    return path


def refuse_expired(batch: ImportBatch) -> None:
    """An expired import's file is gone: it can only be discarded."""
    if batch.status == uploads.EXPIRED:
        raise Conflict(batch.error or "this import expired: upload the file again")


def get(session: Session, user_id: int, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.user_id != user_id:
        raise NotFound("import")
    return batch


def list_recent(session: Session, user_id: int, limit: int = 20) -> list[ImportBatch]:
    query = select(ImportBatch).where(ImportBatch.user_id == user_id)
    return list(session.scalars(query.order_by(ImportBatch.id.desc()).limit(limit)))


def start(
    session: Session, user_id: int, account_id: int, root: Path, stored_name: str, size: int,
    filename: str | None,
) -> ImportBatch:  # fmt: skip
    """Register an uploaded file: recognise its format by content and guess its settings.

    The file goes if this transaction does not commit (its row never existed)."""
    path = root / "imports" / stored_name
    uploads.remove_unless_committed(session, path)
    try:
        account = accounts.get(session, user_id, account_id)
    except NotFound:
        path.unlink(missing_ok=True)
        raise InvalidInput({"account_id": "unknown account"}) from None
    try:
        with path.open("rb") as handle:
            file_format = detect_format(handle.read(8192))
        settings: dict[str, object] = {}
        if file_format is FileFormat.csv:
            saved = session.get(CsvMapping, account.id)
            settings = (
                json.loads(saved.settings_json)
                if saved
                else csv_format.sniff(path).settings.to_dict()
            )
    except ImportFileError as error:
        path.unlink(missing_ok=True)
        raise InvalidInput({"file": str(error)}) from None
    batch = ImportBatch(
        user_id=user_id, account_id=account.id, filename=display_name(filename),
        stored_name=stored_name, size_bytes=size, file_format=file_format.value,
        settings_json=json.dumps(settings),
        status="mapping" if file_format is FileFormat.csv else "uploaded",
    )  # fmt: skip
    session.add(batch)
    session.flush()
    return batch


def csv_view(session: Session, user_id: int, batch_id: int, root: Path) -> CsvSniff:
    """The detected layout and first rows, with the settings currently chosen."""
    batch = get(session, user_id, batch_id)
    if batch.file_format != FileFormat.csv.value:
        raise Conflict("only CSV files have a column mapping")
    refuse_expired(batch)
    try:
        view = csv_format.sniff(stored_path(root, batch))
    except ImportFileError as error:
        raise InvalidInput({"file": str(error)}) from None
    view.settings = CsvSettings.from_dict(json.loads(batch.settings_json))
    return view


def set_csv_settings(
    session: Session, user_id: int, batch_id: int, values: dict[str, object]
) -> ImportBatch:
    """Save the mapping on the import and as the account's mapping for next time."""
    batch = get(session, user_id, batch_id)
    if batch.status in ("running", "done"):
        raise Conflict("this import has already been committed")
    refuse_expired(batch)
    try:
        settings = CsvSettings.from_dict(values)
    except TypeError as error:
        raise InvalidInput({"settings": str(error)}) from None
    if problems := settings.problems():
        raise InvalidInput(problems)
    batch.settings_json = json.dumps(settings.to_dict())
    batch.status = "uploaded"
    mapping = session.get(CsvMapping, batch.account_id)
    if mapping is None:
        mapping = CsvMapping(account_id=batch.account_id, user_id=user_id, settings_json="")
        session.add(mapping)
    mapping.settings_json = batch.settings_json
    session.flush()
    return batch


def _parsed(batch: ImportBatch, root: Path) -> Iterator[ParsedRow | RowProblem]:
    path = stored_path(root, batch)
    if batch.file_format == FileFormat.csv.value:
        return csv_format.parse(path, CsvSettings.from_dict(json.loads(batch.settings_json)))
    if batch.file_format == FileFormat.ofx.value:
        return ofx_format.parse(path)
    return qif_format.parse(path)


@dataclass
class PreparedRow:
    line: int
    row: ImportRow
    rule_matched: bool


def _prepare(
    batch: ImportBatch, root: Path, rule_book: RuleBook, on_problem: Callable[[RowProblem], None]
) -> Iterator[PreparedRow]:
    currency = batch.account.currency
    keys = KeyMaker()
    for item in _parsed(batch, root):
        if isinstance(item, RowProblem):
            on_problem(item)
            continue
        try:
            check_date(item.date)
            minor = parse_amount(item.amount, currency)
        except (MoneyError, LedgerError) as error:
            on_problem(RowProblem(item.line, str(error)))
            continue
        if minor == 0:
            on_problem(RowProblem(item.line, "the amount is zero"))
            continue
        payee, category_id, tag_names = item.payee, None, ""
        rule = rule_book.first_match(item.payee, item.memo, minor, batch.account_id)
        if rule is not None:
            category_id = rule.outcome.category_id
            tag_names = ",".join(rule.outcome.tag_names)
            payee = rule.outcome.payee or payee
        key = keys.key(item.date, minor, item.payee, item.fitid)
        kind = "income" if minor > 0 else "expense"
        yield PreparedRow(
            item.line,
            ImportRow(item.date, minor, kind, payee, item.memo, category_id, key, tag_names),
            rule is not None,
        )


def _existing_keys(session: Session, account_id: int, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), KEY_LOOKUP_BATCH):
        chunk = keys[start : start + KEY_LOOKUP_BATCH]
        found.update(
            session.scalars(
                select(Transaction.import_key).where(
                    Transaction.account_id == account_id, Transaction.import_key.in_(chunk)
                )
            )
        )
    return found


@dataclass
class PreviewRow:
    line: int
    row: ImportRow
    status: str  # "new" or "duplicate"
    rule_matched: bool


@dataclass
class Preview:
    total: int = 0
    new: int = 0
    duplicates: int = 0
    invalid: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    sample: list[PreviewRow] = field(default_factory=list)


def preview(session: Session, user_id: int, batch_id: int, root: Path, limit: int = 25) -> Preview:
    """Count what a commit would do, without writing a transaction."""
    batch = get(session, user_id, batch_id)
    refuse_expired(batch)
    if batch.status == "mapping":
        raise Conflict("confirm the column mapping first")
    result = Preview()

    def problem(item: RowProblem) -> None:
        result.invalid += 1
        if len(result.problems) < MAX_PROBLEMS_SHOWN:
            result.problems.append(item)

    pending: list[PreparedRow] = []

    def flush() -> None:
        existing = _existing_keys(session, batch.account_id, [p.row.import_key for p in pending])
        for prepared in pending:
            duplicate = prepared.row.import_key in existing
            result.duplicates += duplicate
            result.new += not duplicate
            if len(result.sample) < limit:
                status = "duplicate" if duplicate else "new"
                result.sample.append(
                    PreviewRow(prepared.line, prepared.row, status, prepared.rule_matched)
                )
        pending.clear()

    try:
        for prepared in _prepare(batch, root, RuleBook(session, user_id), problem):
            result.total += 1
            pending.append(prepared)
            if len(pending) == KEY_LOOKUP_BATCH:
                flush()
        flush()
    except ImportFileError as error:
        raise InvalidInput({"file": str(error)}) from None
    result.total += result.invalid
    batch.total_rows, batch.new_rows = result.total, result.new
    batch.duplicate_rows, batch.invalid_rows = result.duplicates, result.invalid
    batch.status = "previewed"
    session.flush()
    return result


def discard(session: Session, user_id: int, batch_id: int, root: Path) -> None:
    """Forget an import that was not committed: its row now, its file once that is committed.

    Refused while its job runs, and once it is done (its transactions are in the account)."""
    batch = get(session, user_id, batch_id)
    if batch.status == "running":
        raise Conflict("this import is running: wait until it has finished")
    if batch.status == "done":
        raise Conflict(
            "this import is done: its transactions are in the account (delete them there)"
        )
    path = file_path(root, batch)
    # Conditional: a job that started meanwhile (queued → running) keeps its import.
    deleted = session.execute(
        delete(ImportBatch)
        .where(
            ImportBatch.id == batch.id,
            ImportBatch.user_id == user_id,
            ImportBatch.status.not_in(NOT_DISCARDABLE),
        )
        .execution_options(synchronize_session=False)
    )
    if not deleted.rowcount:  # type: ignore[attr-defined]
        raise Conflict("this import has just started: wait until it has finished")
    session.expunge(batch)
    uploads.remove_after_commit(session, path)


def commit(
    session: Session, batch: ImportBatch, root: Path, progress: Callable[[int], None]
) -> bulk_import.Written:
    """Write every new row of the file in the caller's transaction, or raise and write nothing."""
    problems: list[RowProblem] = []
    rule_book = RuleBook(session, batch.user_id)
    # Tags a rule may set must exist before the bulk insert links them.
    names = {n for r in rule_book.rules for n in r.outcome.tag_names}
    tags.resolve(session, batch.user_id, sorted(names))
    rows = (p.row for p in _prepare(batch, root, rule_book, problems.append))
    written = bulk_import.write(
        session, user_id=batch.user_id, account_id=batch.account_id, batch_id=batch.id,
        rows=rows, progress=progress,
    )  # fmt: skip
    if problems:
        raise ImportRefused(problems, len(problems))
    summaries.refresh(session, batch.user_id, written.months)
    batch.status, batch.finished_at = "done", utcnow()
    batch.total_rows, batch.invalid_rows = written.rows, 0
    batch.new_rows, batch.duplicate_rows = written.inserted, written.rows - written.inserted
    return written
