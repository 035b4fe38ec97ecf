"""Resilience tests start real processes (gunicorn, PostgreSQL) and send bounded load: about
15-20 requests per second for a few seconds. They print the figures (`-s` to see them)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from finance_tracker.loadgen.sender import Sender, SenderConfig, Summary
from finance_tracker.store import migrate
from tests.conftest import IN_CI
from tests.resilience.harness import PrivateRedis


@pytest.fixture
def migrated_postgres(postgresql_database: str) -> str:
    """The session's fresh database on the machine's PostgreSQL, at the newest schema."""
    migrate.upgrade(postgresql_database)
    return postgresql_database


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A redis-server of the test's own (it may stop and start it), on a free port."""
    missing = PrivateRedis.missing()
    if missing:
        if IN_CI:
            pytest.fail(f"{missing} (CI=true: redis-server is required)")
        pytest.skip(missing)
    store = PrivateRedis(tmp_path / "redis.log")
    store.start()
    yield store
    store.stop()


class Load:
    """A Sender running in a thread; stop() returns its summary."""

    def __init__(self, config: SenderConfig) -> None:
        self.sender = Sender(config)
        self.summary: Summary | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self.summary = self.sender.run()

    def start(self) -> Load:
        self.thread.start()
        return self

    def sent(self) -> int:
        return self.sender.summary().sent

    def stop(self) -> Summary:
        self.sender.stop()
        self.thread.join(timeout=60)
        assert self.summary is not None, "the sender did not stop"
        return self.summary


@pytest.fixture
def load() -> Iterator[type[Load]]:
    started: list[Load] = []

    class Tracked(Load):
        def start(self) -> Load:
            started.append(self)
            return super().start()

    yield Tracked
    for each in started:
        each.sender.stop()


def figures(title: str, summary: Summary, **extra: object) -> str:
    lines = [f"== {title}", summary.text()]
    lines += [f"{key.replace('_', ' ')}: {value}" for key, value in extra.items()]
    text = "\n".join(lines)
    print("\n" + text)  # noqa: T201 - the figures the issue asks for
    return text


def figures_text(title: str, **extra: object) -> str:
    text = "\n".join([f"== {title}"] + [f"{k.replace('_', ' ')}: {v}" for k, v in extra.items()])
    print("\n" + text)  # noqa: T201
    return text
