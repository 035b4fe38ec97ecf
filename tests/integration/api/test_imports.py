"""A person imports a bank statement through the API: upload, confirm the columns, preview,
commit as a job and watch it finish. Everything or nothing, and never the same row twice."""

from __future__ import annotations

import csv
import io
import time

import pytest
from tests.integration.bank_files import OFX
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from finance_tracker.importers import csv_format
from finance_tracker.store.models import CsvMapping, ImportBatch, Transaction

from .conftest import tiny_png
from .helpers import assert_problem

STATEMENT = b"""Date;Description;Amount;Reference
01.10.2026;Landlord;-1.150,00;October rent
03.10.2026;Blue Coffee;-4,50;
03.10.2026;Blue Coffee;-4,50;
25.10.2026;ACME Corp;3.850,00;Salary
"""
NEXT_STATEMENT = b"""Date;Description;Amount;Reference
25.10.2026;ACME Corp;3.850,00;Salary
01.11.2026;Landlord;-1.150,00;November rent
"""
BROKEN = b"""Date,Description,Amount
2026-10-01,Landlord,-1150.00
2026-10-32,Nobody,-1.00
2026-10-03,Blue Coffee,lots
"""


@pytest.fixture
def checking(api) -> dict:
    return api.account("Checking", opening="100.00")


def wait_until_finished(api, batch_id: int, seconds: float = 30) -> dict:  # type: ignore[no-untyped-def]
    """Poll the status as a client would, for a bounded time."""
    deadline = time.monotonic() + seconds
    while True:
        response = api.get(f"/api/v1/imports/{batch_id}")
        assert response.status_code == 200, response.get_json()
        status = response.get_json()
        if status["finished"]:
            return status
        assert time.monotonic() < deadline, f"import still {status['status']} after {seconds} s"
        time.sleep(0.05)


def confirm_detected_settings(api, batch_id: int) -> dict:  # type: ignore[no-untyped-def]
    view = api.get(f"/api/v1/imports/{batch_id}/csv-settings")
    assert view.status_code == 200, view.get_json()
    saved = api.put(f"/api/v1/imports/{batch_id}/csv-settings", json=view.get_json()["settings"])
    assert saved.status_code == 200, saved.get_json()
    return saved.get_json()


