"""Every metric the app exposes, defined once; code, alerts and dashboards use these names.

Under gunicorn, `PROMETHEUS_MULTIPROC_DIR` switches prometheus_client to multiprocess mode so
that /metrics adds up every worker process.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

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


def exposition() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
