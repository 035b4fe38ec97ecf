"""Receipts: photos or PDFs attached to a transaction. What a file is gets decided by its content,
never its name, and only its owner ever gets it back."""

from __future__ import annotations

from pathlib import Path

import marshmallow as ma
from flask import Response, current_app, send_file, url_for
from flask.views import MethodView
from marshmallow import fields
from werkzeug.utils import secure_filename

from finance_tracker import state_of
from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import MULTIPART, ApiBlueprint, accepts, upload_limit
from finance_tracker.api.schemas import ID_PATH, File, PageQuery, UtcDateTime, page_of, page_schema
from finance_tracker.api.session import unit_of_work
from finance_tracker.services import receipts
from finance_tracker.store.models import Receipt as ReceiptRow

blp = ApiBlueprint(
    "Receipts",
    __name__,
    url_prefix="/api/v1",
    description="Photos and PDFs of receipts, attached to transactions.",
)
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/heic": "heic",
    "application/pdf": "pdf",
}
FILE_DOC = {
    200: {
        "content": {
            media_type: {"schema": {"type": "string", "format": "binary"}}
            for media_type in receipts.ALLOWED_TYPES
        }
    }
}


class ReceiptUpload(ma.Schema):
    file = File(
        required=True,
        metadata={"description": "a JPEG, PNG, WebP, GIF or HEIC image, or a PDF"},
    )


class Receipt(ma.Schema):
    id = fields.Integer(required=True)
    transaction_id = fields.Integer(required=True)
    filename = fields.String(required=True, metadata={"description": "as uploaded, for display"})
    content_type = fields.String(
        required=True, metadata={"description": "what the content was recognised as"}
    )
    size_bytes = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "where to download it"})
    created_at = UtcDateTime(required=True)


ReceiptPage = page_schema(Receipt, "ReceiptPage")


def _root() -> Path:
    return state_of(current_app).settings.uploads


def present(receipt: ReceiptRow) -> dict:
    return {
        "id": receipt.id,
        "transaction_id": receipt.transaction_id,
        "filename": receipt.filename,
        "content_type": receipt.content_type,
        "size_bytes": receipt.size_bytes,
        "url": url_for("Receipts.ReceiptItem", receipt_id=receipt.id),
        "created_at": receipt.created_at,
    }


def download_name(receipt: ReceiptRow) -> str:
    """The uploaded name reduced to safe characters, with the extension of what the file really
    is: never a path, never a name that makes a client treat it as something else."""
    stem = secure_filename(Path(receipt.filename).stem)[:80] or "receipt"
    return f"{stem}.{EXTENSIONS.get(receipt.content_type, 'bin')}"


@blp.route(f"/transactions/<{ID_PATH}:transaction_id>/receipts")
class TransactionReceipts(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, ReceiptPage)
    @blp.not_found()
    def get(self, query: dict, transaction_id: int) -> dict:
        """The receipts attached to a transaction"""
        with unit_of_work() as session:
            found = receipts.list_for(session, current_user_id(), transaction_id)
            items = [present(receipt) for receipt in found]
        return page_of(items, query["page"], query["per_page"])

    @blp.arguments(ReceiptUpload, location="multipart")
    @blp.response(201, Receipt)
    @blp.not_found()
    @accepts(MULTIPART, max_bytes=upload_limit("receipt_max_bytes"))
    def post(self, body: dict, transaction_id: int) -> dict:
        """Attach a receipt (multipart: file); its type is read from its content"""
        upload = body["file"]
        limit = state_of(current_app).settings.receipt_max_bytes
        with unit_of_work() as session:
            receipt = receipts.attach(
                session, current_user_id(), transaction_id, _root(), upload.stream,
                upload.filename, limit,
            )  # fmt: skip
            return present(receipt)


@blp.route(f"/receipts/<{ID_PATH}:receipt_id>")
class ReceiptItem(MethodView):
    @blp.response(200, description="The file, as the type its content was recognised as")
    @blp.doc(responses=FILE_DOC)
    @blp.not_found()
    def get(self, receipt_id: int) -> Response:
        """Download a receipt"""
        with unit_of_work() as session:
            receipt, path = receipts.get(session, current_user_id(), receipt_id, _root())
            content_type, name = receipt.content_type, download_name(receipt)
        response = send_file(
            path, mimetype=content_type, as_attachment=True, download_name=name, conditional=False
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    @blp.response(204)
    @blp.not_found()
    def delete(self, receipt_id: int) -> None:
        """Delete a receipt and its file"""
        with unit_of_work() as session:
            receipts.delete(session, current_user_id(), receipt_id, _root())
