"""Shared fixtures: every app test runs on SQLite and on the machine's real PostgreSQL.

PostgreSQL and Redis tests skip with a reason when those servers are missing, except under
CI=true, where a missing server fails the run instead of skipping quietly.

Logging is set up as in production (the app's JSON lines at INFO), and strictly: a logging call
that fails (a KeyError from makeRecord for an `extra` key such as "created", a formatting error
in a handler) fails the test it happened in, even where the code around it caught the error or
it happened in a background thread. Python's logging would otherwise print it and carry on.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis as redis_lib
from sqlalchemy import create_engine, text

from finance_tracker import create_app, importers
from finance_tracker.ops import logging as ops_logging
from finance_tracker.settings import load_settings
from finance_tracker.store import migrate
from finance_tracker.store.models import Base

PG_ADMIN = os.environ.get("TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"
SECRET = "test-secret-key-that-is-long-enough-for-production-1234"


_log_call_errors: list[str] = []
_log_call_errors_lock = threading.Lock()
_make_record = logging.Logger.makeRecord


def _strict_make_record(self: logging.Logger, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return _make_record(self, *args, **kwargs)
    except Exception:
        with _log_call_errors_lock:
            _log_call_errors.append(traceback.format_exc())
        raise


def _strict_handle_error(self: logging.Handler, record: logging.LogRecord) -> None:
    """Instead of printing the error and going on: note it, and raise it to the caller."""
    with _log_call_errors_lock:
        _log_call_errors.append(traceback.format_exc())
    raise  # noqa: PLE0704 - handleError is called while the handler's exception is handled


logging.Logger.makeRecord = _strict_make_record  # type: ignore[method-assign]
logging.Handler.handleError = _strict_handle_error  # type: ignore[method-assign]
logging.raiseExceptions = True


@pytest.fixture(autouse=True)
def _production_logging() -> Iterator[None]:
    """The app's own logging, as every process configures it in production: JSON at INFO (again
    before each test: one that made an app with another LOG_LEVEL changed it). A command run
    with CliRunner may set sys.excepthook (cli._log_as_deployed): put back after the test."""
    ops_logging.configure("INFO")
    hook = sys.excepthook
    yield
    sys.excepthook = hook


@pytest.fixture
def log_call_errors() -> list[str]:
    """The failed logging calls noted so far in this test (tests of the strictness itself clear
    it, having checked it)."""
    return _log_call_errors


@pytest.fixture(autouse=True)
def _log_calls_must_not_fail() -> Iterator[None]:
    with _log_call_errors_lock:
        _log_call_errors.clear()
    yield
    with _log_call_errors_lock:
        errors = list(_log_call_errors)
        _log_call_errors.clear()
    if errors:
        pytest.fail("a logging call failed during the test:\n" + "\n".join(errors))


# Every message an import shows a person — a refused file, an invalid row, a skipped record —
# is noted as it is made, and a test that produced one naming a server path or an internal
# object fails (issue 15: "Invalid OFX header - <_io.BufferedReader name='/…/uploads/…'>").
_IMPORT_LEAKS = re.compile(r"/tmp|/var|/work|<_io|Traceback|object at 0x")  # noqa: S108
_import_messages: list[str] = []


def _noting(cls: type, *fields: str) -> None:
    made = cls.__init__

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        made(self, *args, **kwargs)
        _import_messages.extend(str(getattr(self, f, "") or "") for f in fields)

    cls.__init__ = __init__  # type: ignore[method-assign]


_noting(importers.ImportFileError, "args")
_noting(importers.RowProblem, "message")
_noting(importers.SkippedRecord, "reason")


@pytest.fixture
def import_messages() -> list[str]:
    """The import messages made so far in this test (the test of the check itself clears it)."""
    return _import_messages


@pytest.fixture(autouse=True)
def _import_messages_name_no_server_internals() -> Iterator[None]:
    _import_messages.clear()
    yield
    leaks = [m for m in _import_messages if _IMPORT_LEAKS.search(m)]
    _import_messages.clear()
    if leaks:
        pytest.fail("an import message names a path or an object:\n" + "\n".join(leaks))


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required services must run)")
    pytest.skip(reason)


def _postgres_reachable() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL not reachable at {PG_ADMIN}: {error}".splitlines()[0]


@contextmanager
def private_database(prefix: str) -> Iterator[str]:
    """A fresh, empty database of our own on the machine's PostgreSQL, dropped after; its
    plain `postgresql://` URL. Unreachable: a skip with the reason (a failure under CI)."""
    problem = _postgres_reachable()
    if problem:
        unavailable(problem)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgresql_database() -> Iterator[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with private_database(f"ft_test_{worker}") as url:
        yield url.replace("postgresql://", "postgresql+psycopg://")


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a migrated database, once per backend for the whole run."""
    url = request.getfixturevalue(f"{request.param}_database")
    migrate.upgrade(url)
    return url


def _empty_all_tables(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our own names
    engine.dispose()


@pytest.fixture
def settings_for(tmp_path: Path):
    def make(database_url: str, **overrides: object):
        values = dict(
            database_url=database_url,
            secret_key=SECRET,
            data_dir=tmp_path,
            auto_migrate=False,
            log_level="INFO",  # as in production: an INFO call that raises must fail its test
            # Stories sign several people up through the form; tests/security covers the modes.
            registration="open",
        )
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
def app(database_url: str, settings_for):
    _empty_all_tables(database_url)
    application = create_app(settings_for(database_url))
    application.config["TESTING"] = True
    yield application
    application.extensions["finance_tracker"].database.dispose()


@pytest.fixture
def db(app):
    """A unit of work on the app's database, for arranging and checking state in tests."""
    return app.extensions["finance_tracker"].database


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def redis_url() -> str:
    """Database 15 of the test Redis, or 14 for the second xdist worker and so on: tests flush
    it, and must not flush a session another worker's test is in the middle of using."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    url = REDIS_URL.rsplit("/", 1)[0] + f"/{15 - int(worker or 0) % 4}"
    emptied_redis(url).close()
    return url


def emptied_redis(url: str) -> redis_lib.Redis:
    """A client of that Redis database, flushed; unreachable: a skip (a failure under CI)."""
    try:
        client = redis_lib.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.flushdb()
    except redis_lib.RedisError as error:
        unavailable(f"Redis not reachable at {url}: {error}")
    return client


CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class Browser:
    """A test client that behaves like a person with a browser: it reads the CSRF token off the
    page before posting a form."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client

    def get(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.get(url, **kwargs)

    def submit(self, form_url: str, data: dict, *, action: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
        page = self.client.get(form_url)
        token = csrf_from(page.get_data(as_text=True))
        return self.client.post(action or form_url, data={**data, "csrf_token": token}, **kwargs)

    def register(self, email: str = "ada@example.com", password: str = "correct horse battery"):  # type: ignore[no-untyped-def]
        response = self.submit(
            "/register",
            {"email": email, "password": password, "confirm": password, "default_currency": "EUR"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)


@pytest.fixture
def other_browser(app) -> Browser:
    return Browser(app.test_client())
