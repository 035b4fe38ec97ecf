"""The same Alembic migrations build the schema from empty on SQLite and on PostgreSQL."""

import uuid

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect
from tests.conftest import PG_ADMIN, _postgres_reachable, unavailable

from finance_tracker.cli import main
from finance_tracker.store import migrate
from finance_tracker.store.models import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if problem := _postgres_reachable():
        unavailable(problem)
    name = f"ft_migrations_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_from_empty_builds_exactly_the_models(empty_database_url):
    migrate.upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        assert migrate.is_at_head(engine)
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == set(Base.metadata.tables)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_empty_and_up_again(empty_database_url):
    migrate.upgrade(empty_database_url)
    from alembic import command

    command.downgrade(migrate.alembic_config(empty_database_url), "base")
    engine = create_engine(empty_database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade(empty_database_url)


def test_the_db_upgrade_command_is_safe_to_run_twice(empty_database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(main, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "database at revision" in result.output
    assert runner.invoke(main, ["db", "current"]).exit_code == 0
