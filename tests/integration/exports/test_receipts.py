"""Receipts: images and PDFs by content, stored safely, only for their owner."""

import datetime as dt
import io

import pytest

from finance_tracker.services import receipts, transactions
from finance_tracker.services.errors import InvalidInput, NotFound
from finance_tracker.services.transactions import TransactionInput

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    + b"\x00" * 64
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def purchase(db, person):
    with db.session() as s:
        return transactions.create(
            s,
            person.id,
            TransactionInput("expense", person.checking, dt.date(2026, 11, 3), "12", "Shop"),
        ).id


def test_an_image_and_a_pdf_are_kept_and_served_only_to_their_owner(
    db, person, stranger, purchase, tmp_path
):
    with db.session() as s:
        image = receipts.attach(
            s, person.id, purchase, tmp_path, io.BytesIO(PNG), "../../etc/passwd.png", 1024 * 1024
        )
        pdf = receipts.attach(
            s, person.id, purchase, tmp_path, io.BytesIO(PDF), "bill.pdf", 1024 * 1024
        )
    with db.session() as s:
        assert [r.content_type for r in receipts.list_for(s, person.id, purchase)] == [
            "image/png",
            "application/pdf",
        ]
        found, path = receipts.get(s, person.id, image.id, tmp_path)
        assert found.filename == "passwd.png" and path.read_bytes() == PNG
        assert path.parent == tmp_path / "receipts"
        with pytest.raises(NotFound):
            receipts.get(s, stranger.id, image.id, tmp_path)
        with pytest.raises(NotFound):
            receipts.list_for(s, stranger.id, purchase)
    with db.session() as s:
        receipts.delete(s, person.id, pdf.id, tmp_path)
    assert len(list((tmp_path / "receipts").iterdir())) == 1


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, "receipt.png"),
        (b"plain text, not an image", "receipt.pdf"),
        (b"PK\x03\x04" + b"\x00" * 100, "r.jpg"),
    ],
)
def test_other_content_is_refused_whatever_its_name(db, person, purchase, tmp_path, content, name):
    with db.session() as s, pytest.raises(InvalidInput):
        receipts.attach(s, person.id, purchase, tmp_path, io.BytesIO(content), name, 1024 * 1024)
    assert list((tmp_path / "receipts").iterdir()) == []


def test_a_receipt_over_the_size_limit_is_refused(db, person, purchase, tmp_path):
    with db.session() as s, pytest.raises(InvalidInput, match="larger than"):
        receipts.attach(
            s,
            person.id,
            purchase,
            tmp_path,
            io.BytesIO(PNG + b"\x00" * (2 * 1024 * 1024)),
            "big.png",
            1024 * 1024,
        )
