"""Every metric the app exposes, defined once; code, alerts and dashboards use these names.

Under gunicorn, `PROMETHEUS_MULTIPROC_DIR` switches prometheus_client to multiprocess mode so
that /metrics adds up every worker process.
"""

from __future__ import annotations

import contextlib
import glob
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
HTTP_REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HTTP_IN_FLIGHT = Gauge(
    "http_requests_in_flight", "HTTP requests being answered.", multiprocess_mode="livesum"
)
TRANSACTIONS_CREATED = Counter(
    "finance_tracker_transactions_created_total", "Transactions created.", ["source", "kind"]
)
USERS_REGISTERED = Counter("finance_tracker_users_registered_total", "Users who registered.")
LOGINS = Counter("finance_tracker_logins_total", "Login attempts.", ["outcome"])
API_TOKENS_CREATED = Counter("finance_tracker_api_tokens_created_total", "API tokens created.")
IMPORT_ROWS = Counter(
    "finance_tracker_import_rows_total", "Rows of imported bank files.", ["format", "outcome"]
)
BUILD_INFO = Gauge(
    "finance_tracker_build_info",
    "Always 1; the labels tell which build runs.",
    ["version", "commit"],
    multiprocess_mode="max",
)
# Background jobs (the RQ worker forks a work horse per job: the worker runs in multiprocess
# mode too, so what a horse counts survives it).
JOB_DURATION = Histogram(
    "finance_tracker_job_duration_seconds",
    "Time a background job ran, by job type.",
    ["job_type"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)
JOBS = Counter(
    "finance_tracker_jobs_total",
    "Background jobs finished, by job type and outcome (succeeded, failed, error).",
    ["job_type", "outcome"],
)
# Series that exist from the start (at 0), so that rates and alerts see them before the first
# job or import. (`job_type`, not `job`: Prometheus owns the `job` label.)
for _job_type in ("import", "recurring", "clean-uploads", "ecb-rates"):
    JOB_DURATION.labels(_job_type)
    for _outcome in ("succeeded", "failed", "error"):
        JOBS.labels(_job_type, _outcome)
for _format in ("csv", "ofx", "qif"):
    for _outcome in ("imported", "duplicate", "invalid"):
        IMPORT_ROWS.labels(_format, _outcome)


class JobRun:
    """What a job says of itself for `timed_job`: "error" unless it says otherwise."""

    outcome = "error"


@contextlib.contextmanager
def timed_job(job_type: str) -> Iterator[JobRun]:
    """Time a background job and count its outcome: the body sets `outcome` to "succeeded" or
    "failed"; one that raises before saying counts as an "error"."""
    run, started = JobRun(), time.perf_counter()
    try:
        yield run
    finally:
        JOB_DURATION.labels(job_type).observe(time.perf_counter() - started)
        JOBS.labels(job_type, run.outcome).inc()


# Database connection pool of this process (added up over gunicorn workers: livesum).
DB_POOL_IN_USE = Gauge(
    "finance_tracker_db_pool_connections_in_use",
    "Database connections checked out of the pool.",
    multiprocess_mode="livesum",
)
DB_POOL_MAX = Gauge(
    "finance_tracker_db_pool_connections_max",
    "Most connections the pool may open (size + overflow).",
    multiprocess_mode="livesum",
)
# Scrape-time metrics (collectors below), named here so that code, alerts and dashboards agree.
DEPENDENCY_UP = "finance_tracker_dependency_up"
QUEUE_JOBS = "finance_tracker_queue_jobs"
SCRAPE_TIME_METRICS = (DEPENDENCY_UP, QUEUE_JOBS)
_UP_HELP = "1 if the dependency answered a ping at scrape time."


class DependencyCollector:
    """`finance_tracker_dependency_up{dependency}`: 1 if PostgreSQL (or SQLite) and Redis answer
    a ping at scrape time, else 0. Cheap: one `SELECT 1` and one PING, with short timeouts."""

    def __init__(self, database: Any, redis_client: Any = None) -> None:
        self.database = database
        self.redis = redis_client

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            DEPENDENCY_UP,
            _UP_HELP,
            labels=["dependency"],
        )
        family.add_metric(["database"], _answers(self.database.ping))
        if self.redis is not None:
            family.add_metric(["redis"], _answers(self.redis.ping))
        yield family


