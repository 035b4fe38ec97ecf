"""A client discards an import it will not commit (DELETE), and its bank file goes with it. A
finished import leaves no file; one left unfinished too long expires and says why."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from finance_tracker.jobs import queue
from finance_tracker.jobs.uploads import clean_uploads
from finance_tracker.store.models import ImportBatch, Transaction, utcnow

from .helpers import assert_problem
from .test_imports import OFX, STATEMENT, confirm_detected_settings, wait_until_finished


@pytest.fixture
def checking(api) -> dict:
    return api.account("Checking", opening="100.00")


@pytest.fixture
def bank_files(app):  # type: ignore[no-untyped-def]
    """The names of the bank files kept under UPLOAD_DIR."""
    folder = app.extensions["finance_tracker"].settings.uploads / "imports"
    return lambda: sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def set_status(db, batch_id: int, status: str) -> None:  # type: ignore[no-untyped-def]
    with db.session() as session:
        session.get(ImportBatch, batch_id).status = status


def test_an_import_not_committed_is_discarded_with_its_file(api, checking, count_rows, bank_files):
    batch = api.start_import(checking["id"], STATEMENT, "wrong-account.csv")
    assert len(bank_files()) == 1
    response = api.delete(f"/api/v1/imports/{batch['id']}")
    assert response.status_code == 204 and response.data == b""
    assert bank_files() == [] and count_rows(ImportBatch) == 0
    assert_problem(api.get(f"/api/v1/imports/{batch['id']}"), 404)
    assert_problem(api.delete(f"/api/v1/imports/{batch['id']}"), 404)  # once is enough


def test_a_previewed_or_failed_import_is_discarded_too(api, db, checking, bank_files):
    previewed = api.start_import(checking["id"], OFX, "export.ofx")
    assert previewed["status"] == "previewed"
    failed = api.start_import(checking["id"], OFX, "export (1).ofx")
    set_status(db, failed["id"], "failed")
    for batch in (previewed, failed):
        assert api.delete(f"/api/v1/imports/{batch['id']}").status_code == 204
    assert bank_files() == []


def test_someone_else_s_import_is_unknown_and_stays(
    api, other_api, checking, count_rows, bank_files
):
    bobs_account = other_api.account("Bob's checking")
    theirs = other_api.start_import(bobs_account["id"], STATEMENT, "bob-secret.csv")
    body = assert_problem(api.delete(f"/api/v1/imports/{theirs['id']}"), 404)
    assert "bob-secret" not in str(body)
    assert other_api.get(f"/api/v1/imports/{theirs['id']}").get_json()["status"] == "mapping"
    assert len(bank_files()) == 1 and count_rows(ImportBatch) == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("running", "this import is running: wait until it has finished"),
        ("done", "this import is done: its transactions are in the account"),
    ],
)
def test_a_running_or_done_import_is_not_discarded(
    api, db, checking, count_rows, bank_files, status, reason
):
    batch = api.start_import(checking["id"], STATEMENT)
    set_status(db, batch["id"], status)
    body = assert_problem(api.delete(f"/api/v1/imports/{batch['id']}"), 409)
    assert reason in body["detail"]
    assert api.get(f"/api/v1/imports/{batch['id']}").get_json()["status"] == status
    assert len(bank_files()) == 1 and count_rows(ImportBatch) == 1


def test_a_finished_import_leaves_no_file(api, checking, bank_files):
    batch = api.start_import(checking["id"], STATEMENT)
    confirm_detected_settings(api, batch["id"])
    assert api.get(f"/api/v1/imports/{batch['id']}/preview").status_code == 200
    assert api.post(f"/api/v1/imports/{batch['id']}/commit").status_code == 202
    assert wait_until_finished(api, batch["id"])["status"] == "done"
    queue._threads.submit(lambda: None).result(timeout=30)  # the job's thread is over
    assert bank_files() == []


def test_an_expired_import_answers_why_on_preview_and_commit(
    api, app, db, checking, count_rows, bank_files
):
    batch = api.start_import(checking["id"], STATEMENT, "september.csv")
    confirm_detected_settings(api, batch["id"])
    assert api.get(f"/api/v1/imports/{batch['id']}/preview").status_code == 200
    with db.session() as session:
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch["id"])
            .values(created_at=utcnow() - dt.timedelta(hours=25))
        )
    settings = app.extensions["finance_tracker"].settings
    assert clean_uploads(db, settings.uploads, settings.import_keep_hours).expired_imports == 1
    assert bank_files() == []

    status = api.get(f"/api/v1/imports/{batch['id']}").get_json()
    reason = (
        "the file was removed after 24 hours without being imported: upload it again to import it"
    )
    assert (status["status"], status["finished"], status["error"]) == ("expired", True, reason)
    base = f"/api/v1/imports/{batch['id']}"
    for answer in (
        api.get(f"{base}/preview"),
        api.post(f"{base}/commit"),
        api.get(f"{base}/csv-settings"),
    ):
        assert assert_problem(answer, 409)["detail"] == reason
    assert count_rows(Transaction) == 0
    assert api.delete(base).status_code == 204  # what is left to do with it


def test_the_spec_documents_the_discard(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/imports/{import_id}"]["delete"]
    assert operation["summary"] == "Discard an import that was not committed, and its file"
    assert {"204", "401", "403", "404", "409"} <= operation["responses"].keys()
    statuses = spec["components"]["schemas"]["ImportStatus"]["properties"]["status"]["enum"]
    assert "expired" in statuses
