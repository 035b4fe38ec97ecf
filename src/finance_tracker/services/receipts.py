"""Receipts: images or PDFs attached to a transaction, stored under UPLOAD_DIR/receipts.

The type is decided by the file's content, never its name; the stored name is random; a receipt
is only ever found through its owner's id. Its file is written before its row and removed after
it, each time with the transaction's outcome (`services.uploads`); the sweep removes what a crash
in between leaves.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import filetype
from sqlalchemy import select
from sqlalchemy.orm import Session

from finance_tracker.domain.text import Text
from finance_tracker.services import transactions, uploads
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.services.imports import display_name, save_upload
from finance_tracker.store.models import Receipt

ALLOWED_TYPES = {
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "image/webp": "WebP image",
    "image/gif": "GIF image",
    "image/heic": "HEIC photo",
    "application/pdf": "PDF",
}
MAX_PER_TRANSACTION = 20


def _path(root: Path, receipt: Receipt) -> Path:
    path = (root / "receipts" / receipt.stored_name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise NotFound("receipt")
    return path


def attach(
    session: Session, user_id: int, transaction_id: int, root: Path, stream: BinaryIO,
    filename: str | None, max_bytes: int,
) -> Receipt:  # fmt: skip
    transaction = transactions.get(session, user_id, transaction_id)
    existing = session.scalars(
        select(Receipt.id).where(Receipt.transaction_id == transaction.id)
    ).all()
    if len(existing) >= MAX_PER_TRANSACTION:
        raise InvalidInput(
            {
                "file": Text(
                    "a transaction keeps at most %(count)s receipts",
                    count=MAX_PER_TRANSACTION,
                )
            }
        )
    stored_name, size = save_upload(root, "receipts", stream, max_bytes)
    stored = root / "receipts" / stored_name
    uploads.remove_unless_committed(session, stored)  # a failed commit leaves no file behind
    with stored.open("rb") as handle:
        kind = filetype.guess(handle.read(8192))
    if kind is None or kind.mime not in ALLOWED_TYPES:
        stored.unlink(missing_ok=True)
        if kind is None:
            refused = Text("attach a JPEG, PNG, WebP, GIF, HEIC image or a PDF")
        else:
            refused = Text(
                "attach a JPEG, PNG, WebP, GIF, HEIC image or a PDF (this is %(type)s)",
                type=kind.mime,
            )
        raise InvalidInput({"file": refused})
    receipt = Receipt(
        user_id=user_id, transaction_id=transaction.id, filename=display_name(filename),
        stored_name=stored_name, content_type=kind.mime, size_bytes=size,
    )  # fmt: skip
    session.add(receipt)
    session.flush()
    return receipt


def list_for(session: Session, user_id: int, transaction_id: int) -> list[Receipt]:
    transactions.get(session, user_id, transaction_id)
    query = select(Receipt).where(
        Receipt.user_id == user_id, Receipt.transaction_id == transaction_id
    )
    return list(session.scalars(query.order_by(Receipt.id)))


def get(session: Session, user_id: int, receipt_id: int, root: Path) -> tuple[Receipt, Path]:
    receipt = session.get(Receipt, receipt_id)
    if receipt is None or receipt.user_id != user_id:
        raise NotFound("receipt")
    path = _path(root, receipt)
    if not path.is_file():
        raise NotFound("receipt")
    return receipt, path


def delete(session: Session, user_id: int, receipt_id: int, root: Path) -> None:
    receipt = session.get(Receipt, receipt_id)
    if receipt is None or receipt.user_id != user_id:
        raise NotFound("receipt")
    path = _path(root, receipt)
    session.delete(receipt)
    session.flush()
    uploads.remove_after_commit(session, path)  # kept if the delete does not commit
