"""One unit of work per API call: commits when the view succeeds, rolls back on any error.

The token check (`auth.require_token`) begins it, and the view's first `unit_of_work()` carries
it on: one transaction and one connection checkout per call instead of two (each a BEGIN and a
COMMIT on PostgreSQL). A call that ends before its view uses it (a 401, a 403) rolls it back.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

from flask import current_app, g, request
from sqlalchemy.orm import Session

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_BEGUN = "_finance_tracker_begun_unit_of_work"


@dataclass
class _Begun:
    manager: AbstractContextManager[Session]
    session: Session
    readonly: bool

    def end(self, error: BaseException | None = None) -> None:
        if error is None:
            self.manager.__exit__(None, None, None)
        else:
            self.manager.__exit__(type(error), error, error.__traceback__)


def _readonly(readonly: bool | None) -> bool:
    """`readonly` defaults to what the method says: GET, HEAD and OPTIONS only read."""
    return request.method in SAFE_METHODS if readonly is None else readonly


def begin_for_request() -> Session:
    """Begin this call's unit of work now; the view's first `unit_of_work()` continues it."""
    readonly = _readonly(None)
    manager = current_app.extensions["finance_tracker"].database.session(readonly=readonly)
    begun = _Begun(manager, manager.__enter__(), readonly)
    setattr(g, _BEGUN, begun)
    return begun.session


def end_unused(error: BaseException | None = None) -> None:
    """Roll back a unit of work begun for this call that no view carried on."""
    begun: _Begun | None = g.pop(_BEGUN, None)
    if begun is not None:
        begun.end(error or _Unused())


class _Unused(Exception):  # noqa: N818 - never raised: it only makes the unit of work roll back
    pass


@contextmanager
def unit_of_work(*, readonly: bool | None = None) -> Iterator[Session]:
    readonly = _readonly(readonly)
    begun: _Begun | None = g.pop(_BEGUN, None)
    if begun is not None and begun.readonly != readonly:
        begun.end(_Unused())
        begun = None
    if begun is None:
        with current_app.extensions["finance_tracker"].database.session(
            readonly=readonly
        ) as session:
            yield session
        return
    try:
        yield begun.session
    except BaseException:
        begun.end(sys.exc_info()[1])
        raise
    begun.end()
