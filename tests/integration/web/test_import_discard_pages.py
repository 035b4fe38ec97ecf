"""Ada changes her mind about an import: she discards it from its page, and its bank file goes
with it. A finished import leaves no file behind; one she forgot expires and says so."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy import update
from tests.integration.web.story import rows_in
from tests.integration.web.test_import_pages import CSV, MAPPING, batch_id_from, commit, upload

from finance_tracker.jobs.uploads import clean_uploads
from finance_tracker.store.models import ImportBatch, utcnow


@pytest.fixture
def uploads(app):  # type: ignore[no-untyped-def]
    return app.extensions["finance_tracker"].settings.uploads / "imports"


def files_in(folder) -> list[str]:  # type: ignore[no-untyped-def]
    return [path.name for path in folder.iterdir()] if folder.exists() else []


def discard_button(page: str, batch_id: int) -> str:
    """The Discard form of an import's page, with the question asked before it is sent."""
    start = page.index(f'action="/imports/{batch_id}/discard"')
    form = page[page.rindex("<form", 0, start) : page.index("</form>", start)]
    assert 'method="post"' in form and 'name="csrf_token"' in form
    assert ">Discard</button>" in form
    return html.unescape(form)


def set_status(db, batch_id: int, status: str) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        session.get(ImportBatch, batch_id).status = status


def test_ada_discards_an_import_she_will_not_finish(ada, db, uploads):
    checking = ada.open_account("Checking")
    batch = batch_id_from(upload(ada, checking, CSV, "wrong-month.csv"))
    assert len(files_in(uploads)) == 1

    mapping = ada.page(f"/imports/{batch}/mapping")
    form = discard_button(mapping, batch)
    assert 'data-confirm="Discard the import of “wrong-month.csv”?' in form
    response = ada.post(f"/imports/{batch}/discard", form_url=f"/imports/{batch}/mapping")
    assert response.status_code == 302 and response.headers["Location"] == "/imports/"

    listing = ada.page("/imports/")
    assert "“wrong-month.csv” discarded: nothing was imported from it." in listing
    assert 'class="file-name"' not in listing  # no longer among her recent imports
    assert rows_in(db, ImportBatch) == 0 and files_in(uploads) == []
    assert ada.get(f"/imports/{batch}/preview").status_code == 404


def test_the_preview_and_a_failed_import_offer_discard_and_a_finished_one_does_not(
    ada, db, uploads
):
    checking = ada.open_account("Checking")
    batch = batch_id_from(upload(ada, checking, CSV))
    ada.post(f"/imports/{batch}/mapping", MAPPING, form_url=f"/imports/{batch}/mapping")
    discard_button(ada.page(f"/imports/{batch}/preview"), batch)

    set_status(db, batch, "failed")  # as a crashed job leaves it: the file is kept to retry
    failed = ada.page(f"/imports/{batch}")
    assert "Import failed" in failed and "Back to the preview" in failed
    discard_button(failed, batch)
    assert len(files_in(uploads)) == 1

    ada.page(f"/imports/{batch}/preview")  # previewed again
    assert commit(ada, batch)["status"] == "done"
    finished = ada.page(f"/imports/{batch}")
    assert "4 new transactions added" in finished
    assert f"/imports/{batch}/discard" not in finished
    assert files_in(uploads) == []  # the rows are in the account: the file is not needed


def test_a_running_or_finished_import_is_not_discarded(ada, db, uploads):
    checking = ada.open_account("Checking")
    batch = batch_id_from(upload(ada, checking, CSV))
    for status, reason in [
        ("running", "Not discarded: this import is running: wait until it has finished."),
        ("done", "Not discarded: this import is done: its transactions are in the account"),
    ]:
        set_status(db, batch, status)
        response = ada.post(f"/imports/{batch}/discard", form_url="/imports/")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/imports/{batch}"
        assert reason in html.unescape(ada.page(f"/imports/{batch}"))
        assert rows_in(db, ImportBatch) == 1 and len(files_in(uploads)) == 1


def test_bob_cannot_discard_adas_import(ada, bob, db, uploads):
    checking = ada.open_account("Checking")
    batch = batch_id_from(upload(ada, checking, CSV))
    response = bob.post(f"/imports/{batch}/discard", form_url="/imports/")
    assert response.status_code == 404
    assert rows_in(db, ImportBatch) == 1 and len(files_in(uploads)) == 1


def test_a_forgotten_import_expires_says_why_and_can_only_be_discarded(ada, app, db, uploads):
    checking = ada.open_account("Checking")
    batch = batch_id_from(upload(ada, checking, CSV, "september.csv"))
    ada.post(f"/imports/{batch}/mapping", MAPPING, form_url=f"/imports/{batch}/mapping")
    ada.page(f"/imports/{batch}/preview")
    with db.session() as session:
        two_days_ago = utcnow() - dt.timedelta(days=2)
        session.execute(
            update(ImportBatch).where(ImportBatch.id == batch).values(created_at=two_days_ago)
        )
    settings = app.extensions["finance_tracker"].settings
    report = clean_uploads(db, settings.uploads, settings.import_keep_hours)
    assert report.expired_imports == 1 and files_in(uploads) == []

    listing = ada.page("/imports/")
    assert f'href="/imports/{batch}" class="badge status-expired">Expired</a>' in listing
    reason = "the file was removed after 24 hours without being imported: upload it again"
    for page in (f"/imports/{batch}/preview", f"/imports/{batch}/mapping"):
        assert ada.get(page).headers["Location"] == f"/imports/{batch}"
    expired = ada.page(f"/imports/{batch}")
    assert "Import expired" in expired and reason in expired
    assert f'href="/imports/?account_id={checking}" role="button">Upload the file again' in expired

    response = ada.post(f"/imports/{batch}/commit", form_url=f"/imports/{batch}")
    assert response.headers["Location"] == f"/imports/{batch}"
    assert f"Nothing imported: {reason}" in ada.page(f"/imports/{batch}")
    assert ada.get(f"/imports/{batch}/sample?delimiter=comma").status_code == 409
    assert rows_in(db) == 0

    discard_button(expired, batch)
    ada.post(f"/imports/{batch}/discard", form_url=f"/imports/{batch}")
    assert rows_in(db, ImportBatch) == 0
