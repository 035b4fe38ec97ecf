"""Ada imports her bank's statements: upload, check the columns, preview, import, watch it finish.
A file imported twice adds nothing; a bad file or a bad row is refused with the reason."""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
from tests.integration.bank_files import CSV, OFX, QIF
from tests.integration.web.story import form_errors, rows_in

from finance_tracker.jobs import queue
from finance_tracker.services import rules
from finance_tracker.services.rules import RuleInput
from finance_tracker.store.models import ImportBatch

MAPPING = {
    "delimiter": "comma", "encoding": "utf-8-sig", "skip_rows": "0", "has_header": "y",
    "date_format": "%Y-%m-%d", "amount_mode": "single", "date": "0", "payee": "1",
    "amount": "2", "memo": "", "debit": "", "credit": "",
}  # fmt: skip


def upload(person, account_id: int, content: bytes, filename: str = "statement.csv"):  # type: ignore[no-untyped-def]
    return person.upload(
        "/imports/", content, filename, form_url="/imports/", account_id=account_id
    )


def batch_id_from(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, form_errors(response.get_data(as_text=True))
    return int(re.search(r"/imports/(\d+)", response.headers["Location"]).group(1))


def wait_until_finished(person, batch_id: int, timeout: float = 60) -> dict:  # type: ignore[no-untyped-def]
    """Poll the status endpoint as the progress page does, for a bounded time."""
    deadline = time.monotonic() + timeout
    while True:
        response = person.get(f"/imports/{batch_id}/status")
        assert response.status_code == 200 and response.is_json
        state = response.get_json()
        if state["finished"]:
            break
        assert time.monotonic() < deadline, f"the import did not finish: {state}"
        time.sleep(0.05)
    # The job's thread tidies up after marking the import done: let it finish before the test
    # ends (one worker thread, so this runs once the job is over).
    queue._threads.submit(lambda: None).result(timeout=timeout)
    return state


def commit(person, batch_id: int):  # type: ignore[no-untyped-def]
    response = person.post(f"/imports/{batch_id}/commit", form_url=f"/imports/{batch_id}/preview")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/imports/{batch_id}"
    return wait_until_finished(person, batch_id)


def count(html: str, name: str) -> int:
    return int(re.search(rf'data-count="{name}">(\d+)<', html).group(1))


def test_a_csv_is_mapped_previewed_imported_and_a_second_time_adds_nothing(ada, db):
    checking = ada.open_account("Checking", opening="100")
    batch = batch_id_from(upload(ada, checking, CSV))

    mapping = ada.page(f"/imports/{batch}/mapping")
    assert "statement.csv" in mapping and "Checking" in mapping
    assert '<option selected value="0">1: Date</option>' in mapping  # the guesses, by name
    assert '<option selected value="1">2: Description</option>' in mapping
    assert '<option selected value="2">3: Amount</option>' in mapping
    assert "Landlord" in mapping and "-€1,150.00" in mapping  # the live preview's first rows
    assert 'data-sample-rows="4"' in mapping

    # The live preview reads the rows with the settings as they are on the form, unsaved.
    flipped = ada.page(f"/imports/{batch}/sample?" + "&".join(
        f"{k}={quote(v)}" for k, v in {**MAPPING, "negate": "y"}.items()
    ))  # fmt: skip
    assert "+€1,150.00" in flipped and "<html" not in flipped
    no_date = ada.page(f"/imports/{batch}/sample?delimiter=comma&payee=1&amount=2")
    assert "Date: choose the date column" in no_date

    # Without JavaScript, "Update preview" shows the same without saving anything.
    response = ada.post(
        f"/imports/{batch}/mapping", {**MAPPING, "negate": "y", "update_preview": "1"},
        form_url=f"/imports/{batch}/mapping",
    )  # fmt: skip
    assert response.status_code == 200 and "+€1,150.00" in response.get_data(as_text=True)
    with db.session() as session:
        assert session.get(ImportBatch, batch).status == "mapping"

    response = ada.post(f"/imports/{batch}/mapping", MAPPING, form_url=f"/imports/{batch}/mapping")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/imports/{batch}/preview"

    preview = ada.page(f"/imports/{batch}/preview")
    assert (count(preview, "new"), count(preview, "duplicates"), count(preview, "invalid")) == (
        4, 0, 0,
    )  # fmt: skip
    assert "Import 4 new transactions</button>" in preview
    assert preview.count('<tr data-status="new">') == 4

    state = commit(ada, batch)
    assert state["status"] == "done" and state["done"] == state["total"] == 4
    assert state["new"] == 4 and state["error"] is None
    assert state["transactions_url"] == f"/transactions/?account_id={checking}"
    finished = ada.page(f"/imports/{batch}")
    assert "4 new transactions added" in finished
    assert f'href="/transactions/?account_id={checking}"' in finished
    assert rows_in(db) == 4
    listing = ada.page(f"/transactions/?account_id={checking}")
    assert "4 transactions" in listing and "Blue Coffee" in listing
    assert "Done" in ada.page("/imports/")

    # The same file again: the account's mapping is remembered, and nothing is new.
    again = batch_id_from(upload(ada, checking, CSV, "statement (1).csv"))
    assert '<option selected value="2">3: Amount</option>' in ada.page(f"/imports/{again}/mapping")
    ada.post(f"/imports/{again}/mapping", MAPPING, form_url=f"/imports/{again}/mapping")
    preview = ada.page(f"/imports/{again}/preview")
    assert (count(preview, "new"), count(preview, "duplicates")) == (0, 4)
    assert "Finish: nothing new to add" in preview
    assert preview.count('<tr data-status="duplicate">') == 4
    state = commit(ada, again)
    assert (state["status"], state["new"], state["duplicates"]) == ("done", 0, 4)
    assert rows_in(db) == 4
    assert "0 new transactions added. 4 already there were skipped." in ada.page(
        f"/imports/{again}"
    )


def test_a_running_import_shows_a_progress_bar_and_a_refresh_link(ada, db):
    checking = ada.open_account("Checking")
    batch = batch_id_from(upload(ada, checking, CSV))
    with db.session() as session:  # as the job leaves it while it runs
        row = session.get(ImportBatch, batch)
        row.status, row.total_rows = "running", 4
    page = ada.page(f"/imports/{batch}")
    assert re.search(r'<progress value="\d" max="4"', page)
    assert f'href="/imports/{batch}" data-refresh>Refresh</a>' in page
    assert f'data-status-url="/imports/{batch}/status"' in page
    assert "<script>" not in page and "http-equiv" not in page
    state = ada.get(f"/imports/{batch}/status").get_json()
    assert (state["status"], state["finished"], state["total"]) == ("running", False, 4)
    assert state["transactions_url"] is None


@pytest.mark.parametrize(
    ("content", "filename"), [(OFX, "export.ofx"), (QIF, "old-bank.qif")]
)  # fmt: skip
def test_ofx_and_qif_go_straight_to_the_preview(ada, db, content, filename):
    checking = ada.open_account("Checking")
    response = upload(ada, checking, content, filename)
    batch = batch_id_from(response)
    assert response.headers["Location"] == f"/imports/{batch}/preview"
    preview = ada.page(f"/imports/{batch}/preview")
    assert (count(preview, "new"), count(preview, "invalid")) == (2, 0)
    assert "Corner Bakery" in preview and "step 2 of 2" in preview
    assert commit(ada, batch)["status"] == "done"
    assert rows_in(db) == 2


def test_a_rule_sets_the_category_shown_in_the_preview(ada, db):
    checking = ada.open_account("Checking")
    coffee = ada.category("Food › Coffee")
    with db.session() as session:
        rules.create(session, ada.user_id, RuleInput("Coffee", "coffee", set_category_id=coffee))
    batch = batch_id_from(upload(ada, checking, CSV))
    ada.post(f"/imports/{batch}/mapping", MAPPING, form_url=f"/imports/{batch}/mapping")
    preview = ada.page(f"/imports/{batch}/preview")
    coffees = re.findall(r'<tr data-status="new">.*?</tr>', preview, re.S)[1:3]
    assert all("Blue Coffee" in row and "Food › Coffee" in row for row in coffees)
    assert all('class="badge rule-badge"' in row for row in coffees)
    assert preview.count("Food › Coffee") == 4  # in its column, and under the payee on a phone


def test_an_invalid_row_is_named_and_the_commit_is_refused_with_nothing_written(ada, db):
    checking = ada.open_account("Checking")
    broken = CSV + b"2026-13-45,Broken,1.00\n"
    batch = batch_id_from(upload(ada, checking, broken))
    ada.post(f"/imports/{batch}/mapping", MAPPING, form_url=f"/imports/{batch}/mapping")
    preview = ada.page(f"/imports/{batch}/preview")
    assert count(preview, "invalid") == 1 and count(preview, "new") == 4
    assert re.search(r"Line 6</span> &#39;2026-13-45&#39; is not a date", preview)
    assert "By default an import adds every row of the file or none of them" in preview
    assert re.search(r'<button type="submit" disabled[^>]*>Import</button>', preview)

    response = ada.post(f"/imports/{batch}/commit", form_url=f"/imports/{batch}/preview")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/imports/{batch}/preview"
    assert "Nothing imported: 1 row is invalid" in ada.page(f"/imports/{batch}/preview")
    with db.session() as session:
        assert session.get(ImportBatch, batch).status == "previewed"
    assert rows_in(db) == 0


def test_the_valid_rows_are_imported_when_the_person_chooses_to_skip_the_invalid_one(ada, db):
    checking = ada.open_account("Checking")
    batch = batch_id_from(upload(ada, checking, CSV + b"2026-13-45,Broken,1.00\n"))
    ada.post(f"/imports/{batch}/mapping", MAPPING, form_url=f"/imports/{batch}/mapping")
    chosen = ada.post(
        f"/imports/{batch}/options",
        {"skip_invalid": "on", "create_categories": "on"},
        form_url=f"/imports/{batch}/preview",
    )
    assert chosen.headers["Location"] == f"/imports/{batch}/preview"
    preview = ada.page(f"/imports/{batch}/preview")
    assert re.search(r"<button type=\"submit\">Import 4 new transactions, skip 1 invalid", preview)

    assert commit(ada, batch)["new"] == 4
    assert rows_in(db) == 4
    done = ada.page(f"/imports/{batch}")
    assert "1 invalid row skipped, as you chose" in done
    assert re.search(r"Line 6</span> &#39;2026-13-45&#39; is not a date", done)


def test_a_commit_before_the_preview_is_sent_to_the_preview(ada, db):
    checking = ada.open_account("Checking")
    batch = batch_id_from(upload(ada, checking, CSV))
    response = ada.post(f"/imports/{batch}/commit", form_url="/imports/")
    assert response.headers["Location"] == f"/imports/{batch}/preview"
    assert ada.get(f"/imports/{batch}/preview").headers["Location"] == f"/imports/{batch}/mapping"
    assert rows_in(db) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"MZ\x90\x00\x03" + b"\x00" * 100,
            "this file is a Windows executable, not a bank statement",
        ),
        (b"PK\x03\x04" + b"\x00" * 100, "the zip archive is damaged or cut short"),
        (b"", "the file is empty"),
        (b"OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRN><TRNAMT>-1", "truncated"),
    ],
)
def test_a_bad_file_is_refused_on_the_upload_form(ada, db, app, content, message):
    checking = ada.open_account("Checking")
    response = upload(ada, checking, content, "statement.csv")
    assert response.status_code == 422
    errors = form_errors(response.get_data(as_text=True))
    assert any(message in error for error in errors), errors
    assert rows_in(db, ImportBatch) == 0
    uploads = app.extensions["finance_tracker"].settings.uploads / "imports"
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_an_upload_needs_an_account_and_a_file(ada):
    checking = ada.open_account("Checking")
    response = ada.browser.submit("/imports/", {"account_id": str(checking)})
    assert response.status_code == 422
    assert (
        "choose the file your bank gave you (CSV, OFX or QIF), or the export of the app you "
        "move in from" in form_errors(response.get_data(as_text=True))
    )
    response = upload(ada, "", CSV)
    assert "choose the account this statement belongs to" in form_errors(
        response.get_data(as_text=True)
    )


