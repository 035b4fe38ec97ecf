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

from finance_tracker.domain.text import Plural, Text, TextList, message_of
from finance_tracker.importers import (
    FileFormat,
    ImportFileError,
    ParsedFile,
    RowProblem,
    SkippedRecord,
    Statement,
    csv_format,
    ofx_format,
    qif_format,
    sources,
)
from finance_tracker.importers.csv_format import CsvSettings, CsvSniff
from finance_tracker.services import accounts, uploads
from finance_tracker.services.errors import Conflict, InvalidInput, NotFound
from finance_tracker.services.import_plan import Plan, Planned
from finance_tracker.services.import_targets import ImportOptions
from finance_tracker.store import bulk_import, summaries
from finance_tracker.store.bulk_import import ImportRow, KeyCheck
from finance_tracker.store.models import CsvMapping, ImportBatch, User, utcnow

CHUNK_BYTES = 1 << 20
MAX_PROBLEMS_SHOWN = 100
MAX_LINES_SHOWN = 20  # lines listed for each reason a record was skipped
KEY_LOOKUP_BATCH = 1000
# Statuses an import cannot be discarded in: its job is writing, or its rows are in the account.
NOT_DISCARDABLE = ("running", "done")


class ImportRefused(Exception):
    """The file has invalid rows: nothing is imported until they are fixed."""

    def __init__(self, problems: list[RowProblem], count: int) -> None:
        first = TextList(
            [Text("line %(line)s: %(message)s", line=p.line, message=p.message)
             for p in problems[:3]], "; "
        )  # fmt: skip
        super().__init__(Plural("%(count)s invalid row, nothing imported — %(problems)s",
                                "%(count)s invalid rows, nothing imported — %(problems)s",
                                count, problems=first))  # fmt: skip
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
                        {
                            "file": Text(
                                "the file is larger than %(megabytes)s MB",
                                megabytes=max_bytes // (1024 * 1024),
                            )
                        }
                    )
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if size == 0:
        target.unlink(missing_ok=True)
        raise InvalidInput({"file": Text("the file is empty")})
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
        raise ImportFileError(Text("the uploaded file is no longer here: upload it again"))
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
    session: Session, user_id: int, account_id: int | None, root: Path, stored_name: str,
    size: int, filename: str | None,
) -> ImportBatch:  # fmt: skip
    """Register an uploaded file: recognise its format by content and guess its settings. A
    bank statement goes into `account_id`; a file moving in from another tracker brings its
    own accounts and needs none.

    The file goes if this transaction does not commit (its row never existed)."""
    path = root / "imports" / stored_name
    uploads.remove_unless_committed(session, path)
    try:
        file_format = sources.detect(path)
    except ImportFileError as error:
        path.unlink(missing_ok=True)
        raise InvalidInput({"file": message_of(error)}) from None
    account = None
    if not file_format.moves_in:
        try:
            if account_id is None:
                raise NotFound("account")
            account = accounts.get(session, user_id, account_id)
        except NotFound:
            path.unlink(missing_ok=True)
            raise InvalidInput(
                {"account_id": Text("choose the account this statement belongs to")
                 if account_id is None else Text("unknown account")}
            ) from None  # fmt: skip
    settings: dict[str, object] = {}
    if file_format is FileFormat.csv:
        assert account is not None
        saved = session.get(CsvMapping, account.id)
        try:
            settings = (
                json.loads(saved.settings_json) if saved
                else csv_format.sniff(path).settings.to_dict()
            )  # fmt: skip
        except ImportFileError as error:
            path.unlink(missing_ok=True)
            raise InvalidInput({"file": message_of(error)}) from None
    batch = ImportBatch(
        user_id=user_id, account_id=account.id if account else None,
        filename=display_name(filename), stored_name=stored_name, size_bytes=size,
        file_format=file_format.value, settings_json=json.dumps(settings),
        status="mapping" if file_format is FileFormat.csv else "uploaded",
    )  # fmt: skip
    session.add(batch)
    session.flush()
    return batch


def csv_view(session: Session, user_id: int, batch_id: int, root: Path) -> CsvSniff:
    """The detected layout and first rows, with the settings currently chosen."""
    batch = get(session, user_id, batch_id)
    if batch.file_format != FileFormat.csv.value:
        raise Conflict(Text("only CSV files have a column mapping"))
    refuse_expired(batch)
    try:
        view = csv_format.sniff(stored_path(root, batch))
    except ImportFileError as error:
        raise InvalidInput({"file": message_of(error)}) from None
    view.settings = CsvSettings.from_dict(json.loads(batch.settings_json))
    return view


