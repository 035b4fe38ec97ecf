"""The app's side: JSON access logs with request id, user id, route, status and duration; the
metrics the issue names are defined (once) and exported; scrape-time collectors say down."""

from __future__ import annotations

import json

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from finance_tracker.ops import metrics


@pytest.fixture
def sqlite_only(sqlite_database: str) -> str:
    from finance_tracker.store import migrate

    migrate.upgrade(sqlite_database)
    return sqlite_database


def test_an_access_log_line_is_json_with_request_id_route_status_and_duration(
    sqlite_only: str, settings_for, capsys: pytest.CaptureFixture[str]
) -> None:
    from finance_tracker import create_app

    app = create_app(settings_for(sqlite_only, log_level="INFO"))
    client = app.test_client()
    answer = client.get("/no-such-page", headers={"X-Request-ID": "abc123"})
    assert answer.headers["X-Request-ID"] == "abc123"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    (entry,) = [line for line in lines if line.get("logger") == "finance_tracker.access"]
    assert entry["request_id"] == "abc123"
    assert entry["status"] == 404 and entry["route"] == "unmatched" and entry["method"] == "GET"
    assert isinstance(entry["duration_ms"], float) and "user_id" in entry
    assert {"time", "level", "message"} <= entry.keys()
    app.extensions["finance_tracker"].database.dispose()


def test_metrics_named_by_the_issue_are_exported() -> None:
    text = metrics.exposition()[0].decode()
    for name in (
        "http_requests_total", "http_request_duration_seconds", "http_requests_in_flight",
        "finance_tracker_db_pool_connections_in_use", "finance_tracker_db_pool_connections_max",
        "finance_tracker_job_duration_seconds", "finance_tracker_jobs_total",
        "finance_tracker_import_rows_total", "finance_tracker_transactions_created_total",
        "finance_tracker_build_info", "traffic_sender_tps",
        "traffic_sender_request_duration_seconds",
    ):  # fmt: skip
        assert f"# TYPE {name} " in text or f"# TYPE {name.removesuffix('_total')} " in text, name


def test_metrics_are_defined_once_in_ops_metrics() -> None:
    """No module but ops/metrics.py creates a metric (code, alerts and dashboards share names)."""
    import pathlib
    import re

    src = pathlib.Path(metrics.__file__).parents[1]
    for path in src.rglob("*.py"):
        if path.name == "metrics.py" and path.parent.name == "ops":
            continue
        text = path.read_text()
        assert not re.search(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"", text), path


class _Broken:
    def ping(self) -> None:
        raise ConnectionError("down")


class _Fine:
    def ping(self) -> bool:
        return True


def test_the_dependency_collector_reports_down_without_raising() -> None:
    registry = CollectorRegistry()
    registry.register(metrics.DependencyCollector(_Broken(), _Fine()))
    text = generate_latest(registry).decode()
    assert 'finance_tracker_dependency_up{dependency="database"} 0.0' in text
    assert 'finance_tracker_dependency_up{dependency="redis"} 1.0' in text


def test_the_queue_collector_reports_redis_down_and_no_stale_depth() -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    registry = CollectorRegistry()
    registry.register(metrics.QueueCollector(client, "finance-tracker"))
    text = generate_latest(registry).decode()
    assert 'finance_tracker_dependency_up{dependency="redis"} 0.0' in text
    assert "finance_tracker_queue_jobs{" not in text
