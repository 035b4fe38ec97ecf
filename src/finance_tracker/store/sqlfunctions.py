"""SQL that differs between SQLite and PostgreSQL, written once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date


class month_of(FunctionElement[Any]):  # noqa: N801 - reads like the SQL function it is
    """The first day of the month of a date column."""

    type = Date()
    name = "month_of"
    inherit_cache = True


@compiles(month_of, "postgresql")
def _month_of_postgresql(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_of, "sqlite")
def _month_of_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


def insert_for(session: Session, table: Any) -> Any:
    """An INSERT with `on_conflict_do_nothing` / `on_conflict_do_update` for this database."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def is_unique_violation(error: IntegrityError) -> bool:
    """A unique constraint refused the row (not a foreign key, not a NOT NULL)."""
    if getattr(error.orig, "sqlstate", None) == "23505":  # PostgreSQL unique_violation
        return True
    return "UNIQUE constraint failed" in str(error.orig)


def added(session: Session, row: Any) -> bool:
    """Write `row` now, in a savepoint; False when a unique constraint says it exists already.

    For what is checked and then written (a name not taken yet): when two requests check at
    once, the second one's write meets the first one's row here, and it answers as it would
    have a moment later — never a 500, and nothing else of its unit of work is lost."""
    return _in_savepoint(session, lambda: session.add(row))


def flushed(session: Session) -> bool:
    """Flush pending changes in a savepoint; False when a unique constraint refused them."""
    return _in_savepoint(session, lambda: None)


def _in_savepoint(session: Session, change: Callable[[], None]) -> bool:
    try:
        with session.begin_nested():
            change()  # inside: a row refused leaves the session with the savepoint
            session.flush()
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        return False
    return True