def set_csv_settings(
    session: Session, user_id: int, batch_id: int, values: dict[str, object]
) -> ImportBatch:
    """Save the mapping on the import and as the account's mapping for next time."""
    batch = get(session, user_id, batch_id)
    if batch.status in ("running", "done"):
        raise Conflict(Text("this import has already been committed"))
    refuse_expired(batch)
    try:
        settings = CsvSettings.from_dict(values)
    except TypeError as error:
        raise InvalidInput({"settings": message_of(error)}) from None
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


def _parsed(batch: ImportBatch, root: Path) -> tuple[ParsedFile, bool]:
    """The file's statements, and whether their records stream from the file (a CSV)."""
    path = stored_path(root, batch)
    if batch.file_format == FileFormat.csv.value:
        settings = CsvSettings.from_dict(json.loads(batch.settings_json))
        return ParsedFile([Statement("csv", records=csv_format.parse(path, settings))]), True
    if batch.file_format == FileFormat.ofx.value:
        return ofx_format.parse(path), False
    if batch.file_format == FileFormat.qif.value:
        return qif_format.parse(path), False
    return sources.parse(path, FileFormat(batch.file_format)), False


def _plan(session: Session, batch: ImportBatch, root: Path) -> Plan:
    parsed, streamed = _parsed(batch, root)
    options = ImportOptions.from_json(batch.options_json)
    user = session.get(User, batch.user_id)
    assert user is not None
    return Plan(
        session, batch.user_id, batch.account, parsed, options, streamed, user.default_currency
    )


@dataclass
class PreviewRow:
    line: int
    row: ImportRow
    status: str  # "new" or "duplicate"
    planned: Planned


@dataclass
class SkippedGroup:
    """Records skipped for one reason: "14 records (BUYSTOCK, SELLMF …): <reason>"."""

    reason: str
    kinds: dict[str, int] = field(default_factory=dict)  # "BUYSTOCK": 2, in file order
    count: int = 0
    lines: list[int] = field(default_factory=list)  # the first few

    def add(self, record: SkippedRecord) -> None:
        self.count += 1
        self.kinds[record.kind] = self.kinds.get(record.kind, 0) + 1
        if len(self.lines) < MAX_LINES_SHOWN:
            self.lines.append(record.line)


@dataclass
class Preview:
    """What a commit would do. Every record read is one of new, duplicate, invalid, skipped."""

    new: int = 0
    duplicates: int = 0
    invalid: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    skipped_groups: list[SkippedGroup] = field(default_factory=list)
    sample: list[PreviewRow] = field(default_factory=list)
    rounded: list[Planned] = field(default_factory=list)  # the first few rows rounded
    rounded_count: int = 0
    needs_rounding: int = 0  # rows that are invalid until rounding is chosen
    statement_records: dict[int, int] = field(default_factory=dict)
    plan: Plan | None = None

    @property
    def total(self) -> int:
        return self.new + self.duplicates + self.invalid + self.skipped

    def problem(self, item: RowProblem) -> None:
        self.invalid += 1
        if len(self.problems) < MAX_PROBLEMS_SHOWN:
            self.problems.append(item)

    def skip(self, record: SkippedRecord) -> None:
        self.skipped += 1
        for group in self.skipped_groups:
            if group.reason == record.reason:
                group.add(record)
                return
        group = SkippedGroup(record.reason)
        group.add(record)
        self.skipped_groups.append(group)


