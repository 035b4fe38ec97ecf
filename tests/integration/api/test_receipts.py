"""A person attaches a photo of a receipt to a transaction and gets it back; nobody else can,
and a file that is not an image or a PDF is refused whatever its name says."""

from __future__ import annotations

import pytest

from finance_tracker.store.models import Receipt

from .conftest import tiny_png
from .helpers import assert_problem

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def expense(api) -> dict:
    wallet = api.account("Wallet", opening="50.00")
    return api.transaction(
        kind="expense", account_id=wallet["id"], date="2026-03-03", amount="12.30", payee="Cafe"
    )


def receipts_url(transaction: dict) -> str:
    return f"/api/v1/transactions/{transaction['id']}/receipts"


def test_attach_list_download_and_delete_a_receipt(api, app, expense, count_rows):
    png = tiny_png()
    response = api.upload(receipts_url(expense), png, "../../etc/Lunch receipt.png")
    assert response.status_code == 201, response.get_json()
    receipt = response.get_json()
    assert receipt == {
        "id": receipt["id"],
        "transaction_id": expense["id"],
        "filename": "Lunch receipt.png",  # no folders, ever
        "content_type": "image/png",
        "size_bytes": len(png),
        "url": f"/api/v1/receipts/{receipt['id']}",
        "created_at": receipt["created_at"],
    }
    pdf = api.upload(receipts_url(expense), PDF, "invoice.PNG").get_json()
    assert pdf["content_type"] == "application/pdf"  # the content decides, not the name

    listed = api.get(receipts_url(expense)).get_json()
    assert [item["id"] for item in listed["items"]] == [receipt["id"], pdf["id"]]

    download = api.get(receipt["url"])
    assert download.status_code == 200
    assert download.data == png
    assert download.mimetype == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"] == "attachment; filename=Lunch_receipt.png"
    assert download.headers["Cache-Control"] == "no-store"
    named = api.get(pdf["url"])
    assert (named.mimetype, named.headers["Content-Disposition"]) == (
        "application/pdf",
        "attachment; filename=invoice.pdf",
    )

    assert api.delete(receipt["url"]).status_code == 204
    assert_problem(api.get(receipt["url"]), 404)
    assert_problem(api.delete(receipt["url"]), 404)
    assert count_rows(Receipt) == 1
    stored = app.extensions["finance_tracker"].settings.uploads / "receipts"
    assert len(list(stored.iterdir())) == 1  # the deleted one's file is gone too


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 300, "receipt.png"),  # a Windows executable in disguise
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 300, "receipt.jpg"),
        (b"<html><script>alert(1)</script></html>", "receipt.pdf"),
        (b"", "empty.png"),
    ],
    ids=["exe", "elf", "html", "empty"],
)
def test_anything_but_an_image_or_a_pdf_is_refused(api, app, expense, count_rows, content, name):
    response = api.upload(receipts_url(expense), content, name)
    assert_problem(response, 422, "file")
    assert count_rows(Receipt) == 0
    stored = app.extensions["finance_tracker"].settings.uploads / "receipts"
    assert not stored.exists() or not list(stored.iterdir())


def test_a_receipt_over_the_limit_is_refused(api, app, expense, count_rows):
    app.extensions["finance_tracker"].settings.receipt_max_bytes = 2048
    big = tiny_png() + b"\x00" * 4096
    assert_problem(api.upload(receipts_url(expense), big, "big.png"), 422, "file")
    huge = tiny_png() + b"\x00" * 200_000  # beyond the limit and the form around it
    assert_problem(api.upload(receipts_url(expense), huge, "huge.png"), 413)
    assert count_rows(Receipt) == 0


def test_an_upload_must_be_multipart_with_a_file(api, expense, count_rows):
    assert_problem(api.post(receipts_url(expense), json={"file": "x"}), 415)
    assert_problem(api.post(receipts_url(expense)), 422, "file")
    assert count_rows(Receipt) == 0


def test_a_split_line_or_a_missing_transaction_takes_no_receipt(api, expense):
    assert_problem(api.upload("/api/v1/transactions/999999/receipts", tiny_png(), "r.png"), 404)
    assert_problem(api.get("/api/v1/transactions/999999/receipts"), 404)


def test_another_user_s_transaction_or_receipt_is_not_found(api, other_api, expense, count_rows):
    wallet = other_api.account("Bob's wallet")
    theirs = other_api.transaction(
        kind="expense", account_id=wallet["id"], date="2026-03-03", amount="1", payee="Bob"
    )
    secret = other_api.upload(receipts_url(theirs), tiny_png(), "bob-secret.png").get_json()
    assert_problem(api.upload(receipts_url(theirs), tiny_png(), "mine.png"), 404)
    assert_problem(api.get(receipts_url(theirs)), 404)
    for response in (api.get(secret["url"]), api.delete(secret["url"])):
        assert "bob-secret" not in str(assert_problem(response, 404))
    assert other_api.get(secret["url"]).data == tiny_png()
    assert count_rows(Receipt, api.user_id) == 0
