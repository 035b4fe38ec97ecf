"""One unit of work per API call: commits when the view succeeds, rolls back on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.orm import Session


@contextmanager
def unit_of_work() -> Iterator[Session]:
    with current_app.extensions["finance_tracker"].database.session() as session:
        yield session