def preview(session: Session, user_id: int, batch_id: int, root: Path, limit: int = 25) -> Preview:
    """Count what a commit would do, without writing a transaction."""
    batch = get(session, user_id, batch_id)
    refuse_expired(batch)
    if batch.status == "mapping":
        raise Conflict(Text("confirm the column mapping first"))
    result = Preview()
    try:
        plan = _plan(session, batch, root)
        check = KeyCheck(session.connection())
        tally = bulk_import.Written()
        pending: list[Planned] = []

        def flush() -> None:
            verdicts = check.new([p.row for p in pending])
            for planned, is_new in zip(pending, verdicts, strict=True):
                tally.count(planned.row, is_new)
                if len(result.sample) < limit:
                    status = "new" if is_new else "duplicate"
                    result.sample.append(PreviewRow(planned.line, planned.row, status, planned))
            pending.clear()

        for choice, outcome in plan.outcomes(plan.category_ids()):
            if choice is not None:  # a record of no account counts only in the whole file
                number = choice.number
                result.statement_records[number] = result.statement_records.get(number, 0) + (
                    not isinstance(outcome, Planned) or outcome.row.part == 0
                )
            if isinstance(outcome, RowProblem):
                result.problem(outcome)
            elif isinstance(outcome, SkippedRecord):
                result.skip(outcome)
            else:
                if outcome.rounded_from is not None:
                    result.rounded_count += 1
                    if len(result.rounded) < MAX_LINES_SHOWN:
                        result.rounded.append(outcome)
                pending.append(outcome)
                if len(pending) >= KEY_LOOKUP_BATCH:
                    flush()
        flush()
    except ImportFileError as error:
        raise InvalidInput({"file": message_of(error)}) from None
    result.new, result.duplicates = tally.new_records, tally.records - tally.new_records
    result.needs_rounding, result.plan = plan.needs_rounding, plan
    batch.total_rows, batch.new_rows = result.total, result.new
    batch.duplicate_rows, batch.invalid_rows = result.duplicates, result.invalid
    batch.skipped_rows = result.skipped
    batch.status = "previewed"
    session.flush()
    return result


def set_options(
    session: Session, user_id: int, batch_id: int, root: Path, options: ImportOptions
) -> ImportBatch:
    """Keep the person's choices for the preview and the commit; refused if they do not fit
    the file (an account in another currency, say)."""
    batch = get(session, user_id, batch_id)
    if batch.status in NOT_DISCARDABLE or batch.status == "queued":
        raise Conflict(Text("this import has already been committed"))
    refuse_expired(batch)
    batch.options_json = options.to_json()
    _plan(session, batch, root)  # refuses what cannot be (the transaction then rolls back)
    session.flush()
    return batch


def discard(session: Session, user_id: int, batch_id: int, root: Path) -> None:
    """Forget an import that was not committed: its row now, its file once that is committed.

    Refused while its job runs, and once it is done (its transactions are in the account)."""
    batch = get(session, user_id, batch_id)
    if batch.status == "running":
        raise Conflict(Text("this import is running: wait until it has finished"))
    if batch.status == "done":
        raise Conflict(
            Text("this import is done: its transactions are in the account (delete them there)")
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
        raise Conflict(Text("this import has just started: wait until it has finished"))
    session.expunge(batch)
    uploads.remove_after_commit(session, path)


def commit(
    session: Session, batch: ImportBatch, root: Path, progress: Callable[[int], None]
) -> bulk_import.Written:
    """Write every new row of the file in the caller's transaction, or raise and write nothing.
    Invalid rows refuse the whole import, unless the person chose to skip them: then they are
    listed on the import's record, with what else was skipped and why."""
    plan = _plan(session, batch, root)
    created = plan.prepare_commit()  # new accounts, categories and tags, before any row
    preview = Preview()

    def rows() -> Iterator[ImportRow]:
        for _choice, outcome in plan.outcomes(plan.category_ids(created)):
            if isinstance(outcome, RowProblem):
                preview.problem(outcome)
            elif isinstance(outcome, SkippedRecord):
                preview.skip(outcome)
            else:
                yield outcome.row

    written = bulk_import.write(
        session, user_id=batch.user_id, batch_id=batch.id, rows=rows(), progress=progress
    )
    if preview.invalid and not plan.options.skip_invalid:
        raise ImportRefused(preview.problems, preview.invalid)
    budgets = plan.write_budgets(plan.category_ids(created))
    summaries.refresh(session, batch.user_id, written.months)
    batch.status, batch.finished_at = "done", utcnow()
    batch.total_rows = written.records + preview.invalid + preview.skipped
    batch.new_rows, batch.duplicate_rows = (
        written.new_records,
        written.records - written.new_records,
    )
    batch.invalid_rows, batch.skipped_rows = preview.invalid, preview.skipped
    batch.report_json = json.dumps({
        "invalid_skipped": [{"line": p.line, "message": p.message} for p in preview.problems],
        "skipped": [{"reason": g.reason, "kinds": g.kinds, "count": g.count, "lines": g.lines}
                    for g in preview.skipped_groups],
        "categories_created": sorted(created),
        "accounts_created": [a.name for a in plan.targets.new_accounts if a.created],
        "budgets_set": budgets,
    })  # fmt: skip
    return written
