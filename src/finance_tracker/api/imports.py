"""Bank imports: upload a file, (set a CSV's columns), preview, commit as a job, poll its status.

A commit writes every new row of the file or, on any invalid row, nothing; the same statement
imported twice adds nothing the second time. An import not committed can be deleted (discarded);
one left unfinished for IMPORT_KEEP_HOURS expires: its file is removed.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import marshmallow as ma
from flask import current_app, url_for
from flask.views import MethodView
from marshmallow import fields, validate
from sqlalchemy.orm import Session

from finance_tracker import AppState, state_of
from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import MULTIPART, ApiBlueprint, accepts, upload_limit
from finance_tracker.api.schemas import ID_PATH, File, Id, Text, UtcDateTime, money
from finance_tracker.api.session import unit_of_work
from finance_tracker.importers import FileFormat
from finance_tracker.importers.csv_format import DATE_FORMATS, DELIMITERS, MAX_COLUMNS
from finance_tracker.jobs.imports import submit_import
from finance_tracker.jobs.progress import store_for
from finance_tracker.services import imports
from finance_tracker.services.errors import Conflict, InvalidInput
from finance_tracker.store.models import ImportBatch as BatchRow

blp = ApiBlueprint(
    "Imports",
    __name__,
    url_prefix="/api/v1/imports",
    description="Bank statements (CSV, OFX, QIF) imported all or nothing, never twice.",
)
STATUSES = ["mapping", "uploaded", "previewed", "queued", "running", "done", "failed", "expired"]
COMMITTED = ("queued", "running", "done")
FINISHED = ("done", "failed", "expired")
MAX_SAMPLE = 100


class ImportUpload(ma.Schema):
    account_id = Id(
        strict=False, required=True, metadata={"description": "the statement's account"}
    )
    file = File(required=True, metadata={"description": "the bank's file: CSV, OFX or QIF"})


class ImportStatus(ma.Schema):
    id = fields.Integer(required=True)
    account_id = fields.Integer(required=True)
    filename = fields.String(required=True, metadata={"description": "as uploaded, for display"})
    format = fields.String(required=True, validate=validate.OneOf([f.value for f in FileFormat]))
    size_bytes = fields.Integer(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUSES),
        metadata={
            "description": "mapping (a CSV's columns to confirm) → uploaded → previewed → "
            "queued → running → done, or failed; expired: left unfinished too long, its file "
            "is removed (upload it again)"
        },
    )
    finished = fields.Boolean(required=True, metadata={"description": "done, failed or expired"})
    done_rows = fields.Integer(
        required=True, metadata={"description": "rows written so far by a running import"}
    )
    total_rows = fields.Integer(required=True)
    new_rows = fields.Integer(required=True)
    duplicate_rows = fields.Integer(
        required=True, metadata={"description": "already imported before: skipped"}
    )
    invalid_rows = fields.Integer(required=True)
    error = fields.String(required=True, allow_none=True)
    created_at = UtcDateTime(required=True)
    started_at = UtcDateTime(
        required=True,
        allow_none=True,
        metadata={"description": "when the commit was asked for, then when its job started"},
    )
    finished_at = UtcDateTime(required=True, allow_none=True)


class ImportList(ma.Schema):
    items = fields.List(
        fields.Nested(ImportStatus), required=True, metadata={"description": "newest first"}
    )


class ListQuery(ma.Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))


def _column(description: str) -> fields.Integer:
    return fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(0, MAX_COLUMNS - 1),
        metadata={"description": description + " (column number, from 0)"},
    )


def _known_encoding(name: str) -> None:
    if name == "auto":
        return
    try:
        codec = codecs.lookup(name)
    except LookupError:
        codec = None
    # rot13, base64, zlib... are codecs too, but no text file is written in them.
    if codec is None or not getattr(codec, "_is_text_encoding", True):
        raise ma.ValidationError(f"unknown text encoding {name!r}")


class CsvSettingsInput(ma.Schema):
    encoding = Text(
        load_default="auto",
        validate=[validate.Length(1, 40), _known_encoding],
        metadata={"description": "auto, or a name like utf-8 or cp1252", "example": "auto"},
    )
    delimiter = Text(load_default=",", validate=validate.OneOf(DELIMITERS))
    has_header = fields.Boolean(load_default=True)
    skip_rows = fields.Integer(
        load_default=0,
        strict=True,
        validate=validate.Range(0, 1000),
        metadata={"description": "lines above the table (and its header)"},
    )
    date_format = Text(load_default="%Y-%m-%d", validate=validate.OneOf(DATE_FORMATS))
    decimal_comma = fields.Boolean(load_default=False, metadata={"description": "12,50"})
    date = _column("the date")
    amount = _column("the signed amount; or give debit and credit")
    debit = _column("money out")
    credit = _column("money in")
    payee = _column("the payee or description")
    memo = _column("the memo")
    negate = fields.Boolean(
        load_default=False, metadata={"description": "the bank shows spending as positive"}
    )


class CsvSettings(CsvSettingsInput):
    pass


class CsvView(ma.Schema):
    settings = fields.Nested(CsvSettings, required=True)
    header = fields.List(
        fields.String(), required=True, metadata={"description": "the columns, by number"}
    )
    sample = fields.List(
        fields.List(fields.String()), required=True, metadata={"description": "the first rows"}
    )


class ImportPreviewQuery(ma.Schema):
    limit = fields.Integer(
        load_default=25,
        validate=validate.Range(0, MAX_SAMPLE),
        metadata={"description": "how many rows to show"},
    )


class RowProblem(ma.Schema):
    line = fields.Integer(required=True, metadata={"description": "line number in the file"})
    message = fields.String(required=True)


class ImportPreviewRow(ma.Schema):
    line = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["new", "duplicate"]))
    date = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["income", "expense"]))
    currency = fields.String(required=True)
    amount = fields.String(required=True, metadata={"description": "signed (decimal string)"})
    amount_minor = fields.Integer(required=True)
    payee = fields.String(required=True)
    memo = fields.String(required=True)
    category_id = fields.Integer(required=True, allow_none=True, metadata={"description": "rule"})
    tags = fields.List(fields.String(), required=True, metadata={"description": "set by a rule"})
    rule_matched = fields.Boolean(required=True)


class ImportPreview(ma.Schema):
    total = fields.Integer(required=True, metadata={"description": "rows in the file"})
    new = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    invalid = fields.Integer(
        required=True, metadata={"description": "any invalid row blocks the commit"}
    )
    problems = fields.List(
        fields.Nested(RowProblem),
        required=True,
        metadata={"description": f"the first {imports.MAX_PROBLEMS_SHOWN} invalid rows"},
    )
    sample = fields.List(fields.Nested(ImportPreviewRow), required=True)


LOCATION = {"Location": {"description": "the import's status", "schema": {"type": "string"}}}


def _state() -> AppState:
    return state_of(current_app)


def _root() -> Path:
    return _state().settings.uploads


def present(batch: BatchRow) -> dict:
    done = store_for(_state().redis).get(f"import:{batch.id}")
    total = batch.total_rows
    return {
        "id": batch.id,
        "account_id": batch.account_id,
        "filename": batch.filename,
        "format": batch.file_format,
        "size_bytes": batch.size_bytes,
        "status": batch.status,
        "finished": batch.status in FINISHED,
        "done_rows": total if batch.status == "done" else min(done or 0, total),
        "total_rows": total,
        "new_rows": batch.new_rows,
        "duplicate_rows": batch.duplicate_rows,
        "invalid_rows": batch.invalid_rows,
        "error": batch.error or None,
        "created_at": batch.created_at,
        "started_at": batch.started_at,
        "finished_at": batch.finished_at,
    }


def _status_url(batch_id: int) -> str:
    return url_for("Imports.ImportItem", import_id=batch_id)


@blp.route("")
class Imports(MethodView):
    @blp.arguments(ListQuery, location="query")
    @blp.response(200, ImportList)
    def get(self, query: dict) -> dict:
        """The latest imports, newest first"""
        with unit_of_work() as session:
            batches = imports.list_recent(session, current_user_id(), query["limit"])
            return {"items": [present(batch) for batch in batches]}

    @blp.arguments(ImportUpload, location="multipart")
    @blp.response(201, ImportStatus, headers=LOCATION)
    @accepts(MULTIPART, max_bytes=upload_limit("import_max_bytes"))
    def post(self, body: dict) -> tuple[dict, int, dict]:
        """Upload a bank file (multipart: account_id, file); its format is read from its content.

        A CSV waits in `mapping` for its columns to be confirmed (csv-settings); an OFX or QIF
        file is read at once and is `previewed`, ready to commit."""
        upload = body["file"]
        root = _root()
        limit = _state().settings.import_max_bytes
        stored_name, size = imports.save_upload(root, "imports", upload.stream, limit)
        user_id = current_user_id()
        try:
            with unit_of_work() as session:
                batch = imports.start(
                    session, user_id, body["account_id"], root, stored_name, size, upload.filename
                )
                if batch.status != "mapping":
                    # OFX and QIF: read now, so that a broken file is refused with the reason.
                    imports.preview(session, user_id, batch.id, root, limit=0)
                created = present(batch)
        except InvalidInput:
            (root / "imports" / stored_name).unlink(missing_ok=True)
            raise
        return created, 201, {"Location": _status_url(created["id"])}


@blp.route(f"/<{ID_PATH}:import_id>")
class ImportItem(MethodView):
    @blp.response(200, ImportStatus)
    @blp.not_found()
    def get(self, import_id: int) -> dict:
        """An import's status; while it runs, how many rows are written"""
        with unit_of_work() as session:
            return present(imports.get(session, current_user_id(), import_id))

    @blp.response(204)
    @blp.not_found()
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, import_id: int) -> None:
        """Discard an import that was not committed, and its file

        Refused (409) while it is running, and once it is done: its transactions are in the
        account then (delete those instead). A queued import is discarded before it starts."""
        with unit_of_work() as session:
            imports.discard(session, current_user_id(), import_id, _root())