def _answers(ping: Callable[[], object]) -> float:
    try:
        ping()
    except Exception:  # noqa: BLE001 - any failure means "down"
        return 0.0
    return 1.0


class QueueCollector:
    """`finance_tracker_queue_jobs{queue,state}` read from Redis at scrape time: jobs waiting
    (queued), running (started), failed, scheduled and deferred; plus the Redis dependency."""

    def __init__(self, redis_client: Any, queue_name: str) -> None:
        self.redis = redis_client
        self.queue_name = queue_name

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        from rq import Queue

        up = GaugeMetricFamily(
            DEPENDENCY_UP,
            _UP_HELP,
            labels=["dependency"],
        )
        jobs = GaugeMetricFamily(
            QUEUE_JOBS, "Jobs in the RQ queue by state.", labels=["queue", "state"]
        )
        try:
            queue = Queue(self.queue_name, connection=self.redis)
            counts = {
                "queued": queue.count,
                "started": queue.started_job_registry.count,
                "failed": queue.failed_job_registry.count,
                "scheduled": queue.scheduled_job_registry.count,
                "deferred": queue.deferred_job_registry.count,
            }
        except Exception:  # noqa: BLE001 - Redis down: say so, report no stale depth
            up.add_metric(["redis"], 0.0)
            yield up
            return
        up.add_metric(["redis"], 1.0)
        for state, count in counts.items():
            jobs.add_metric([self.queue_name, state], float(count))
        yield up
        yield jobs


def registry_for_scrape(extra: Iterable[Any] = ()) -> CollectorRegistry:
    """The registry a /metrics answer reads: every process's values in multiprocess mode (or
    this process's), plus scrape-time collectors."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # prometheus_client's own variable
        registry = CollectorRegistry()
        _SettledFiles(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Default())
    for collector in extra:
        registry.register(collector)
    return registry


class _SettledFiles(_multiprocess.MultiProcessCollector):
    """Every process's values, but not a file in the instant a process is creating it:
    prometheus_client opens a new process's file empty and then sizes it, and a scrape between
    the two failed on it (struct.error, a traceback in the worker's log, CI once: the RQ
    scheduler's first value while /metrics was read). A file only grows, so one that has bytes
    is whole enough to read; one that has none has no values yet."""

    def collect(self) -> Iterable[Metric]:
        files = glob.glob(os.path.join(self._path, "*.db"))
        return self.merge([f for f in files if _has_bytes(f)], accumulate=True)


def _has_bytes(path: str) -> bool:
    try:
        return os.path.getsize(path) > 0
    except FileNotFoundError:  # a dead worker's live gauges, removed by gunicorn's child_exit
        return False


class _Default:
    """The process-wide registry, as one collector (to add scrape-time ones beside it)."""

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def exposition(extra: Iterable[Any] = ()) -> tuple[bytes, str]:
    return generate_latest(registry_for_scrape(extra)), CONTENT_TYPE_LATEST


# --- traffic sender ---
# Exposed by `finance-tracker traffic` on its own port (loadgen/sender.py), not by the web app.
TRAFFIC_SENDER_TPS = Gauge(
    "traffic_sender_tps",
    "Requests per second the traffic sender achieved (last 5 seconds).",
    multiprocess_mode="livemax",
)
TRAFFIC_SENDER_REQUESTS = Counter(
    "traffic_sender_requests_total",
    "Requests the traffic sender sent, by outcome (ok, http_4xx, http_5xx, timeout, connection).",
    ["outcome"],
)
TRAFFIC_SENDER_DURATION = Histogram(
    "traffic_sender_request_duration_seconds",
    "Latency the traffic sender measured, redirects included.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
