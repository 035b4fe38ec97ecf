import io

import pytest

from finance_tracker.jobs.imports import run_import
from finance_tracker.jobs.progress import MemoryProgress
from finance_tracker.services import imports


@pytest.fixture
def upload_root(tmp_path):
    return tmp_path / "uploads"


@pytest.fixture
def import_file(db, person, upload_root):
    """Upload bytes as `filename` into the person's checking account; returns the batch id."""

    def upload(content: bytes, filename: str = "statement.csv", account=None, settings=None):
        name, size = imports.save_upload(
            upload_root, "imports", io.BytesIO(content), 50 * 1024 * 1024
        )
        with db.session() as s:
            batch = imports.start(
                s, person.id, account or person.checking, upload_root, name, size, filename
            )
            if settings is not None:
                imports.set_csv_settings(s, person.id, batch.id, settings)
            elif batch.status == "mapping":
                imports.set_csv_settings(
                    s,
                    person.id,
                    batch.id,
                    imports.csv_view(s, person.id, batch.id, upload_root).settings.to_dict(),
                )
            return batch.id

    return upload


@pytest.fixture
def commit(db, upload_root):
    def run(batch_id, progress=None):
        return run_import(db, upload_root, batch_id, progress or MemoryProgress())

    return run
