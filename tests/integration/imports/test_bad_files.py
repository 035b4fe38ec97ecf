"""Bad files get a clear message naming what and where; nothing is imported or left behind."""

import io
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest
from sqlalchemy import func, select

from finance_tracker.services import imports
from finance_tracker.services.errors import InvalidInput
from finance_tracker.store.models import ImportBatch, Transaction


def rows_in(db):
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Transaction))


def big_csv(rows: int, broken_line: int | None = None) -> bytes:
    lines = ["Date,Description,Amount"]
    for n in range(2, rows + 2):
        lines.append(
            "2026-13-45,Broken,1.00"
            if n == broken_line
            else f"2026-10-{n % 28 + 1:02d},Shop {n},-{n % 97 + 1}.25"
        )
    return ("\n".join(lines) + "\n").encode()


def test_a_broken_row_on_line_5000_is_named_and_nothing_is_imported(
    db, person, import_file, commit, upload_root
):
    batch = import_file(big_csv(6000, broken_line=5000))
    with db.session() as s:
        preview = imports.preview(s, person.id, batch, upload_root)
    assert preview.invalid == 1 and preview.problems[0].line == 5000
    assert "'2026-13-45' is not a date" in preview.problems[0].message
    assert commit(batch) == "failed"
    assert rows_in(db) == 0
    with db.session() as s:
        failed = s.get(ImportBatch, batch)
        assert failed.status == "failed" and "line 5000" in failed.error


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 100, "Windows executable"),
        (b"\x7fELF\x02\x01" + b"\x00" * 100, "Linux executable"),
        (b"\x1f\x8b\x08" + b"\x00" * 50, "gzip"),
        (b"just,some\x00binary", "binary file"),
    ],
)
def test_an_executable_or_archive_named_csv_is_refused_by_content(
    db, person, import_file, upload_root, content, message
):
    with pytest.raises(InvalidInput) as caught:
        import_file(content, "statement.csv")
    assert message in caught.value.errors["file"]
    assert list((upload_root / "imports").iterdir()) == []


def test_a_zip_bomb_is_refused_without_being_unpacked(db, person, import_file, upload_root):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("statement.csv", b"0" * 50_000_000)
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(InvalidInput, match="zip archive"):
        import_file(buffer.getvalue(), "statement.csv")


def test_a_file_over_the_limit_is_refused_while_streaming_and_not_kept(upload_root):
    class Endless(io.RawIOBase):
        def readinto(self, buffer):
            buffer[:] = b"x" * len(buffer)
            return len(buffer)

    with pytest.raises(InvalidInput, match="larger than 2 MB"):
        imports.save_upload(upload_root, "imports", Endless(), 2 * 1024 * 1024)
    assert list((upload_root / "imports").iterdir()) == []


def test_a_path_as_a_file_name_is_only_a_label(db, person, import_file, upload_root):
    batch = import_file(b"Date,Description,Amount\n2026-10-01,A,-1.00\n", "../../etc/passwd")
    with db.session() as s:
        stored = s.get(ImportBatch, batch)
        assert stored.filename == "passwd"
        assert len(stored.stored_name) == 32 and "/" not in stored.stored_name
    assert [p.parent for p in upload_root.rglob("*") if p.is_file()] == [upload_root / "imports"]


def test_a_truncated_ofx_is_refused_with_the_reason(db, person, import_file, upload_root):
    batch = import_file(
        b"OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRN><TRNAMT>-1", "a.ofx"
    )
    with db.session() as s, pytest.raises(InvalidInput) as caught:
        imports.preview(s, person.id, batch, upload_root)
    assert "truncated" in caught.value.errors["file"]
    assert rows_in(db) == 0


def test_a_qif_record_with_an_unknown_field_is_an_invalid_row_naming_its_line(
    db, person, import_file, upload_root
):
    batch = import_file(
        b"!Type:Bank\nD10/03/2026\nT-12.50\nZmystery\nPShop\n^\nD10/04/2026\nT-1.00\n^\n",
        "a.qif",
    )
    with db.session() as s:
        preview = imports.preview(s, person.id, batch, upload_root)
    assert (preview.new, preview.invalid) == (1, 1)
    assert preview.problems[0].line == 4
    assert "unknown QIF field 'Z'" in preview.problems[0].message
    assert rows_in(db) == 0


def test_a_wrongly_declared_encoding_names_the_problem(db, person, import_file, upload_root):
    content = "Date,Description,Amount\n2026-10-01,Café Müller,-3.00\n".encode("cp1252")
    settings = {
        "encoding": "utf-8",
        "delimiter": ",",
        "has_header": True,
        "date_format": "%Y-%m-%d",
        "date": 0,
        "amount": 2,
        "payee": 1,
    }
    batch = import_file(content, settings=settings)
    with db.session() as s, pytest.raises(InvalidInput) as caught:
        imports.preview(s, person.id, batch, upload_root)
    assert "not valid utf-8 text" in caught.value.errors["file"]


def test_a_crash_mid_import_leaves_nothing_and_the_retry_succeeds(db, person, import_file, commit):
    batch = import_file(big_csv(12_000))

    def crash(done):
        if done >= 10_000:
            raise MemoryError("the worker died")

    with pytest.raises(MemoryError):
        commit(batch, progress=type("P", (), {"set": lambda self, key, done: crash(done)})())
    assert rows_in(db) == 0
    with db.session() as s:
        assert s.get(ImportBatch, batch).status == "failed"
    assert commit(batch) == "done"
    assert rows_in(db) == 12_000


def test_a_killed_worker_process_leaves_nothing_half_written(
    db, person, import_file, database_url, upload_root
):
    batch = import_file(big_csv(50_000))
    script = (
        "import sys, pathlib\n"
        "from finance_tracker.store.database import Database\n"
        "from finance_tracker.jobs.imports import run_import\n"
        "class P:\n"
        "    def set(self, key, done):\n"
        "        if done >= 20_000: print('half', flush=True); import time; time.sleep(60)\n"
        f"run_import(Database(sys.argv[1]), pathlib.Path(sys.argv[2]), {batch}, P())\n"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script, database_url, str(upload_root)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout.readline().strip() == "half"
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
    time.sleep(0.5)
    assert rows_in(db) == 0
    assert imports.get.__name__  # the batch is still there to retry
    from finance_tracker.jobs.imports import run_import
    from finance_tracker.jobs.progress import MemoryProgress

    assert run_import(db, upload_root, batch, MemoryProgress()) == "done"
    assert rows_in(db) == 50_000
