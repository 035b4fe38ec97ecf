"""Alembic, driven from code: the same migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from alembic.config import Config

# alembic is imported inside the functions: only migrations need it, and importing it at start
# would add a good part of a second to every process start.

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


@cache
def head_revision(url: str) -> str | None:
    """The newest revision this version of the code knows; fixed for the life of the process."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_at_head(engine: Engine) -> bool:
    """The readiness probe's question, answered without importing alembic (a good part of a
    second at the first /readyz): the head from the migration files, the revision from the
    table alembic keeps. With no single head in the files, alembic answers."""
    head = head_in_files()
    if head is None:
        return current_revision(engine) == head_revision(
            engine.url.render_as_string(hide_password=False)
        )
    return revision_in_table(engine) == head


# `revision = "0005"`, `down_revision: str | None = "0004"`, as alembic writes them.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=(.*)$", re.MULTILINE)


@cache
def head_in_files() -> str | None:
    """The revision no other migration revises, read from the files' `revision` and
    `down_revision` lines; None when that is not plain (no single head, a value split over
    lines): alembic decides then. Tests check it against alembic's own answer."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found: dict[str, object] = {}
        for match in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")):
            try:
                found[match[1]] = ast.literal_eval(match[2].strip())  # the last one: the code
            except (ValueError, SyntaxError):
                return None
        revision, down = found.get("revision"), found.get("down_revision")
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(d) for d in down)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def revision_in_table(engine: Engine) -> str | None:
    """What `alembic_version` holds (None: no table, or not exactly one row)."""
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return rows[0][0] if len(rows) == 1 else None
