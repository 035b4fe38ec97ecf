"""Engine and sessions: one `Database` per app or worker process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from finance_tracker.store import summaries


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine: Engine = create_engine(
                url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False}
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            # Short timeouts so that a database outage answers 503 quickly instead of hanging.
            # No pre-ping (a round trip on every checkout): after an outage the first request
            # on a dead connection fails with 503 and SQLAlchemy discards the whole pool.
            self.engine = create_engine(
                url,
                echo=echo,
                pool_size=5,
                max_overflow=5,
                pool_recycle=1800,
                pool_timeout=5,
                connect_args={"connect_timeout": 3},
            )
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite: reads begin a deferred transaction, writes an immediate one. A deferred
        # transaction that reads and then writes fails ("database is locked") when another
        # writer committed in between; an immediate one waits its turn for the write lock.
        self.read_sessions = sessionmaker(
            self.engine.execution_options(sqlite_begin="BEGIN"), expire_on_commit=False
        )
        summaries.install(self.sessions)
        summaries.install(self.read_sessions)
        self._pool_max = 0 if self.is_sqlite else 5 + 5
        _instrument_pool(self.engine, self._pool_max)

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error. `readonly` only says
        that it writes nothing, so that SQLite need not hold its write lock meanwhile."""
        session = (self.read_sessions if readonly else self.sessions)()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
        if self._pool_max:
            from finance_tracker.ops.metrics import DB_POOL_MAX

            DB_POOL_MAX.dec(self._pool_max)
            self._pool_max = 0


def _instrument_pool(engine: Engine, pool_max: int) -> None:
    """Connections in use (and the pool's ceiling) as gauges; gunicorn workers add up."""
    from finance_tracker.ops.metrics import DB_POOL_IN_USE, DB_POOL_MAX

    DB_POOL_MAX.inc(pool_max)

    def checkout(_dbapi, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        if not record.record_info.get("ft_in_use"):
            record.record_info["ft_in_use"] = True
            DB_POOL_IN_USE.inc()

    def checkin(_dbapi, record) -> None:  # type: ignore[no-untyped-def]
        if record is not None and record.record_info.pop("ft_in_use", False):
            DB_POOL_IN_USE.dec()

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # The driver's own implicit BEGIN is deferred and comes only before a write: `_sqlite_begin`
    # begins every transaction itself (and savepoints then work as documented).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql(
        connection.get_execution_options().get("sqlite_begin", "BEGIN IMMEDIATE")
    )