def _csv_batch(session: Session, import_id: int) -> BatchRow:
    batch = imports.get(session, current_user_id(), import_id)
    if batch.file_format != FileFormat.csv.value:
        raise Conflict("only CSV files have a column mapping")
    if batch.status in COMMITTED:
        raise Conflict("this import has already been committed")
    return batch


def _csv_view(session: Session, import_id: int) -> dict:
    view = imports.csv_view(session, current_user_id(), import_id, _root())
    return {"settings": view.settings.to_dict(), "header": view.header, "sample": view.sample}


@blp.route(f"/<{ID_PATH}:import_id>/csv-settings")
class ImportCsvSettings(MethodView):
    @blp.response(200, CsvView)
    @blp.not_found()
    @blp.alt_response(409, response="CONFLICT")
    def get(self, import_id: int) -> dict:
        """A CSV's columns and format: as detected (or as last used for the account)"""
        with unit_of_work() as session:
            return _csv_view(session, import_id)

    @blp.arguments(CsvSettingsInput)
    @blp.response(200, CsvView)
    @blp.not_found()
    @blp.alt_response(409, response="CONFLICT")
    def put(self, body: dict, import_id: int) -> dict:
        """Confirm a CSV's columns and format (kept for the account's next import too)"""
        with unit_of_work() as session:
            _csv_batch(session, import_id)
            imports.set_csv_settings(session, current_user_id(), import_id, body)
            return _csv_view(session, import_id)


