"""Exports: transactions as CSV (streamed), and a JSON backup of everything that restores exactly
into a fresh user (refs by position, never database ids)."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, jsonify, request, stream_with_context
from flask.views import MethodView
from marshmallow import fields, validate
from sqlalchemy.exc import OperationalError, StatementError

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import JSON, ApiBlueprint, accepts
from finance_tracker.api.session import unit_of_work
from finance_tracker.api.transactions import TransactionQuery
from finance_tracker.services import exports, transactions
from finance_tracker.services.errors import InvalidInput

blp = ApiBlueprint(
    "Exports",
    __name__,
    url_prefix="/api/v1",
    description="Transactions as CSV for a spreadsheet; a full backup as JSON, and its restore.",
)
CSV = "text/csv"
RESTORE_MAX_BYTES = 50 * 1024 * 1024
ExportQuery = TransactionQuery(exclude=("page", "per_page", "sort", "order"))


def _records(description: str) -> fields.List:
    return fields.List(fields.Dict(), required=True, metadata={"description": description})


class Backup(ma.Schema):
    """Everything of one user's. Rows refer to each other by position ("account": 0 is the
    first account), so a backup restored elsewhere and exported again is the very same file."""

    format = fields.String(required=True, validate=validate.OneOf([exports.BACKUP_FORMAT]))
    version = fields.Integer(required=True, validate=validate.OneOf([exports.BACKUP_VERSION]))
    default_currency = fields.String(required=True, metadata={"example": "EUR"})
    accounts = _records("accounts, in order")
    categories = _records('categories; "parent" is the position of the parent')
    tags = fields.List(fields.String(), required=True)
    transactions = _records('transactions and split lines; "parent" is the split\'s position')
    budgets = _records("budgets")
    recurring = _records("recurring transactions")
    rules = _records("rules")
    csv_mappings = _records("the CSV column settings of accounts")


class Restored(ma.Schema):
    transactions = fields.Integer(required=True, metadata={"description": "rows restored"})


CSV_DOC = {
    200: {
        "content": {
            CSV: {
                "schema": {
                    "type": "string",
                    "description": "date, account, kind, amount, currency, payee, memo, "
                    "category, tags, transfer_account, split_of: one line per transaction or "
                    "split line, newest first; text cells that a spreadsheet would run as a "
                    "formula start with an apostrophe",
                }
            }
        }
    }
}


@blp.route("/exports/transactions.csv")
class TransactionsCsv(MethodView):
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, description="The transactions as CSV")
    @blp.doc(responses=CSV_DOC)
    def get(self, query: dict) -> Response:
        """Transactions as CSV, with the filters of the transaction search"""
        query["kind"] = query["kind"] or ""
        # Bad filters (someone else's account, say) are a 422 here, before the answer starts.
        lines = exports.transactions_csv(
            unit_of_work, current_user_id(), transactions.TransactionFilter(**query),
            ip=request.remote_addr,
        )  # fmt: skip
        response = Response(stream_with_context(lines), mimetype=CSV)
        response.headers["Content-Disposition"] = 'attachment; filename="transactions.csv"'
        return response


@blp.route("/backup")
class BackupResource(MethodView):
    @blp.response(200, Backup)
    def get(self) -> Response:
        """Everything of yours as one JSON document, to restore into a fresh user"""
        with unit_of_work() as session:
            document = exports.backup(session, current_user_id(), ip=request.remote_addr)
        response = jsonify(document)  # as the service wrote it: no schema pass over the rows
        response.headers["Content-Disposition"] = 'attachment; filename="finance-tracker.json"'
        return response


@blp.route("/backup/restore")
class Restore(MethodView):
    @blp.arguments(Backup)
    @blp.response(200, Restored)
    @blp.alt_response(409, response="CONFLICT")
    @accepts(JSON, max_bytes=lambda _settings: RESTORE_MAX_BYTES)
    def post(self, backup: dict) -> dict:
        """Restore a backup into this user, who must have no accounts yet: all of it or nothing"""
        try:
            with unit_of_work() as session:
                restored = exports.restore(
                    session, current_user_id(), backup, ip=request.remote_addr
                )
        except OperationalError:
            raise  # the database is away: a 503, not the backup's fault
        except (StatementError, OverflowError) as error:
            # Values of the wrong type or size that the database refused: nothing was written.
            raise InvalidInput(
                {"file": f"the backup is damaged: the database refused {type(error).__name__}"}
            ) from None
        return {"transactions": restored}
