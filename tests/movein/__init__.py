"""Exports of the trackers people move in from, written here from each format's public
documentation (Firefly III's export columns, YNAB's register and budget files, Actual Budget's
database tables, beancount's and hledger's manuals). Files that are zips in real life (YNAB's
and Actual's exports) are kept as their parts and zipped by `ynab_zip` and `actual_zip`."""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).parent


def ynab_zip() -> bytes:
    """YNAB's "Export plan": a zip of the plan's register and budget CSV files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((HERE / "ynab").glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


def actual_zip(sql: str | None = None) -> bytes:
    """Actual Budget's "Export data": a zip of db.sqlite and metadata.json."""
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "db.sqlite"
        connection = sqlite3.connect(database)
        connection.executescript(sql or (HERE / "actual" / "budget.sql").read_text())
        connection.commit()
        connection.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(database, "db.sqlite")
            archive.write(HERE / "actual" / "metadata.json", "metadata.json")
        return buffer.getvalue()
