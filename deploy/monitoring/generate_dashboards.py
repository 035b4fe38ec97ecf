"""Write the Grafana dashboards (deploy/helm/finance-tracker/dashboards/*.json) from this file.

The chart's ConfigMaps and compose's Grafana read those JSON files; this script is how they are
made (`make dashboards`), and tests/observability fails if the files drift from it. Every query
reads the recording rules of deploy/monitoring/rules where one exists, and the `job` names the
ServiceMonitors (and compose's Prometheus) give: finance-tracker-web, -worker, -traffic.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "helm" / "finance-tracker" / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
WEB = 'job="finance-tracker-web"'
WORKER = 'job="finance-tracker-worker"'
TRAFFIC = 'job="finance-tracker-traffic"'


def panel(kind: str, title: str, unit: str, exprs: list[tuple[str, str]], w: int, h: int,
          description: str = "") -> dict:  # fmt: skip
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"]}} if kind == "stat" else {},
        "targets": [
            {"refId": chr(65 + i), "datasource": DATASOURCE, "expr": expr, "legendFormat": legend}
            for i, (expr, legend) in enumerate(exprs)
        ],
        "gridPos": {"w": w, "h": h},
    }


def dashboard(uid: str, title: str, description: str, panels: list[dict]) -> dict:
    x = y = row_h = 0
    for number, p in enumerate(panels, start=1):
        grid = p["gridPos"]
        if x + grid["w"] > 24:
            x, y, row_h = 0, y + row_h, 0
        grid.update(x=x, y=y)
        x += grid["w"]
        row_h = max(row_h, grid["h"])
        p["id"] = number
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["finance-tracker"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {"selected": True, "text": "Prometheus", "value": "prometheus"},
                    "hide": 0,
                    "refresh": 1,
                }
            ]
        },
        "annotations": {"list": []},
        "links": [
            {
                "type": "dashboards",
                "tags": ["finance-tracker"],
                "asDropdown": True,
                "title": "Finance Tracker",
            }
        ],  # fmt: skip
        "panels": panels,
    }


def overview() -> dict:
    return dashboard(
        "finance-tracker",
        "Finance Tracker / Service overview",
        "Rate, errors and duration (RED) of the web app, by route and status.",
        [
            panel("stat", "Requests per second", "reqps",
                  [(f"sum(job:http_requests:rate5m{{{WEB}}})", "req/s")], 6, 4),
            panel("stat", "5xx ratio", "percentunit",
                  [(f"job:http_requests_5xx:ratio_rate5m{{{WEB}}}", "5xx")], 6, 4),
            panel("stat", "95th percentile of request time", "s",
                  [(f"job:http_request_duration_seconds:p95_5m{{{WEB}}}", "p95")], 6, 4),
            panel("stat", "Web pods up", "none", [(f"sum(up{{{WEB}}})", "up")], 6, 4),
            panel("timeseries", "Requests by route and status", "reqps",
                  [(f"sum by (route, status) (job_route_status:http_requests:rate5m{{{WEB}}})",
                    "{{route}} {{status}}")], 12, 8),
            panel("timeseries", "95th percentile by route", "s",
                  [(f"job_route:http_request_duration_seconds:p95_5m{{{WEB}}}", "{{route}}")],
                  12, 8),
            panel("timeseries", "Requests in flight", "none",
                  [(f"sum(http_requests_in_flight{{{WEB}}})", "in flight")], 8, 8),
            panel("timeseries", "Failed readiness probes", "reqps",
                  [(f'sum(rate(http_requests_total{{{WEB}, route="/readyz", status="503"}}[5m]))'
                    " or vector(0)", "503/s")], 8, 8),
            panel("stat", "Build", "none",
                  [(f"max by (version, commit) (finance_tracker_build_info{{{WEB}}})",
                    "{{version}} {{commit}}")], 8, 8),
        ],
    )  # fmt: skip


def worker() -> dict:
    return dashboard(
        "finance-tracker-worker",
        "Finance Tracker / Worker and queue",
        "Background jobs (imports, recurring transactions) and the RQ queue.",
        [
            panel("stat", "Workers up", "none", [(f"sum(up{{{WORKER}}})", "up")], 8, 4),
            panel("stat", "Jobs waiting", "none",
                  [(f'sum(finance_tracker_queue_jobs{{{WORKER}, state="queued"}})', "queued")],
                  8, 4),
            panel("stat", "Failed jobs kept", "none",
                  [(f'sum(finance_tracker_queue_jobs{{{WORKER}, state="failed"}})', "failed")],
                  8, 4),
            panel("timeseries", "Queue by state", "none",
                  [(f"sum by (state) (finance_tracker_queue_jobs{{{WORKER}}})", "{{state}}")],
                  12, 8),
            panel("timeseries", "Jobs finished by type and outcome", "ops",
                  [("job_type_outcome:finance_tracker_jobs:rate5m", "{{job_type}} {{outcome}}")],
                  12, 8),
            panel("timeseries", "95th percentile of job time", "s",
                  [("job_type:finance_tracker_job_duration_seconds:p95_5m", "{{job_type}}")],
                  24, 8),
        ],
    )  # fmt: skip


def dependencies() -> dict:
    return dashboard(
        "finance-tracker-dependencies",
        "Finance Tracker / Database and Redis",
        "Reachability of PostgreSQL and Redis (pinged at scrape time) and the connection pools.",
        [
            panel("timeseries", "Dependency up (1) or down (0)", "none",
                  [("min by (job, dependency) (finance_tracker_dependency_up)",
                    "{{job}} → {{dependency}}")], 12, 8),
            panel("gauge", "Web connection pool use", "percentunit",
                  [(f"sum(finance_tracker_db_pool_connections_in_use{{{WEB}}})"
                    f" / sum(finance_tracker_db_pool_connections_max{{{WEB}}})", "in use")],
                  12, 8),
            panel("timeseries", "Connections in use", "none",
                  [("sum by (job) (finance_tracker_db_pool_connections_in_use)", "{{job}}")],
                  12, 8),
            panel("timeseries", "Most connections the pools may open", "none",
                  [("sum by (job) (finance_tracker_db_pool_connections_max)", "{{job}}")],
                  12, 8),
        ],
    )  # fmt: skip


def chaos() -> dict:
    return dashboard(
        "finance-tracker-chaos",
        "Finance Tracker / Traffic and chaos",
        "What the traffic sender sees beside what the app reports, and pod restarts: one screen "
        "to watch during a chaos experiment.",
        [
            panel("timeseries", "Traffic sender TPS", "reqps",
                  [(f"sum(traffic_sender_tps{{{TRAFFIC}}})", "TPS")], 8, 8),
            panel("timeseries", "Traffic sender p95", "s",
                  [(f"job:traffic_sender_request_duration_seconds:p95_5m{{{TRAFFIC}}}", "sender"),
                   (f"job:http_request_duration_seconds:p95_5m{{{WEB}}}", "web")], 8, 8),
            panel("timeseries", "Error ratio", "percentunit",
                  [(f"job:traffic_sender_requests_error:ratio_rate5m{{{TRAFFIC}}}", "sender"),
                   (f"job:http_requests_5xx:ratio_rate5m{{{WEB}}}", "web 5xx")], 8, 8),
            panel("timeseries", "Sender outcomes", "reqps",
                  [(f"sum by (outcome) (rate(traffic_sender_requests_total{{{TRAFFIC}}}[5m]))",
                    "{{outcome}}")], 8, 8),
            panel("timeseries", "Pod restarts (kube-state-metrics)", "none",
                  [('sum by (pod) (increase(kube_pod_container_status_restarts_total'
                    '{pod=~".*finance-tracker-.*"}[5m]))', "{{pod}}")], 8, 8,
                  "From kube-state-metrics (kube-prometheus-stack); empty outside Kubernetes."),
            panel("timeseries", "Targets up", "none",
                  [('sum by (job) (up{job=~"finance-tracker-.*"})', "{{job}}")], 8, 8),
        ],
    )  # fmt: skip


def activity() -> dict:
    return dashboard(
        "finance-tracker-activity",
        "Finance Tracker / Finance activity",
        "Transactions and imports over time: counts only, never amounts, users or accounts.",
        [
            panel("stat", "Transactions created (24h)", "none",
                  [("sum(increase(finance_tracker_transactions_created_total[24h]))",
                    "created")], 8, 4),
            panel("stat", "Rows imported (24h)", "none",
                  [('sum(increase(finance_tracker_import_rows_total{outcome="imported"}[24h]))',
                    "imported")], 8, 4),
            panel("stat", "Users registered (24h)", "none",
                  [("sum(increase(finance_tracker_users_registered_total[24h]))",
                    "registered")], 8, 4),
            panel("timeseries", "Transactions created by source", "ops",
                  [("source:finance_tracker_transactions_created:rate5m", "{{source}}")], 12, 8),
            panel("timeseries", "Imported rows by format and outcome", "ops",
                  [("format_outcome:finance_tracker_import_rows:rate5m",
                    "{{format}} {{outcome}}")], 12, 8),
            panel("timeseries", "Imports by outcome", "ops",
                  [('sum by (outcome) (job_type_outcome:finance_tracker_jobs:rate5m'
                    '{job_type="import"})', "{{outcome}}")], 12, 8),
            panel("timeseries", "Logins by outcome", "ops",
                  [("sum by (outcome) (rate(finance_tracker_logins_total[5m]))", "{{outcome}}")],
                  12, 8),
        ],
    )  # fmt: skip


DASHBOARDS = {
    "finance-tracker.json": overview,
    "finance-tracker-worker.json": worker,
    "finance-tracker-dependencies.json": dependencies,
    "finance-tracker-chaos.json": chaos,
    "finance-tracker-activity.json": activity,
}


def render() -> dict[str, str]:
    return {name: json.dumps(make(), indent=2) + "\n" for name, make in DASHBOARDS.items()}


def main() -> None:
    for name, text in render().items():
        (OUT / name).write_text(text)
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
