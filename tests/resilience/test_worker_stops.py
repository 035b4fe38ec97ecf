"""Kubernetes may stop the worker at any moment, also in its first second (a rollout that is
rolled over, a node drained as the pod starts). Whenever SIGTERM comes, the worker stops its
scheduler, leaves Redis and exits 0, in seconds; a scheduler that will not stop is killed rather
than holding the worker until the kubelet's SIGKILL."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis

from finance_tracker.jobs import worker as worker_module
from finance_tracker.jobs.worker import EarlyStop, StoppableWorker
from finance_tracker.store import migrate
from tests.resilience.harness import BIN, SECRET, PrivateRedis, free_port, status_of, wait_for

# From /metrics answering (our handler is in place before it serves) through RQ's registration,
# the scheduler's fork and the handlers RQ installs, to the idle work loop.
MOMENTS_AFTER_METRICS = (0.0, 0.1, 0.3, 0.6, 1.2)


def test_sigterm_at_any_moment_of_start_up_stops_the_worker_with_exit_0(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    database_url = f"sqlite:///{tmp_path / 'ft.db'}"
    migrate.upgrade(database_url)
    client = redis.Redis.from_url(private_redis.url)
    outcomes = [
        _sigterm_after_metrics(moment, tmp_path, database_url, private_redis.url)
        for moment in MOMENTS_AFTER_METRICS
    ]
    print("\nSIGTERM after /metrics answered (s) -> exit code, seconds to exit:", outcomes)  # noqa: T201
    assert [code for _, code, _ in outcomes] == [0] * len(MOMENTS_AFTER_METRICS), outcomes
    assert max(seconds for _, _, seconds in outcomes) < 10, outcomes
    # Each left Redis: no worker and no scheduler lock stays behind for the next pod.
    assert client.smembers("rq:workers") == set()
    assert client.keys("rq:scheduler-lock:*") == []


def _sigterm_after_metrics(
    moment: float, tmp_path: Path, database_url: str, redis_url: str
) -> tuple[float, int, float]:
    """Start a worker, SIGTERM it `moment` s after its /metrics answered: (moment, exit code,
    seconds to exit). Its log must hold no ERROR line and no traceback."""
    port = free_port()
    log = tmp_path / f"worker-{moment}.log"
    env = {
        **os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET, "DATA_DIR": str(tmp_path), "FINANCE_TRACKER_ENV": "production",
        "AUTO_MIGRATE": "false", "LOG_LEVEL": "INFO", "METRICS_HOST": "127.0.0.1",
        "METRICS_PORT": str(port),
    }  # fmt: skip
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("ab") as out:
        worker = subprocess.Popen(  # noqa: S603
            [str(BIN), "worker"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for(
            lambda: (
                worker.poll() is not None or status_of(f"http://127.0.0.1:{port}/metrics") == 200
            ),
            30,
            0.02,
        )
        time.sleep(moment)
        signalled = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    text = log.read_text()
    assert '"level": "ERROR"' not in text and "Traceback" not in text, text[-3000:]
    return moment, code, round(time.monotonic() - signalled, 2)


def _in_process_worker(redis_url: str) -> StoppableWorker:
    """A StoppableWorker in this process, pytest's own signal handlers put back after it."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return StoppableWorker(
            ["test-queue"], connection=redis.Redis.from_url(redis_url), early=EarlyStop()
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _ignores_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    time.sleep(120)


def test_a_scheduler_that_will_not_stop_is_killed_and_says_so(
    private_redis: PrivateRedis, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(worker_module, "SCHEDULER_STOP_SECONDS", 0.5)
    worker = _in_process_worker(private_redis.url)
    stubborn = multiprocessing.get_context("fork").Process(target=_ignores_sigterm)
    stubborn.start()
    time.sleep(0.3)  # its SIG_IGN is in place

    class Scheduler:
        _process = stubborn

    worker.scheduler = Scheduler()  # type: ignore[assignment]
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="finance_tracker.jobs.worker"):
        worker.stop_scheduler()
    assert not stubborn.is_alive()
    assert stubborn.exitcode == -signal.SIGKILL
    assert time.monotonic() - began < 5
    assert "did not stop in 0.5 s; killed" in caplog.text


def test_leaving_the_workers_channel_takes_no_minute_when_the_machine_is_busy(
    private_redis: PrivateRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RQ's teardown unsubscribes, then stops the thread listening on the worker's channel. On
    a busy machine that thread reads the reply first and waits up to a minute for a subscription
    (CI: the worker SIGKILLed after 60 s). The pause after UNSUBSCRIBE below is that busy
    machine; without our unsubscribe every try here takes 60 s."""
    worker = _in_process_worker(private_redis.url)
    seconds = []
    for _ in range(3):
        worker.subscribe()
        time.sleep(0.2)  # the thread is listening
        send = worker.pubsub.unsubscribe

        def slow_unsubscribe(*args: object, _send=send) -> None:  # type: ignore[no-untyped-def]
            _send(*args)
            time.sleep(0.5)  # the listening thread reads the reply meanwhile

        monkeypatch.setattr(worker.pubsub, "unsubscribe", slow_unsubscribe)
        began = time.monotonic()
        worker.unsubscribe()
        seconds.append(round(time.monotonic() - began, 2))
        assert not worker.pubsub_thread.is_alive()
    assert max(seconds) < 5, seconds


def test_the_rq_methods_we_extend_are_still_there() -> None:
    from rq import Worker

    for name in ("_install_signal_handlers", "stop_scheduler", "request_stop", "unsubscribe"):
        assert callable(getattr(Worker, name, None)), f"rq.Worker.{name} is gone"
    assert "_stop_requested" in Worker.__init__.__code__.co_names