def test_a_statement_end_to_end_and_the_same_file_again_adds_nothing(api, checking, count_rows):
    response = api.upload("/api/v1/imports", STATEMENT, "october.csv", account_id=checking["id"])
    assert response.status_code == 201, response.get_json()
    batch = response.get_json()
    assert response.headers["Location"] == f"/api/v1/imports/{batch['id']}"
    assert (batch["status"], batch["format"], batch["filename"]) == (
        "mapping",
        "csv",
        "october.csv",
    )
    assert (batch["account_id"], batch["size_bytes"], batch["finished"]) == (
        checking["id"],
        len(STATEMENT),
        False,
    )

    view = api.get(f"/api/v1/imports/{batch['id']}/csv-settings").get_json()
    assert view["header"] == ["Date", "Description", "Amount", "Reference"]
    assert view["sample"][0] == ["01.10.2026", "Landlord", "-1.150,00", "October rent"]
    detected = view["settings"]
    assert (detected["delimiter"], detected["date_format"], detected["decimal_comma"]) == (
        ";",
        "%d.%m.%Y",
        True,
    )
    assert (detected["date"], detected["payee"], detected["amount"], detected["memo"]) == (
        0,
        1,
        2,
        3,
    )
    saved = api.put(f"/api/v1/imports/{batch['id']}/csv-settings", json=detected)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["settings"] == detected
    assert api.get(f"/api/v1/imports/{batch['id']}").get_json()["status"] == "uploaded"
    assert count_rows(CsvMapping) == 1  # kept for the account's next statement

    preview = api.get(f"/api/v1/imports/{batch['id']}/preview?limit=2")
    assert preview.status_code == 200, preview.get_json()
    result = preview.get_json()
    assert (result["total"], result["new"], result["duplicates"], result["invalid"]) == (4, 4, 0, 0)
    assert result["problems"] == []
    first = result["sample"][0]
    assert (first["line"], first["date"], first["payee"], first["memo"]) == (
        2,
        "2026-10-01",
        "Landlord",
        "October rent",
    )
    assert (first["amount"], first["amount_minor"], first["kind"], first["status"]) == (
        "-1150.00",
        -115000,
        "expense",
        "new",
    )
    assert len(result["sample"]) == 2
    assert count_rows(Transaction) == 0  # a preview writes no transaction

    committed = api.post(f"/api/v1/imports/{batch['id']}/commit")
    assert committed.status_code == 202, committed.get_json()
    assert committed.headers["Location"] == f"/api/v1/imports/{batch['id']}"
    assert committed.get_json()["status"] in ("queued", "running", "done")
    done = wait_until_finished(api, batch["id"])
    assert (done["status"], done["error"]) == ("done", None)
    assert (done["total_rows"], done["done_rows"], done["new_rows"], done["duplicate_rows"]) == (
        4,
        4,
        4,
        0,
    )
    assert done["finished_at"] and done["started_at"]
    assert count_rows(Transaction) == 4
    balance = api.get(f"/api/v1/accounts/{checking['id']}").get_json()["balance"]
    assert balance == "2791.00"  # 100 - 1150 - 4.50 - 4.50 + 3850
    assert_problem(api.post(f"/api/v1/imports/{batch['id']}/commit"), 409)
    assert_problem(api.get(f"/api/v1/imports/{batch['id']}/preview"), 409)
    assert_problem(api.put(f"/api/v1/imports/{batch['id']}/csv-settings", json=detected), 409)

    again = api.start_import(checking["id"], STATEMENT, "october.csv")
    assert api.get(f"/api/v1/imports/{again['id']}/csv-settings").get_json()["settings"] == (
        detected  # the account's mapping from last time
    )
    confirm_detected_settings(api, again["id"])
    repeat = api.get(f"/api/v1/imports/{again['id']}/preview").get_json()
    assert (repeat["new"], repeat["duplicates"]) == (0, 4)
    assert {row["status"] for row in repeat["sample"]} == {"duplicate"}
    assert api.post(f"/api/v1/imports/{again['id']}/commit").status_code == 202
    assert wait_until_finished(api, again["id"])["new_rows"] == 0
    assert count_rows(Transaction) == 4

    overlap = api.start_import(checking["id"], NEXT_STATEMENT, "november.csv")
    confirm_detected_settings(api, overlap["id"])
    assert api.get(f"/api/v1/imports/{overlap['id']}/preview").get_json()["new"] == 1
    assert api.post(f"/api/v1/imports/{overlap['id']}/commit").status_code == 202
    assert wait_until_finished(api, overlap["id"])["new_rows"] == 1
    assert count_rows(Transaction) == 5

    recent = api.get("/api/v1/imports").get_json()["items"]
    assert [item["id"] for item in recent] == [overlap["id"], again["id"], batch["id"]]
    assert [item["id"] for item in api.get("/api/v1/imports?limit=1").get_json()["items"]] == [
        overlap["id"]
    ]


def test_an_invalid_row_blocks_the_commit_and_nothing_is_written(api, checking, count_rows):
    batch = api.start_import(checking["id"], BROKEN, "broken.csv")
    confirm_detected_settings(api, batch["id"])
    result = api.get(f"/api/v1/imports/{batch['id']}/preview").get_json()
    assert (result["total"], result["new"], result["invalid"]) == (3, 1, 2)
    assert [p["line"] for p in result["problems"]] == [3, 4]
    assert "2026-10-32" in result["problems"][0]["message"]
    assert "lots" in result["problems"][1]["message"]
    problem = assert_problem(api.post(f"/api/v1/imports/{batch['id']}/commit"), 409)
    assert "2 rows are invalid" in problem["detail"]
    assert api.get(f"/api/v1/imports/{batch['id']}").get_json()["status"] == "previewed"
    assert count_rows(Transaction) == 0


