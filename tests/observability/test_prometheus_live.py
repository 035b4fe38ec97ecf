"""The real Prometheus (Debian's `prometheus`) scrapes a running web (gunicorn, multiprocess
metrics), worker and traffic sender with the project's rules; every dashboard query must return
data, and stopping the database must make its alert go pending.

Needs PostgreSQL, Redis and the `prometheus` binary (`apt-get install -y
--no-install-recommends prometheus`): skipped without them, failed under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
import yaml

from tests.conftest import REDIS_URL, SECRET, unavailable

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "finance-tracker"
RULES = sorted((CHART / "rules").glob("*.yaml"))
DASHBOARDS = {
    p.name: json.loads(p.read_text()) for p in sorted((CHART / "dashboards").glob("*.json"))
}
# Panels that read only series of kube-prometheus-stack's other exporters: no data off-cluster.
EXTERNAL_ONLY = {"Pod restarts (kube-state-metrics)"}
BIN = Path(sys.executable).parent
# A Redis database of its own (the queue name is fixed): emptied before and after.
REDIS_DB_URL = REDIS_URL.rsplit("/", 1)[0] + "/12"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(predicate: Callable[[], Any], seconds: float, step: float = 0.5) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = predicate()
        except (OSError, urllib.error.URLError, ValueError):
            result = None
        if result or time.monotonic() > deadline:
            return result
        time.sleep(step)


def _get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Processes:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.running):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
            for p in self.logs.glob("*.log")
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, postgresql_database: str) -> Iterator[dict]:
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        unavailable(
            "prometheus is not installed: apt-get install -y --no-install-recommends prometheus"
        )
    try:
        client = redis_lib.Redis.from_url(REDIS_DB_URL, socket_connect_timeout=2)
        client.flushdb()
    except redis_lib.RedisError as error:
        unavailable(f"Redis not reachable at {REDIS_DB_URL}: {error}")
    try:
        import finance_tracker.loadgen  # noqa: F401
    except ImportError:
        has_sender = False
    else:
        has_sender = True

    tmp = tmp_path_factory.mktemp("observability")
    ports = {name: _free_port() for name in ("web", "faulty", "worker", "traffic", "prometheus")}
    base_env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp),
        "SECRET_KEY": SECRET,
        "DATABASE_URL": postgresql_database,
        "REDIS_URL": REDIS_DB_URL,
        "DATA_DIR": str(tmp / "data"),
        "UPLOAD_DIR": str(tmp / "uploads"),
        "SESSION_COOKIE_SECURE": "false",
        "LOG_LEVEL": "INFO",
        "REGISTRATION": "open",  # the traffic sender signs its users up through the form
    }
    processes = Processes(tmp)
    migrated = subprocess.run(
        [str(BIN / "finance-tracker"), "db", "upgrade"],
        env=base_env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    try:
        processes.start(
            "web",
            [str(BIN / "finance-tracker"), "serve", "--production", "--workers", "2"],
            {**base_env, "HOST": "127.0.0.1", "PORT": str(ports["web"]),
             "FINANCE_TRACKER_ENV": "production",
             "PROMETHEUS_MULTIPROC_DIR": str(tmp / "multiproc-web")},
        )  # fmt: skip
        processes.start(
            "worker",
            [str(BIN / "finance-tracker"), "worker"],
            {**base_env, "METRICS_PORT": str(ports["worker"]), "METRICS_HOST": "127.0.0.1"},
        )
        web = f"http://127.0.0.1:{ports['web']}"
        assert _wait(lambda: _get(f"{web}/readyz")[0] == 200, 60), processes.tail()
        if has_sender:
            processes.start(
                "traffic",
                [str(BIN / "finance-tracker"), "traffic", "--target", web, "--rate", "8",
                 "--users", "3", "--metrics-host", "127.0.0.1",
                 "--metrics-port", str(ports["traffic"])],
                base_env,
            )  # fmt: skip
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s",
                       "scrape_timeout": "1s"},
            "rule_files": [str(p) for p in RULES],
            "scrape_configs": [
                # The faulty web (a database that does not answer) is started later: until
                # then its target is simply down, beside the healthy one.
                {"job_name": "finance-tracker-web", "static_configs": [{"targets": [
                    f"127.0.0.1:{ports['web']}", f"127.0.0.1:{ports['faulty']}"]}]},
                {"job_name": "finance-tracker-worker",
                 "static_configs": [{"targets": [f"127.0.0.1:{ports['worker']}"]}]},
                {"job_name": "finance-tracker-traffic",
                 "static_configs": [{"targets": [f"127.0.0.1:{ports['traffic']}"]}]},
            ],
        }  # fmt: skip
        (tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
        processes.start(
            "prometheus",
            [prometheus, f"--config.file={tmp / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{ports['prometheus']}"],
            base_env,
        )  # fmt: skip
        api = f"http://127.0.0.1:{ports['prometheus']}/api/v1"
        assert _wait(lambda: _get(f"{api}/status/buildinfo")[0] == 200, 60), processes.tail()
        yield {
            "api": api, "web": web, "ports": ports, "env": base_env, "processes": processes,
            "has_sender": has_sender,
        }  # fmt: skip
    finally:
        processes.stop_all()
        client.flushdb()


def _query(api: str, expr: str) -> list[dict]:
    status, body = _get(f"{api}/query?{urllib.parse.urlencode({'query': expr})}")
    assert status == 200, body
    return json.loads(body)["data"]["result"]


def _panel_queries() -> list[tuple[str, str, str]]:
    return [
        (board, panel["title"], target["expr"])
        for board, dashboard in DASHBOARDS.items()
        for panel in dashboard["panels"]
        for target in panel["targets"]
    ]


def test_every_dashboard_query_returns_data_from_the_live_prometheus(stack: dict) -> None:
    web = stack["web"]
    # A little traffic of our own too (the sender, when present, does the rest).
    for path in ("/", "/login", "/healthz", "/no-such-page"):
        _get(f"{web}{path}")
    wanted = [
        q for q in _panel_queries()
        if q[1] not in EXTERNAL_ONLY and (stack["has_sender"] or "traffic_sender" not in q[2])
    ]  # fmt: skip
    assert len(wanted) >= 30

    def empty() -> list[tuple[str, str, str]]:
        for path in ("/", "/login"):
            _get(f"{web}{path}")
        return [q for q in wanted if not _query(stack["api"], q[2])]

    missing = _wait(lambda: not empty(), 120, step=3)
    if not missing:
        left = empty()
        pytest.fail(f"panels without data: {left}\n{stack['processes'].tail()}")
    if not stack["has_sender"]:
        pytest.skip("finance_tracker.loadgen is missing: the traffic sender's panels were skipped")


def test_the_targets_are_up_and_the_web_adds_up_its_gunicorn_workers(stack: dict) -> None:
    jobs = {"finance-tracker-web", "finance-tracker-worker"}
    if stack["has_sender"]:
        jobs.add("finance-tracker-traffic")

    def up() -> dict[str, float]:
        result = _query(stack["api"], 'max by (job) (up{job=~"finance-tracker-.*"})')
        values = {r["metric"]["job"]: float(r["value"][1]) for r in result}
        return values if all(values.get(job) == 1 for job in jobs) else {}

    assert _wait(up, 60), stack["processes"].tail()
    # Two gunicorn workers answer /metrics in turn: each answer adds up both (multiprocess),
    # so the request counter never goes backwards between scrapes.
    for _ in range(10):
        _get(f"{stack['web']}/login")
    resets = 'sum(resets(http_requests_total{job="finance-tracker-web"}[1m]))'
    assert _wait(lambda: _query(stack["api"], resets), 30)
    assert float(_query(stack["api"], resets)[0]["value"][1]) == 0
    build = _query(stack["api"], "finance_tracker_build_info")
    assert {r["metric"]["job"] for r in build} >= {"finance-tracker-web", "finance-tracker-worker"}


def _alert_state(api: str, name: str) -> str | None:
    status, body = _get(f"{api}/alerts")
    assert status == 200, body
    states = [
        a["state"] for a in json.loads(body)["data"]["alerts"] if a["labels"]["alertname"] == name
    ]
    return states[0] if states else None


def test_a_database_that_stops_answering_makes_its_alert_go_pending(stack: dict) -> None:
    api = stack["api"]
    assert _alert_state(api, "FinanceTrackerDatabaseUnreachable") is None
    # A second web process whose database does not answer (a closed port): what a web pod
    # sees when PostgreSQL stops.
    dead_port = _free_port()
    faulty = {
        **stack["env"],
        "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{dead_port}/finance_tracker",
        "HOST": "127.0.0.1",
        "PORT": str(stack["ports"]["faulty"]),
        "AUTO_MIGRATE": "false",
        "FINANCE_TRACKER_ENV": "development",
    }
    stack["processes"].start("faulty-web", [str(BIN / "finance-tracker"), "serve", "--dev"], faulty)
    faulty_url = f"http://127.0.0.1:{stack['ports']['faulty']}"
    assert _wait(lambda: _get(f"{faulty_url}/healthz")[0] == 200, 60), stack["processes"].tail()

    def probed(alert: str) -> Callable[[], bool]:
        # The kubelet keeps probing: a readiness counter seen only once has no rate.
        def check() -> bool:
            _get(f"{faulty_url}/readyz")  # answered 503
            return _alert_state(api, alert) in ("pending", "firing")

        return check

    assert _wait(probed("FinanceTrackerDatabaseUnreachable"), 60, step=1), stack["processes"].tail()

    def both() -> list[float]:
        up = _query(api, 'finance_tracker_dependency_up{dependency="database"}')
        values = sorted(float(r["value"][1]) for r in up)
        return values if values == [0.0, 1.0] else []

    assert _wait(both, 30), "the healthy web says 1, the faulty one 0"
    # The failing readiness probes make their alert pending as well; Redis stays fine.
    assert _wait(probed("FinanceTrackerReadinessFailing"), 30, step=1)
    assert _alert_state(api, "FinanceTrackerRedisUnreachable") is None
