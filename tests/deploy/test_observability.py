"""The Grafana dashboard and the alerts read metrics the app really exposes, through the
datasource and the job label they will really have."""

from __future__ import annotations

import json

from tests.deploy.conftest import CHART, by_kind, chart_docs, module

DASHBOARD = json.loads((CHART / "dashboards" / "finance-tracker.json").read_text())
# Added by the traffic-sender issue; the dashboard shows "No data" until then.
PENDING = {"traffic_sender_tps"}


def _app_metric_names() -> set[str]:
    from prometheus_client import REGISTRY

    import finance_tracker.ops.metrics  # noqa: F401  (registers the app's metrics)

    names = set()
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
    tree = promql.parse(expr.replace("$job", ".+"))
    names: set[str] = set()

    def visit(node: object) -> bool:
        if isinstance(node, promql.VectorSelector):
            names.add(node.name)
        return True

    promql.walk(tree, visit)
    return names


def _panels() -> list[dict]:
    return DASHBOARD["panels"]


def test_every_dashboard_query_reads_a_metric_the_app_exposes() -> None:
    known = _app_metric_names() | PENDING | {"up"}
    for panel in _panels():
        for target in panel["targets"]:
            unknown = _metrics_in(target["expr"]) - known
            assert unknown == set(), f"{panel['title']}: {unknown}"


def test_the_dashboard_uses_the_prometheus_datasource_uid_of_kube_prometheus_stack() -> None:
    for panel in _panels():
        assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "prometheus"
    ids = [p["id"] for p in _panels()]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    assert DASHBOARD["uid"] == "finance-tracker"


def test_the_dashboard_panels_do_not_overlap() -> None:
    cells = set()
    for panel in _panels():
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, panel["title"]
                cells.add((x, y))


def test_the_dashboard_config_map_holds_the_same_dashboard() -> None:
    config_map = next(
        d for d in chart_docs("default") if d["metadata"]["name"] == "finance-tracker-dashboard"
    )
    assert json.loads(config_map["data"]["finance-tracker.json"]) == DASHBOARD


def test_the_alerts_read_app_metrics_of_the_web_service_s_job() -> None:
    docs = chart_docs("default")
    (rule,) = by_kind(docs, "PrometheusRule")
    (monitor,) = [
        m for m in by_kind(docs, "ServiceMonitor") if m["metadata"]["name"].endswith("web")
    ]
    service = next(
        s for s in by_kind(docs, "Service") if s["metadata"]["name"] == "finance-tracker-web"
    )
    assert monitor["spec"].get("jobLabel") is None, "job = the Service's name"
    known = _app_metric_names() | {"up"}
    alerts = [r for group in rule["spec"]["groups"] for r in group["rules"]]
    assert {a["alert"] for a in alerts} >= {"FinanceTrackerWebDown", "FinanceTrackerHighErrorRatio"}
    for alert in alerts:
        assert f'job="{service["metadata"]["name"]}"' in alert["expr"], alert["alert"]
        assert _metrics_in(alert["expr"]) <= known, alert["alert"]
        assert alert["labels"]["severity"] in {"critical", "warning"}
        assert alert["annotations"]["summary"]