@blp.route(f"/<{ID_PATH}:import_id>/preview")
class ImportPreviewResource(MethodView):
    @blp.arguments(ImportPreviewQuery, location="query")
    @blp.response(200, ImportPreview)
    @blp.not_found()
    @blp.alt_response(409, response="CONFLICT")
    def get(self, query: dict, import_id: int) -> dict:
        """What a commit would do: new, duplicate and invalid rows (with their lines), a sample"""
        user_id = current_user_id()
        with unit_of_work() as session:
            batch = imports.get(session, user_id, import_id)
            if batch.status in COMMITTED:
                raise Conflict("this import has already been committed")
            currency = batch.account.currency
            result = imports.preview(session, user_id, import_id, _root(), query["limit"])
        return {
            "total": result.total,
            "new": result.new,
            "duplicates": result.duplicates,
            "invalid": result.invalid,
            "problems": [{"line": p.line, "message": p.message} for p in result.problems],
            "sample": [
                {
                    "line": item.line,
                    "status": item.status,
                    "date": item.row.date,
                    "kind": item.row.kind,
                    "currency": currency,
                    **money("amount", item.row.amount_minor, currency),
                    "payee": item.row.payee,
                    "memo": item.row.memo,
                    "category_id": item.row.category_id,
                    "tags": [tag for tag in item.row.tags.split(",") if tag],
                    "rule_matched": item.rule_matched,
                }
                for item in result.sample
            ],
        }


@blp.route(f"/<{ID_PATH}:import_id>/commit")
class ImportCommit(MethodView):
    @blp.response(202, ImportStatus, headers=LOCATION)
    @blp.not_found()
    @blp.alt_response(409, response="CONFLICT")
    def post(self, import_id: int) -> tuple[dict, int, dict]:
        """Import a previewed file as a job (no body); poll the Location for its status.

        Refused while the preview shows invalid rows: an import adds every row or none."""
        with unit_of_work() as session:
            batch = imports.get(session, current_user_id(), import_id)
            status, invalid, error = batch.status, batch.invalid_rows, batch.error
        if status in COMMITTED:
            raise Conflict(f"this import is already {status}")
        if status == "expired":
            raise Conflict(error)
        if status != "previewed":
            raise Conflict("preview the import first (GET its preview), then commit")
        if invalid:
            raise Conflict(
                f"{invalid} row{'s are' if invalid > 1 else ' is'} invalid (see the preview): "
                "an import adds every row or none, so fix them first"
            )
        submit_import(_state(), import_id)
        with unit_of_work() as session:
            queued = present(imports.get(session, current_user_id(), import_id))
        return queued, 202, {"Location": _status_url(import_id)}
