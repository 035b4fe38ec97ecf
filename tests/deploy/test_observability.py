"""The Grafana dashboard and the alerts read metrics the app really exposes, through the
datasource and the job label they will really have."""

from __future__ import annotations

import json

import yaml

from tests.deploy.conftest import CHART, by_kind, chart_docs, module

DASHBOARDS = {
    p.name: json.loads(p.read_text()) for p in sorted((CHART / "dashboards").glob("*.json"))
}
DASHBOARD = DASHBOARDS["finance-tracker.json"]
RULE_FILES = sorted((CHART / "rules").glob("*.yaml"))
# Series other exporters of kube-prometheus-stack provide (kube-state-metrics), not the app.
EXTERNAL = {"kube_pod_container_status_restarts_total"}
PENDING: set[str] = set()


def _app_metric_names() -> set[str]:
    from prometheus_client import REGISTRY

    from finance_tracker.ops import metrics  # registers the app's metrics

    names = set(metrics.SCRAPE_TIME_METRICS)  # made by collectors at scrape time
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
        if family.type == "histogram":
            names.update(f"{family.name}{s}" for s in ("_bucket", "_sum", "_count"))
        if family.type == "counter":
            names.add(f"{family.name}_total")
    return names


def _metrics_in(expr: str) -> set[str]:
    """Parse the PromQL (a syntax error fails the test) and return the metric names it reads.
    Grafana's `$job` variable is replaced by the regex it expands to."""
    promql = module("promql_parser")
    tree = promql.parse(expr.replace("$job", ".+").replace("$__rate_interval", "5m"))
    names: set[str] = set()

    def visit(node: object) -> bool:
        if isinstance(node, promql.VectorSelector):
            names.add(node.name)
        return True

    promql.walk(tree, visit)
    return names


def _recorded() -> set[str]:
    return {
        rule["record"]
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "record" in rule
    }


def _panels() -> list[dict]:
    return [panel for board in DASHBOARDS.values() for panel in board["panels"]]


def test_every_dashboard_query_reads_a_metric_the_app_exposes() -> None:
    known = _app_metric_names() | _recorded() | PENDING | EXTERNAL | {"up"}
    for panel in _panels():
        for target in panel["targets"]:
            unknown = _metrics_in(target["expr"]) - known
            assert unknown == set(), f"{panel['title']}: {unknown}"


def test_the_dashboards_use_the_datasource_variable_defaulting_to_kube_prometheus_stack_s() -> None:
    for board in DASHBOARDS.values():
        (variable,) = [v for v in board["templating"]["list"] if v["type"] == "datasource"]
        assert variable["query"] == "prometheus"
        assert variable["current"]["value"] == "prometheus"
        for panel in board["panels"]:
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == "${datasource}"
        ids = [p["id"] for p in board["panels"]]
        assert len(ids) == len(set(ids)), "panel ids are unique"
    assert DASHBOARD["uid"] == "finance-tracker"
    assert len({b["uid"] for b in DASHBOARDS.values()}) == len(DASHBOARDS)


def test_the_dashboard_panels_do_not_overlap() -> None:
    for board in DASHBOARDS.values():
        cells = set()
        for panel in board["panels"]:
            grid = panel["gridPos"]
            assert grid["x"] + grid["w"] <= 24
            for x in range(grid["x"], grid["x"] + grid["w"]):
                for y in range(grid["y"], grid["y"] + grid["h"]):
                    assert (x, y) not in cells, panel["title"]
                    cells.add((x, y))


def test_the_dashboard_config_map_holds_the_same_dashboards() -> None:
    config_map = next(
        d for d in chart_docs("default") if d["metadata"]["name"] == "finance-tracker-dashboard"
    )
    assert {k: json.loads(v) for k, v in config_map["data"].items()} == DASHBOARDS


def test_the_prometheus_rule_holds_exactly_the_rule_files() -> None:
    (rule,) = by_kind(chart_docs("default"), "PrometheusRule")
    groups = [g for path in RULE_FILES for g in yaml.safe_load(path.read_text())["groups"]]
    assert rule["spec"]["groups"] == groups


def test_the_alerts_read_app_metrics_of_the_jobs_the_service_monitors_set() -> None:
    docs = chart_docs("default")
    (rule,) = by_kind(docs, "PrometheusRule")
    for monitor in by_kind(docs, "ServiceMonitor"):
        component = monitor["metadata"]["labels"]["app.kubernetes.io/component"]
        (endpoint,) = monitor["spec"]["endpoints"]
        assert {"targetLabel": "job", "replacement": f"finance-tracker-{component}"} in endpoint[
            "relabelings"
        ]
    known = _app_metric_names() | EXTERNAL | {"up"}
    alerts = [r for group in rule["spec"]["groups"] for r in group["rules"] if "alert" in r]
    assert {a["alert"] for a in alerts} >= {"FinanceTrackerWebDown", "FinanceTrackerHighErrorRatio"}
    for alert in alerts:
        names = _metrics_in(alert["expr"])
        assert names <= known, alert["alert"]
        if not names <= EXTERNAL:
            assert (
                'job="finance-tracker-' in alert["expr"]
                or 'job=~"finance-tracker-' in (alert["expr"])
            ), alert["alert"]
        assert alert["labels"]["severity"] in {"critical", "warning"}
        assert alert["annotations"]["summary"]