def test_an_ofx_file_needs_no_mapping_and_is_ready_to_commit(api, checking, count_rows):
    batch = api.start_import(checking["id"], OFX, "statement.ofx")
    assert (batch["format"], batch["status"], batch["total_rows"]) == ("ofx", "previewed", 2)
    assert_problem(api.get(f"/api/v1/imports/{batch['id']}/csv-settings"), 409)
    assert_problem(api.put(f"/api/v1/imports/{batch['id']}/csv-settings", json={}), 409)
    assert api.post(f"/api/v1/imports/{batch['id']}/commit").status_code == 202
    assert wait_until_finished(api, batch["id"])["new_rows"] == 2
    assert count_rows(Transaction) == 2


def test_commit_before_the_preview_is_refused(api, checking, count_rows):
    batch = api.start_import(checking["id"], STATEMENT)
    problem = assert_problem(api.post(f"/api/v1/imports/{batch['id']}/commit"), 409)
    assert "preview" in problem["detail"]
    assert_problem(api.get(f"/api/v1/imports/{batch['id']}/preview"), 409)  # columns first
    confirm_detected_settings(api, batch["id"])
    assert_problem(api.post(f"/api/v1/imports/{batch['id']}/commit"), 409)
    assert count_rows(Transaction) == 0


def test_a_file_larger_than_the_json_limit_is_taken_as_an_upload(api, app, checking):
    json_limit = app.extensions["finance_tracker"].settings.api_max_body_bytes
    rows = b"".join(b"2026-10-%02d,Shop %d,-1.00\n" % (1 + n % 28, n) for n in range(60_000))
    big = b"Date,Description,Amount\n" + rows
    assert len(big) > json_limit
    batch = api.start_import(checking["id"], big, "year.csv")
    assert (batch["status"], batch["size_bytes"]) == ("mapping", len(big))


@pytest.mark.parametrize("over", [1, 200_000], ids=["just-over", "far-over"])
def test_a_file_over_the_import_limit_is_refused(api, app, checking, count_rows, over):
    app.extensions["finance_tracker"].settings.import_max_bytes = 4096
    content = b"Date,Description,Amount\n" + b"2026-10-01,x,-1.00\n" * ((4096 + over) // 19)
    response = api.upload("/api/v1/imports", content, "big.csv", account_id=checking["id"])
    if over == 1:
        assert "larger than" in assert_problem(response, 422, "file")["errors"]["file"]
    else:
        assert_problem(response, 413)
    assert count_rows(ImportBatch) == 0


@pytest.mark.parametrize(
    ("content", "fields", "field"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, {}, "file"),  # a Windows executable named .csv
        (tiny_png(), {}, "file"),
        (b"", {}, "file"),
        (b"\x00\x01\x02 binary", {}, "file"),
        (STATEMENT, {"account_id": "999999"}, "account_id"),
        (STATEMENT, {"account_id": "abc"}, "account_id"),
        (STATEMENT, {"account_id": None}, "account_id"),
        (STATEMENT, {"colour": "red"}, "colour"),
    ],
    ids=[
        "exe",
        "png",
        "empty",
        "binary",
        "unknown-account",
        "bad-id",
        "no-account",
        "extra",
    ],
)
def test_bad_uploads_are_422s_and_leave_nothing(
    api, app, checking, count_rows, content, fields, field
):
    values = {"account_id": checking["id"], **fields}
    values = {k: v for k, v in values.items() if v is not None}
    response = api.upload("/api/v1/imports", content, "statement.csv", **values)
    assert_problem(response, 422, field)
    assert count_rows(ImportBatch) == 0
    uploads = app.extensions["finance_tracker"].settings.uploads / "imports"
    assert not uploads.exists() or not list(uploads.iterdir())  # no file left behind


def test_a_csv_field_past_the_reader_s_limit_is_a_422_not_a_500(api, checking, count_rows):
    # The reader's limit is process-wide, and lowered once any import has been read.
    csv.field_size_limit(csv_format.MAX_FIELD)
    content = b'Date,Payee,Amount\n2026-01-01,"' + b"x" * 20_000 + b'",-1.00\n'
    response = api.upload("/api/v1/imports", content, "long.csv", account_id=checking["id"])
    assert "cannot be read as CSV" in assert_problem(response, 422, "file")["errors"]["file"]
    assert count_rows(ImportBatch) == 0