def test_an_oversized_upload_is_refused_with_a_friendly_message(ada, db, app):
    app.extensions["finance_tracker"].settings.import_max_bytes = 1024 * 1024
    checking = ada.open_account("Checking")
    line = b"2026-10-01,Shop,-1.00\n"
    just_over = b"Date,Payee,Amount\n" + line * (1024 * 1024 // len(line) + 100)

    response = upload(ada, checking, just_over)  # within the form's allowance: the service says
    assert response.status_code == 422
    assert "the file is larger than 1 MB" in form_errors(response.get_data(as_text=True))

    response = upload(ada, checking, just_over * 2)  # over it: refused before it is read
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "the file is larger than 1 MB, the most a bank file may be" in form_errors(page)
    assert "Upload and continue" in page  # the form, to try another file
    assert rows_in(db, ImportBatch) == 0
    uploads = app.extensions["finance_tracker"].settings.uploads / "imports"
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_a_bank_file_may_be_larger_than_the_app_wide_limit(ada, app):
    """MAX_CONTENT_LENGTH is 16 MB for every other form; imports take IMPORT_MAX_BYTES."""
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024
    checking = ada.open_account("Checking")
    line = b"2026-10-01,Shop,-1.00\n"
    large = b"Date,Payee,Amount\n" + line * (17 * 1024 * 1024 // len(line))
    assert batch_id_from(upload(ada, checking, large))


def test_a_path_as_the_file_name_is_only_a_label(ada, db, app):
    checking = ada.open_account("Checking")
    batch = batch_id_from(upload(ada, checking, CSV, "../../etc/passwd"))
    listing = ada.page("/imports/")
    assert "passwd" in listing and "../" not in listing and "etc/passwd" not in listing
    with db.session() as session:
        stored = session.get(ImportBatch, batch)
        assert stored.filename == "passwd" and re.fullmatch(r"[0-9a-f]{32}", stored.stored_name)
    uploads = app.extensions["finance_tracker"].settings.uploads
    assert [
        p.relative_to(uploads).parent.as_posix() for p in uploads.rglob("*") if p.is_file()
    ] == ["imports"]


def test_the_preview_points_a_transfer_at_an_account_or_keeps_it_as_an_expense(ada, db):
    checking = ada.open_account("Checking")
    savings = ada.open_account("Family savings")
    register = (
        b"!Type:Bank\nD10/02/2026\nT-200.00\nPCard payment\nL[Family savings]\n^\n"
        b"D10/03/2026\nT-50.00\nPTo my brother\nL[Brother]\n^\n"
    )
    batch = batch_id_from(upload(ada, checking, register, "register.qif"))
    preview = ada.page(f"/imports/{batch}/preview")
    assert "no account of yours has this name" in preview  # [Brother]
    ada.post(
        f"/imports/{batch}/options",
        {"transfer_name": ["Family savings", "Brother"],
         "transfer_account": ["keep", str(savings)], "create_categories": "on"},
        form_url=f"/imports/{batch}/preview",
    )  # fmt: skip
    rows = {
        payee: row
        for row in re.findall(
            r"<tr data-status.*?</tr>", ada.page(f"/imports/{batch}/preview"), re.S
        )
        for payee in ("Card payment", "To my brother")
        if payee in row
    }
    assert "Uncategorised" in rows["Card payment"]  # kept as an expense, as chosen
    assert "Transfer to Family savings" in rows["To my brother"]
