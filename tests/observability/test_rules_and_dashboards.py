"""Static proof of the monitoring kit: promtool checks and unit-tests the rules, every alert has
tests that fire and stay silent plus a runbook section, the dashboards are what the generator
makes, use the datasource variable, correct units and no hard-coded instances."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
CHART = ROOT / "deploy" / "helm" / "finance-tracker"
RULE_FILES = sorted((MONITORING / "rules").glob("*.yaml"))
UNIT_TESTS = MONITORING / "tests" / "alerts-test.yaml"
RUNBOOK = ROOT / "docs" / "runbooks" / "alerts.md"
DASHBOARDS = {
    p.name: json.loads(p.read_text()) for p in sorted((CHART / "dashboards").glob("*.json"))
}


def _alerts() -> list[dict]:
    return [
        rule
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
        if "alert" in rule
    ]


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        unavailable(
            "promtool is not installed: apt-get install -y --no-install-recommends prometheus"
        )
    return str(path)


def test_deploy_monitoring_points_at_the_chart_s_files() -> None:
    """One copy: deploy/monitoring/{rules,dashboards} are the chart's folders (the chart must
    hold its files itself to be packaged)."""
    assert (MONITORING / "rules").resolve() == (CHART / "rules").resolve()
    assert (MONITORING / "dashboards").resolve() == (CHART / "dashboards").resolve()
    assert len(RULE_FILES) >= 2


def test_promtool_checks_the_rules() -> None:
    result = subprocess.run(
        [_promtool(), "check", "rules", *map(str, RULE_FILES)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_pass() -> None:
    result = subprocess.run(
        [_promtool(), "test", "rules", str(UNIT_TESTS)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_has_a_test_where_it_fires_and_one_where_it_stays_silent() -> None:
    suite = yaml.safe_load(UNIT_TESTS.read_text())
    assert {str(MONITORING / "tests" / f) for f in suite["rule_files"]} >= {
        str(MONITORING / "tests" / ".." / "rules" / p.name) for p in RULE_FILES
    }
    fires: set[str] = set()
    silent: set[str] = set()
    for case in suite["tests"]:
        for check in case.get("alert_rule_test", []):
            (fires if check["exp_alerts"] else silent).add(check["alertname"])
    names = {a["alert"] for a in _alerts()}
    assert names - fires == set(), "alerts never shown to fire"
    assert names - silent == set(), "alerts never shown to stay silent"


def test_every_alert_has_summary_description_severity_and_a_runbook_section() -> None:
    headings = {
        "#" + re.sub(r"[^a-z0-9-]", "", h.strip().lower().replace(" ", "-"))
        for h in re.findall(r"^## (.+)$", RUNBOOK.read_text(), re.M)
    }
    alerts = _alerts()
    assert len(alerts) >= 10
    for alert in alerts:
        annotations = alert["annotations"]
        assert annotations["summary"] and annotations["description"], alert["alert"]
        assert alert["labels"]["severity"] in {"critical", "warning"}, alert["alert"]
        page, anchor = annotations["runbook"].split("#")
        assert page == "docs/runbooks/alerts.md"
        assert f"#{anchor}" in headings and anchor == alert["alert"].lower(), alert["alert"]


def test_the_dashboards_are_what_the_generator_makes() -> None:
    spec = importlib.util.spec_from_file_location(
        "generate_dashboards", MONITORING / "generate_dashboards.py"
    )
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    rendered = generator.render()
    on_disk = {p.name: p.read_text() for p in (CHART / "dashboards").glob("*.json")}
    assert rendered == on_disk, "run `make dashboards`"
    uids = {d["uid"] for d in DASHBOARDS.values()}
    assert uids == {
        "finance-tracker", "finance-tracker-worker", "finance-tracker-dependencies",
        "finance-tracker-chaos", "finance-tracker-activity",
    }  # fmt: skip


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_a_dashboard_is_portable_and_its_units_fit(name: str) -> None:
    board = DASHBOARDS[name]
    assert {"uid", "title", "panels", "templating", "schemaVersion"} <= board.keys()
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    for panel in board["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert {"x", "y", "w", "h"} <= panel["gridPos"].keys()
        unit = panel["fieldConfig"]["defaults"]["unit"]
        for target in panel["targets"]:
            expr = target["expr"]
            is_ratio = ":ratio" in expr or " / " in expr
            assert "instance" not in expr, f"{panel['title']}: no hard-coded instance"
            assert not re.search(r"\d+\.\d+\.\d+\.\d+|localhost|:\d{2,5}\b", expr), panel["title"]
            if "_seconds" in expr and not is_ratio:
                assert unit == "s", panel["title"]
            if is_ratio:
                assert unit == "percentunit", panel["title"]
            if re.search(r"rate\(|:rate5m|_tps", expr) and not is_ratio:
                assert unit in {"reqps", "ops"}, panel["title"]


def test_compose_prometheus_loads_the_rules_and_scrapes_the_jobs_the_rules_read() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "compose" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/rules/*.yaml"]
    jobs = {c["job_name"] for c in config["scrape_configs"]}
    assert jobs == {"finance-tracker-web", "finance-tracker-worker", "finance-tracker-traffic"}
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    volumes = compose["services"]["prometheus"]["volumes"]
    assert "./deploy/helm/finance-tracker/rules:/etc/prometheus/rules:ro" in volumes
    grafana = compose["services"]["grafana"]["volumes"]
    assert any(v.startswith("./deploy/helm/finance-tracker/dashboards:") for v in grafana)
    promtool = shutil.which("promtool")
    if promtool:
        checked = subprocess.run(
            [promtool, "check", "config", "--syntax-only", str(ROOT / "deploy/compose/prometheus.yml")],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_kube_prometheus_stack_picks_up_our_objects_without_a_manual_step() -> None:
    values = yaml.safe_load((MONITORING / "kube-prometheus-stack-values.yaml").read_text())
    spec = values["prometheus"]["prometheusSpec"]
    for switch in ("serviceMonitor", "podMonitor", "rule"):
        assert spec[f"{switch}SelectorNilUsesHelmValues"] is False
    sidecar = values["grafana"]["sidecar"]["dashboards"]
    assert sidecar["enabled"] and sidecar["label"] == "grafana_dashboard"
    assert sidecar["searchNamespace"] == "ALL"
    application = (ROOT / "deploy" / "argocd" / "templates" / "monitoring.yaml").read_text()
    assert "ServerSideApply=true" in application


def _lost_keys(original: object, encoded: object, path: str = "") -> list[str]:
    if isinstance(original, dict) and isinstance(encoded, dict):
        lost = [f"{path}/{k}" for k in original if k not in encoded]
        for key in original.keys() & encoded.keys():
            lost += _lost_keys(original[key], encoded[key], f"{path}/{key}")
        return lost
    if isinstance(original, list) and isinstance(encoded, list):
        return [
            k
            for i, (a, b) in enumerate(zip(original, encoded, strict=True))
            for k in _lost_keys(a, b, f"{path}[{i}]")
        ]
    return []


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_a_dashboard_parses_as_grafana_s_schema_without_losing_a_key(name: str) -> None:
    """grafana-foundation-sdk parses leniently: a key it drops on re-encoding is a typo."""
    try:
        from grafana_foundation_sdk.cog.encoder import JSONEncoder
        from grafana_foundation_sdk.models.dashboard import Dashboard
    except ImportError:
        unavailable("grafana-foundation-sdk is missing: pip install -e '.[dev,deploy]'")
    board = DASHBOARDS[name]
    encoded = json.loads(JSONEncoder(sort_keys=True).encode(Dashboard.from_json(board)))
    assert _lost_keys(board, encoded) == []
