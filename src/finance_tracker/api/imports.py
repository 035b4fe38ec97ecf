"""Bank imports: upload a file, (set a CSV's columns), preview, commit as a job, poll its status.

A commit writes every new row of the file or, on any invalid row, nothing; the same statement
imported twice adds nothing the second time. An import not committed can be deleted (discarded);
one left unfinished for IMPORT_KEEP_HOURS expires: its file is removed.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app, url_for
from flask.views import MethodView
from sqlalchemy.orm import Session

from finance_tracker import AppState, state_of
from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import MULTIPART, ApiBlueprint, accepts, upload_limit
from finance_tracker.api.import_schemas import (
    CsvSettingsInput,
    CsvView,
    ImportList,
    ImportOptionsSchema,
    ImportPreview,
    ImportPreviewQuery,
    ImportStatus,
    ImportUpload,
    ListQuery,
)
from finance_tracker.api.schemas import ID_PATH, money
from finance_tracker.api.session import unit_of_work
from finance_tracker.domain.money import format_plain
from finance_tracker.importers import SOURCE_NAMES, FileFormat
from finance_tracker.jobs.imports import submit_import
from finance_tracker.jobs.progress import store_for
from finance_tracker.services import imports
from finance_tracker.services.errors import Conflict, InvalidInput
from finance_tracker.services.import_targets import NEW, ImportOptions, NewAccount
from finance_tracker.store.models import ImportBatch as BatchRow

blp = ApiBlueprint(
    "Imports",
    __name__,
    url_prefix="/api/v1/imports",
    description="Bank statements (CSV, OFX, QIF) imported all or nothing, never twice.",
)
COMMITTED = ("queued", "running", "done")
FINISHED = ("done", "failed", "expired")


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
        "skipped_rows": batch.skipped_rows,
        "report": json.loads(batch.report_json) if batch.status == "done" else None,
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
        """Upload a bank file (multipart: account_id, file) or an export to move in from (file)

        Its format is read from its content.

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


def _new_account(account: object) -> dict | None:
    if not isinstance(account, NewAccount):
        return None
    return {"name": account.name, "currency": account.currency, "type": account.type,
            "opening_balance": str(account.opening)}  # fmt: skip


def _previewed(batch: BatchRow, result: imports.Preview) -> dict:
    plan = result.plan
    assert plan is not None
    currencies = {a.id: a.currency for a in plan.own_accounts.values()}
    currency = batch.account.currency if batch.account else plan.targets.home_currency
    options = plan.options
    return {
        "total": result.total,
        "new": result.new,
        "duplicates": result.duplicates,
        "invalid": result.invalid,
        "skipped": result.skipped,
        "problems": [{"line": p.line, "message": p.message} for p in result.problems],
        "skipped_groups": [vars(group) for group in result.skipped_groups],
        "statements": [
            {
                "statement": c.number,
                "label": c.statement.label,
                "kind": c.statement.kind,
                "currency": c.statement.currency,
                "records": result.statement_records.get(c.number, 0),
                "account_id": c.account.id if c.account and c.account.id > 0 else None,
                "new_account": _new_account(c.account),
                "why_not": c.why_not if c.account is None else "",
            }
            for c in plan.statements
        ],
        "categories": [
            {
                "path": c.path,
                "category_id": c.category.id if c.category else None,
                "create": c.create,
            }
            for c in plan.categories.values()
        ],  # fmt: skip
        "transfers": [
            {
                "name": t.name,
                "account_id": t.account.id if t.account and t.account.id > 0 else None,
                "note": t.note,
            }  # fmt: skip
            for t in plan.transfers.values()
        ],
        "rounding": {
            "needed": result.needs_rounding,
            "rounded": result.rounded_count,
            "rows": [
                {
                    "line": r.line,
                    "original": str(r.rounded_from),
                    "amount": format_plain(
                        r.row.amount_minor, currencies.get(r.row.account_id, currency)
                    ),
                }
                for r in result.rounded
            ],  # fmt: skip
        },
        "bank_messages": plan.parsed.bank_messages,
        "lists": plan.parsed.lists,
        "options": {
            "statements": [
                {
                    "statement": c.number,
                    "account_id": c.account.id if c.account and c.account.id > 0 else None,
                    "new_account": isinstance(c.account, NewAccount),
                }
                for c in plan.statements
            ],  # fmt: skip
            "transfers": [
                {"name": t.name, "account_id": t.account.id if t.account else None}
                for t in plan.transfers.values()
            ],
            "round_amounts": options.round_amounts,
            "skip_invalid": options.skip_invalid,
            "rules_override": options.rules_override,
            "create_categories": options.create_categories,
        },
        "source": SOURCE_NAMES[FileFormat(batch.file_format)],
        "notes": plan.parsed.notes,
        "budgets": len(plan.parsed.budgets),
        "sample": [
            _sample_row(item, currencies.get(item.row.account_id, currency))
            for item in result.sample
        ],
    }


