"""One unit of work per API call: commits when the view succeeds, rolls back on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, request
from sqlalchemy.orm import Session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@contextmanager
def unit_of_work(*, readonly: bool | None = None) -> Iterator[Session]:
    """`readonly` defaults to what the method says: GET, HEAD and OPTIONS only read."""
    if readonly is None:
        readonly = request.method in SAFE_METHODS
    with current_app.extensions["finance_tracker"].database.session(readonly=readonly) as session:
        yield session
