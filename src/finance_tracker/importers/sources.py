"""Which kind of file an upload is, by its content, and the parser for each kind that moves in
from another tracker. A zip is opened only to read its list of files and the ones an export
holds, each read no further than a bound: a zip bomb is refused, never unpacked."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from finance_tracker.domain.text import Text
from finance_tracker.importers import FileFormat, ImportFileError, ParsedFile, detect_format

MAX_UNPACKED = 256 * 1024 * 1024  # what an export's files may hold, unpacked
_BEANCOUNT = re.compile(
    r'^(?:option\s+"|plugin\s+"|include\s+"|\d{4}-\d{2}-\d{2}\s+(?:open|close|commodity|balance|'
    r'pad|price|note|document|event|custom|txn)\b|\d{4}-\d{2}-\d{2}\s+[*!]?\s*")',
    re.MULTILINE,
)
_LEDGER = re.compile(
    r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:=\S+)?[ \t]+\S[^\n]*\n(?:[ \t]+;[^\n]*\n)*"
    r"[ \t]+[!*]?[ \t]*[^\s;:][^\n:]*:[^\n]*",
    re.MULTILINE,
)


def detect(path: Path) -> FileFormat:
    """Decide by content, never by the file name."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path)
    from finance_tracker.importers import firefly_format, ynab_format

    if firefly_format.looks_like(head):
        return FileFormat.firefly
    text = head.decode("utf-8", errors="replace")
    if ynab_format.kind_of(text):
        return FileFormat.ynab
    if _BEANCOUNT.search(text):
        return FileFormat.beancount
    if _LEDGER.search(text):
        return FileFormat.ledger
    return detect_format(head)


def parse(path: Path, file_format: FileFormat) -> ParsedFile:
    from finance_tracker.importers import (
        beancount_format,
        firefly_format,
        ledger_format,
        ynab_format,
    )

    if file_format is FileFormat.firefly:
        return firefly_format.parse(path)
    if file_format is FileFormat.beancount:
        return beancount_format.parse(path)
    if file_format is FileFormat.ledger:
        return ledger_format.parse(path)
    if file_format is FileFormat.ynab:
        return ynab_format.parse(_ynab_files(path))
    if file_format is FileFormat.actual:
        return _actual(path)
    raise ImportFileError(Text("%(kind)s files are not read here", kind=file_format.value))


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ImportFileError(Text("the zip archive is damaged or cut short")) from None
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
        archive.close()
        raise ImportFileError(
            Text("the zip archive unpacks to more than %(size)s MB", size=MAX_UNPACKED >> 20)
        )
    return archive


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member, read no further than the bound whatever its header claims."""
    try:
        with archive.open(name) as member:
            data = member.read(MAX_UNPACKED + 1)
    except (zipfile.BadZipFile, EOFError, OSError):
        raise ImportFileError(
            Text("%(name)s in the zip archive is damaged or cut short", name=name)
        ) from None
    if len(data) > MAX_UNPACKED:
        raise ImportFileError(
            Text("%(name)s unpacks to more than %(size)s MB", name=name, size=MAX_UNPACKED >> 20)
        )
    return data


def _zip_kind(path: Path) -> FileFormat:
    from finance_tracker.importers import ynab_format

    with _open_zip(path) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if any(Path(n).name == "db.sqlite" for n in names):
            return FileFormat.actual
        for name in names:
            if name.lower().endswith(".csv"):
                head = _read(archive, name)[:4096].decode("utf-8", errors="replace")
                if ynab_format.kind_of(head):
                    return FileFormat.ynab
    raise ImportFileError(
        Text("this file is a zip archive that is neither a YNAB nor an Actual Budget export")
    )


def _ynab_files(path: Path) -> dict[str, str]:
    with path.open("rb") as handle:
        is_zip = handle.read(4) == b"PK\x03\x04"
    if not is_zip:
        return {path.name: path.read_bytes().decode("utf-8-sig", errors="replace")}
    with _open_zip(path) as archive:
        return {
            Path(name).name: _read(archive, name).decode("utf-8-sig", errors="replace")
            for name in archive.namelist()
            if name.lower().endswith(".csv")
        }


def _actual(path: Path) -> ParsedFile:
    from finance_tracker.importers import actual_format

    with _open_zip(path) as archive:
        names = archive.namelist()
        database = next(n for n in names if Path(n).name == "db.sqlite")
        meta = next((n for n in names if Path(n).name == "metadata.json"), None)
        metadata = actual_format.metadata_of(_read(archive, meta)) if meta else {}
        with tempfile.TemporaryDirectory(prefix="actual-") as folder:
            copy = Path(folder) / "db.sqlite"
            with archive.open(database) as member, copy.open("wb") as out:
                shutil.copyfileobj(member, out, 1 << 20)
                if out.tell() > MAX_UNPACKED:
                    raise ImportFileError(Text("the Actual Budget database is too large"))
            return actual_format.parse(copy, metadata)