def _sample_row(item: imports.PreviewRow, currency: str) -> dict:
    row = item.row
    return {
        "line": item.line,
        "status": item.status,
        "account_id": row.account_id,
        "date": row.date,
        "kind": "transfer" if row.transfer_account_id else row.kind,
        "currency": currency,
        **money("amount", row.amount_minor, currency),
        "rounded_from": str(item.planned.rounded_from) if item.planned.rounded_from else None,
        "payee": row.payee,
        "memo": row.memo,
        "category_id": row.category_id,
        "category_path": item.planned.category_path,
        "transfer_account_id": row.transfer_account_id,
        "splits": [
            {
                "amount": format_plain(line.amount_minor, currency),
                "category_id": line.category_id,
                "memo": line.memo,
            }
            for line in row.lines
        ],  # fmt: skip
        "tags": [tag for tag in row.tags.split(",") if tag],
        "cleared": row.cleared,
        "rule_matched": item.planned.rule_matched,
    }


def _preview(session: Session, import_id: int, limit: int) -> dict:
    user_id = current_user_id()
    batch = imports.get(session, user_id, import_id)
    if batch.status in COMMITTED:
        raise Conflict("this import has already been committed")
    result = imports.preview(session, user_id, import_id, _root(), limit)
    return _previewed(batch, result)


@blp.route(f"/<{ID_PATH}:import_id>/preview")
class ImportPreviewResource(MethodView):
    @blp.arguments(ImportPreviewQuery, location="query")
    @blp.response(200, ImportPreview)
    @blp.not_found()
    @blp.alt_response(409, response="CONFLICT")
    def get(self, query: dict, import_id: int) -> dict:
        """What a commit would do: every record of the file as new, duplicate, invalid (with
        its line and why) or skipped (with why); the statements, categories and transfers the
        file names and what each becomes; the rounding offered; a sample of the rows"""
        with unit_of_work() as session:
            return _preview(session, import_id, query["limit"])


@blp.route(f"/<{ID_PATH}:import_id>/options")
class ImportOptionsResource(MethodView):
    @blp.arguments(ImportOptionsSchema)
    @blp.arguments(ImportPreviewQuery, location="query")
    @blp.response(200, ImportPreview)
    @blp.not_found()
    @blp.alt_response(409, response="CONFLICT")
    def put(self, body: dict, query: dict, import_id: int) -> dict:
        """Make the preview's choices (all of them at once), and see the preview they give

        Which account each statement goes to, which account each transfer goes to, whether to
        round amounts finer than the currency, to skip invalid rows, to let rules override the
        file's categories and to create the file's missing categories."""
        statements = body["statements"]
        transfers = body["transfers"]
        options = ImportOptions(
            accounts=None if statements is None else {
                s["statement"]: NEW if s["new_account"] else s["account_id"] for s in statements
            },
            transfers=None if transfers is None else {
                t["name"]: t["account_id"] for t in transfers
            },
            round_amounts=body["round_amounts"],
            skip_invalid=body["skip_invalid"],
            rules_override=body["rules_override"],
            create_categories=body["create_categories"],
        )  # fmt: skip
        with unit_of_work() as session:
            batch = imports.get(session, current_user_id(), import_id)
            if batch.status in COMMITTED:
                raise Conflict("this import has already been committed")
            if batch.status == "mapping":
                raise Conflict("confirm the column mapping first")
            imports.set_options(session, current_user_id(), import_id, _root(), options)
            return _preview(session, import_id, query["limit"])


@blp.route(f"/<{ID_PATH}:import_id>/commit")
class ImportCommit(MethodView):
    @blp.response(202, ImportStatus, headers=LOCATION)
    @blp.not_found()
    @blp.alt_response(409, response="CONFLICT")
    def post(self, import_id: int) -> tuple[dict, int, dict]:
        """Import a previewed file as a job (no body); poll the Location for its status.

        Refused while the preview shows invalid rows, unless the options say to skip them: by
        default an import adds every row or none."""
        with unit_of_work() as session:
            batch = imports.get(session, current_user_id(), import_id)
            status, invalid, error = batch.status, batch.invalid_rows, batch.error
            skip_invalid = ImportOptions.from_json(batch.options_json).skip_invalid
        if status in COMMITTED:
            raise Conflict(f"this import is already {status}")
        if status == "expired":
            raise Conflict(error)
        if status != "previewed":
            raise Conflict("preview the import first (GET its preview), then commit")
        if invalid and not skip_invalid:
            raise Conflict(
                f"{invalid} row{'s are' if invalid > 1 else ' is'} invalid (see the preview): "
                "an import adds every row or none; fix them, or choose to skip them "
                "(skip_invalid in the import's options)"
            )
        submit_import(_state(), import_id)
        with unit_of_work() as session:
            queued = present(imports.get(session, current_user_id(), import_id))
        return queued, 202, {"Location": _status_url(import_id)}