def test_an_upload_needs_a_multipart_body_with_a_file(api, checking, count_rows):
    as_json = api.post("/api/v1/imports", json={"account_id": checking["id"]})
    assert_problem(as_json, 415)
    no_file = api.request(
        "POST",
        "/api/v1/imports",
        data={"account_id": str(checking["id"]), "file": "not a file"},
        content_type="multipart/form-data",
    )
    assert_problem(no_file, 422, "file")
    assert_problem(api.post("/api/v1/imports"), 422, "file")  # an export needs no account
    assert count_rows(ImportBatch) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"payee": None}, "payee"),
        ({"date": None}, "date"),
        ({"amount": None}, "amount"),
        ({"debit": 2}, "amount"),  # an amount column and debit/credit: one or the other
        ({"delimiter": "#"}, "delimiter"),
        ({"date_format": "%s"}, "date_format"),
        ({"encoding": "klingon"}, "encoding"),
        ({"encoding": "rot13"}, "encoding"),
        ({"skip_rows": -1}, "skip_rows"),
        ({"date": 500}, "date"),
        ({"date": "0"}, "date"),
        ({"has_header": "maybe"}, "has_header"),
    ],
)
def test_bad_csv_settings_are_refused_and_not_saved(api, checking, count_rows, changes, field):
    batch = api.start_import(checking["id"], STATEMENT)
    settings = api.get(f"/api/v1/imports/{batch['id']}/csv-settings").get_json()["settings"]
    response = api.put(f"/api/v1/imports/{batch['id']}/csv-settings", json=settings | changes)
    assert_problem(response, 422, field)
    assert api.get(f"/api/v1/imports/{batch['id']}").get_json()["status"] == "mapping"
    assert count_rows(CsvMapping) == 0


def test_another_user_s_import_or_account_is_unknown(api, other_api, checking, count_rows):
    bob_account = other_api.account("Bob's checking")
    theirs = other_api.start_import(bob_account["id"], STATEMENT, "bob-secret.csv")
    response = api.upload("/api/v1/imports", STATEMENT, "x.csv", account_id=bob_account["id"])
    assert_problem(response, 422, "account_id")
    base = f"/api/v1/imports/{theirs['id']}"
    for answer in (
        api.get(base),
        api.get(f"{base}/csv-settings"),
        api.put(f"{base}/csv-settings", json={}),
        api.get(f"{base}/preview"),
        api.post(f"{base}/commit"),
    ):
        assert "bob-secret" not in str(assert_problem(answer, 404))
    assert api.get("/api/v1/imports").get_json()["items"] == []
    assert other_api.get(base).get_json()["status"] == "mapping"


def chunked_upload(api, content: bytes, account_id: int):  # type: ignore[no-untyped-def]
    """A multipart upload streamed without a Content-Length, as a proxy may forward it."""
    boundary, body = encode_multipart(
        {
            "account_id": str(account_id),
            "file": FileStorage(io.BytesIO(content), filename="streamed.csv"),
        }
    )
    return api.request(
        "POST",
        "/api/v1/imports",
        input_stream=io.BytesIO(body),
        content_type=f"multipart/form-data; boundary={boundary}",
        environ_overrides={
            "CONTENT_LENGTH": "",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "wsgi.input_terminated": True,
        },
    )


def test_a_streamed_upload_is_measured_against_the_import_limit(api, app, checking, count_rows):
    rows = b"".join(b"2026-10-%02d,Shop %d,-1.00\n" % (1 + n % 28, n) for n in range(60_000))
    big = b"Date,Description,Amount\n" + rows  # over the 1 MB of a JSON body
    response = chunked_upload(api, big, checking["id"])
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["size_bytes"] == len(big)
    app.extensions["finance_tracker"].settings.import_max_bytes = 4096
    assert_problem(chunked_upload(api, big, checking["id"]), 413)
    assert count_rows(ImportBatch) == 1


def test_an_upload_without_a_token_is_turned_away_before_it_is_read(client, checking):
    response = client.post(
        "/api/v1/imports",
        data={"account_id": str(checking["id"]), "file": (io.BytesIO(STATEMENT), "x.csv")},
        content_type="multipart/form-data",
    )
    assert_problem(response, 401)
