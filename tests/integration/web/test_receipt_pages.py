"""Ada keeps the receipt of a purchase with its transaction: attaches a photo and a PDF, opens
them, deletes one. Only images and PDFs are kept, and only Ada ever gets them back."""

from __future__ import annotations

import re

from tests.integration.web.story import form_errors, rows_in

from finance_tracker.store.models import Receipt

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde" + b"\x00" * 64
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach(person, transaction_id: int, content: bytes, filename: str):  # type: ignore[no-untyped-def]
    edit = f"/transactions/{transaction_id}/edit"
    return person.upload(
        f"/transactions/{transaction_id}/receipts", content, filename, form_url=edit
    )


def receipt_links(page: str) -> list[str]:
    return re.findall(r'href="(/transactions/\d+/receipts/\d+)"', page)


def stored_files(app) -> list:  # type: ignore[no-untyped-def]
    folder = app.extensions["finance_tracker"].settings.uploads / "receipts"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_photo_and_a_pdf_are_attached_opened_and_deleted(ada, bob, app):
    checking = ada.open_account("Checking")
    purchase = ada.add_ok(account_id=checking, amount="12", payee="Hardware store")
    edit = f"/transactions/{purchase}/edit"
    assert "No receipts yet" in ada.page(edit)

    response = attach(ada, purchase, PNG, "../../etc/passwd.png")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{edit}#receipts"
    response = attach(ada, purchase, PDF, "Rechnung März.pdf")
    assert response.status_code == 302
    page = ada.page(edit)
    assert "Receipt attached." in page
    assert "passwd.png" in page and "../" not in page
    assert "PNG image" in page and "PDF" in page and f"{len(PNG)} bytes" in page
    image_url, pdf_url = receipt_links(page)

    image = ada.get(image_url)
    assert image.status_code == 200 and image.get_data() == PNG
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Disposition"] == "inline; filename=passwd.png"
    assert "sandbox" in image.headers["Content-Security-Policy"]
    assert image.headers["Cache-Control"] == "no-store"
    image.close()
    pdf = ada.get(pdf_url)
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.get_data() == PDF
    assert pdf.headers["Content-Disposition"] == "attachment; filename=Rechnung_Marz.pdf"
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"
    pdf.close()

    # Bob gets nothing: not the file, not the list, not a delete.
    assert bob.get(image_url).status_code == 404
    assert bob.get(edit).status_code == 404
    response = bob.post(f"{pdf_url}/delete", form_url="/settings/")
    assert response.status_code == 404
    assert len(stored_files(app)) == 2

    # A receipt's URL under another of Ada's transactions finds nothing either.
    other = ada.add_ok(account_id=checking, amount="1", payee="Other")
    receipt_id = image_url.rsplit("/", 1)[1]
    assert ada.get(f"/transactions/{other}/receipts/{receipt_id}").status_code == 404

    response = ada.post(f"{pdf_url}/delete", form_url=edit)
    assert response.status_code == 302
    page = ada.page(edit)
    assert "Receipt deleted." in page and receipt_links(page) == [image_url]
    assert ada.get(pdf_url).status_code == 404
    assert len(stored_files(app)) == 1


def test_anything_but_an_image_or_a_pdf_is_refused(ada, db, app):
    checking = ada.open_account("Checking")
    purchase = ada.add_ok(account_id=checking, amount="12", payee="Shop")
    for content, name in (
        (b"plain text, not an image", "receipt.pdf"),
        (b"MZ\x90\x00" + b"\x00" * 200, "receipt.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "r.svg"),
    ):
        response = attach(ada, purchase, content, name)
        assert response.status_code == 422, name
        page = response.get_data(as_text=True)
        assert any(
            e.startswith("attach a JPEG, PNG, WebP, GIF, HEIC image or a PDF")
            for e in form_errors(page)
        ), form_errors(page)
        assert "Hardware" not in page and 'value="Shop"' in page  # the edit page, as saved
    response = ada.browser.submit(
        f"/transactions/{purchase}/edit", {}, action=f"/transactions/{purchase}/receipts"
    )
    assert response.status_code == 422
    assert "choose a photo or a PDF of the receipt" in form_errors(response.get_data(as_text=True))
    assert rows_in(db, Receipt) == 0 and stored_files(app) == []


def test_a_receipt_over_the_limit_is_refused_with_a_friendly_message(ada, db, app):
    app.extensions["finance_tracker"].settings.receipt_max_bytes = 100 * 1024
    checking = ada.open_account("Checking")
    purchase = ada.add_ok(account_id=checking, amount="12", payee="Shop")
    response = attach(ada, purchase, PNG + b"\x00" * 400_000, "huge.png")
    assert response.status_code == 413
    assert "the file is larger than 100 kB, the most a receipt may be" in form_errors(
        response.get_data(as_text=True)
    )
    response = attach(ada, purchase, PNG + b"\x00" * 110_000, "a-bit-large.png")
    assert response.status_code == 422
    assert rows_in(db, Receipt) == 0 and stored_files(app) == []
