"""The Helm chart: lint, render, values schema, README — what a chart reviewer checks first."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import (
    CHART,
    COMBINATIONS,
    NAMESPACE,
    RELEASE,
    by_kind,
    chart_docs,
    module,
    named,
    pod_spec,
    render_chart,
    schema_refusal,
    values_of,
    workloads,
)

BAD_VALUES = Path(__file__).parent / "fixtures" / "bad-values"


def _lint(values: dict[str, Any]) -> dict[str, Any]:
    helm = module("helm_python")
    return helm.lint(str(CHART), values, strict=True, kube_version="v1.37.0")


def test_helm_lint_passes_strictly_with_the_defaults() -> None:
    report = _lint({})
    # lint() never raises: its findings are data.
    assert report["errors"] == []
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert problems == [], problems


@pytest.mark.parametrize("combination", [c for c in COMBINATIONS if c != "default"])
def test_helm_lint_passes_strictly_with_each_values_combination(combination: str) -> None:
    report = _lint(values_of(combination))
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_every_combination_renders_objects(combination: str) -> None:
    docs = chart_docs(combination)
    assert len(docs) >= 15
    assert {"Deployment", "Service", "ConfigMap", "NetworkPolicy"} <= {d["kind"] for d in docs}


def test_the_chart_is_namespace_agnostic(combination: str) -> None:
    """No object names a namespace: `helm -n`, Argo CD or kustomize decide where it lands."""
    for doc in chart_docs(combination):
        assert "namespace" not in doc["metadata"], f"{doc['kind']} {doc['metadata']['name']}"
    helm = module("helm_python")
    chart = helm.Chart.load(str(CHART))
    try:
        elsewhere = chart.render(
            values_of(combination), name=RELEASE, namespace="somewhere-else", is_install=True
        )
    finally:
        chart.close()
    mine = render_chart(combination)

    def stable(text: str) -> str:  # generated secrets, and their checksums, differ per render
        return "\n".join(line for line in text.splitlines() if "checksum/secret" not in line)

    for template in mine:
        if not template.endswith(".yaml"):
            continue
        assert NAMESPACE not in mine[template], template
        if not template.endswith("/secret.yaml"):
            assert stable(elsewhere[template]) == stable(mine[template]), template


def test_the_defaults_are_the_issue_s_shape() -> None:
    docs = chart_docs("default")
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for kind, name in [
        ("Deployment", "finance-tracker-web"),
        ("Deployment", "finance-tracker-worker"),
        ("Deployment", "finance-tracker-redis"),
        ("StatefulSet", "finance-tracker-postgresql"),
        ("Service", "finance-tracker-postgresql"),
        ("Service", "finance-tracker-web"),
        ("Job", "finance-tracker-migrations"),
        ("CronJob", "finance-tracker-recurring"),
        ("PersistentVolumeClaim", "finance-tracker-uploads"),
        ("HorizontalPodAutoscaler", "finance-tracker-web"),
        ("PodDisruptionBudget", "finance-tracker-web"),
        ("ServiceAccount", "finance-tracker"),
        ("ConfigMap", "finance-tracker"),
        ("Secret", "finance-tracker"),
        ("ServiceMonitor", "finance-tracker-web"),
        ("PrometheusRule", "finance-tracker"),
        ("ConfigMap", "finance-tracker-dashboard"),
        ("NetworkPolicy", "finance-tracker-default-deny"),
    ]:
        assert (kind, name) in names, f"{kind} {name} missing"
    assert not {n for k, n in names if "traffic" in n}, "the traffic sender is off by default"
    web = named(docs, "Deployment", "finance-tracker-web")
    container = web["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"] == {"cpu": "250m", "memory": "512Mi"}
    assert web["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    hpa = by_kind(docs, "HorizontalPodAutoscaler")[0]
    assert hpa["spec"]["minReplicas"] == 2
    pvc = by_kind(docs, "PersistentVolumeClaim")[0]
    assert pvc["spec"]["resources"]["requests"]["storage"] == "10Gi"
    postgres = by_kind(docs, "StatefulSet")[0]
    claim = postgres["spec"]["volumeClaimTemplates"][0]
    assert claim["spec"]["resources"]["requests"]["storage"] == "20Gi"
    assert postgres["spec"]["serviceName"] == "finance-tracker-postgresql"
    headless = [s for s in by_kind(docs, "Service") if s["metadata"]["name"].endswith("postgresql")]
    assert headless[0]["spec"]["clusterIP"] == "None"


def test_hpa_off_sets_the_replicas_and_drops_the_autoscaler() -> None:
    docs = chart_docs("hpa-off")
    assert by_kind(docs, "HorizontalPodAutoscaler") == []
    web = named(docs, "Deployment", "finance-tracker-web")
    assert web["spec"]["replicas"] == 3
    # With the HPA on, the Deployment leaves replicas to it (no fight on every sync).
    default_web = named(chart_docs("default"), "Deployment", "finance-tracker-web")
    assert "replicas" not in default_web["spec"]


def test_external_db_renders_no_database_and_reads_urls_from_the_secret() -> None:
    docs = chart_docs("external-db")
    assert by_kind(docs, "StatefulSet") == []
    assert "finance-tracker-redis" not in {d["metadata"]["name"] for d in docs}
    for workload in workloads(docs):
        for container in (
            (workload["spec"].get("template") or {}).get("spec", {}).get("containers", [])
        ):
            env = {e["name"]: e for e in container.get("env", [])}
            if "DATABASE_URL" in env:
                ref = env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]
                assert ref == {"name": "finance-tracker", "key": "database-url"}
                assert env["REDIS_URL"]["valueFrom"]["secretKeyRef"]["key"] == "redis-url"
    secret = by_kind(docs, "Secret")[0]
    assert set(secret["data"]) == {"secret-key", "database-url", "redis-url"}


def test_ingress_with_tls_uses_the_class_and_the_certificate() -> None:
    ingress = by_kind(chart_docs("ingress-tls"), "Ingress")[0]
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"] == [
        {"secretName": "finance-tracker-tls", "hosts": ["finance.example.com"]}
    ]
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt"
    assert by_kind(chart_docs("default"), "Ingress") == [], "no Ingress unless asked for"


def test_monitoring_off_renders_no_monitoring_objects() -> None:
    docs = chart_docs("monitoring-off")
    assert by_kind(docs, "ServiceMonitor") == []
    assert by_kind(docs, "PrometheusRule") == []
    assert "finance-tracker-dashboard" not in {d["metadata"]["name"] for d in docs}


def test_monitoring_objects_carry_the_labels_kube_prometheus_stack_selects_by() -> None:
    docs = chart_docs("traffic-on")
    for doc in by_kind(docs, "ServiceMonitor") + by_kind(docs, "PrometheusRule"):
        assert doc["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    dashboard = next(d for d in docs if d["metadata"]["name"] == "finance-tracker-dashboard")
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert dashboard["metadata"]["annotations"]["grafana_folder"] == "Finance Tracker"


def test_traffic_sender_targets_the_web_service_with_a_metrics_port() -> None:
    docs = chart_docs("traffic-on")
    sender = next(d for d in docs if d["metadata"]["name"] == "finance-tracker-traffic"
                  and d["kind"] == "Deployment")  # fmt: skip
    container = sender["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == [
        "finance-tracker", "traffic", "--target", "http://finance-tracker-web:80", "--rate", "20",
    ]  # fmt: skip
    assert container["ports"] == [{"name": "metrics", "containerPort": 9100, "protocol": "TCP"}]
    monitors = {m["metadata"]["name"]: m for m in by_kind(docs, "ServiceMonitor")}
    assert monitors["finance-tracker-traffic"]["spec"]["endpoints"][0]["port"] == "metrics"


def test_existing_secret_renders_no_secret_and_every_reference_uses_it() -> None:
    docs = chart_docs("existing-secret")
    assert by_kind(docs, "Secret") == []
    text = yaml.safe_dump_all(docs)
    assert "finance-tracker-from-vault" in text
    names = {m.group(1) for m in re.finditer(r"secretKeyRef:\n\s+key: \S+\n\s+name: (\S+)", text)}
    assert names == {"finance-tracker-from-vault"}


def test_a_generated_secret_key_is_long_enough_for_production() -> None:
    import base64

    secret = by_kind(chart_docs("default"), "Secret")[0]
    assert len(base64.b64decode(secret["data"]["secret-key"])) >= 32
    assert len(base64.b64decode(secret["data"]["postgres-password"])) >= 24


def test_app_settings_are_the_ones_the_app_reads() -> None:
    """The ConfigMap sets production mode, no auto-migration, HOST=0.0.0.0 and the data paths."""
    config = next(d for d in chart_docs("default") if d["metadata"]["name"] == "finance-tracker"
                  and d["kind"] == "ConfigMap")["data"]  # fmt: skip
    assert config["FINANCE_TRACKER_ENV"] == "production"
    assert config["AUTO_MIGRATE"] == "false"
    assert config["HOST"] == "0.0.0.0"  # noqa: S104  (a container must listen beyond loopback)
    assert config["PORT"] == "5000"
    assert config["REDIS_URL"] == "redis://finance-tracker-redis:6379/0"
    assert {"WEB_WORKERS", "LOG_LEVEL", "DATA_DIR", "UPLOAD_DIR"} <= set(config)
    from finance_tracker.settings import Settings

    known = {name.upper() for name in Settings.model_fields} | {
        (f.alias or "").upper() for f in Settings.model_fields.values()
    }
    assert set(config) <= known, set(config) - known


def test_trusted_hosts_keep_the_probes_working() -> None:
    """Flask refuses a Host it does not trust, and the kubelet probes by pod IP."""
    docs = chart_docs("existing-secret")
    config = next(d for d in docs if d["kind"] == "ConfigMap" and "data" in d
                  and "TRUSTED_HOSTS" in d["data"])["data"]  # fmt: skip
    assert config["TRUSTED_HOSTS"] == "finance.example.com,localhost"
    web = next(d for d in docs if d["metadata"]["name"] == "finance-tracker-web"
               and d["kind"] == "Deployment")  # fmt: skip
    container = web["spec"]["template"]["spec"]["containers"][0]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        headers = container[probe]["httpGet"]["httpHeaders"]
        assert headers == [{"name": "Host", "value": "localhost"}]


def _config(docs: list[dict[str, Any]]) -> dict[str, str]:
    return named(docs, "ConfigMap", "finance-tracker")["data"]


def _app_env(docs: list[dict[str, Any]], workload: str) -> dict[str, Any]:
    container = named(docs, "Deployment", workload)["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container.get("env", [])}


def test_sign_up_is_automatic_unless_the_values_choose() -> None:
    """Empty config.registration writes no REGISTRATION: the app's own default decides (email
    with a mail server, else first-user). The sender's combinations choose `open`."""
    default = _config(chart_docs("default"))
    assert not {"REGISTRATION", "PUBLIC_URL", "MAIL_FROM"} & set(default)
    assert not [key for key in default if key.startswith("SMTP_")]
    # An Ingress with TLS alone writes no PUBLIC_URL: it is derived for mail only.
    assert "PUBLIC_URL" not in _config(chart_docs("ingress-tls"))
    assert _config(chart_docs("traffic-on"))["REGISTRATION"] == "open"
    assert _config(chart_docs("kind"))["REGISTRATION"] == "open"
    for environment in ("staging", "production"):
        values = yaml.safe_load((CHART / f"values-{environment}.yaml").read_text())
        assert not values.get("config", {}).get("registration"), f"{environment}: automatic"


def test_mail_settings_go_to_the_config_map_and_the_password_to_the_secret() -> None:
    import base64

    docs = chart_docs("mail")
    config = _config(docs)
    assert config["REGISTRATION"] == "email"
    assert config["PUBLIC_URL"] == "https://money.example.com", "derived from the TLS host"
    assert {
        key: config[key] for key in config if key.startswith("SMTP_") or key == "MAIL_FROM"
    } == {
        "SMTP_HOST": "smtp.example.com",
        "SMTP_PORT": "465",
        "SMTP_SECURITY": "tls",
        "SMTP_USERNAME": "finance-tracker@example.com",
        "SMTP_TIMEOUT_SECONDS": "15",
        "MAIL_FROM": "Finance Tracker <finance-tracker@example.com>",
    }
    password = values_of("mail")["mail"]["password"]
    for config_map in by_kind(docs, "ConfigMap"):
        assert "SMTP_PASSWORD" not in config_map.get("data", {})
        assert password not in yaml.safe_dump(config_map), config_map["metadata"]["name"]
    secret = named(docs, "Secret", "finance-tracker")
    assert base64.b64decode(secret["data"]["smtp-password"]).decode() == password
    for workload in ("finance-tracker-web", "finance-tracker-worker"):
        env = _app_env(docs, workload)
        assert env["SMTP_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": "finance-tracker", "key": "smtp-password",
        }  # fmt: skip
    # Without a login there is no password to keep.
    assert "smtp-password" not in named(chart_docs("default"), "Secret", "finance-tracker")["data"]
    assert "SMTP_PASSWORD" not in _app_env(chart_docs("default"), "finance-tracker-web")


def test_the_ecb_s_rates_are_fetched_only_when_the_values_say_so() -> None:
    assert not {"ECB_RATES_FETCH", "ECB_RATES_URL"} & set(_config(chart_docs("default")))
    config = _config(chart_docs("mail"))
    assert (config["ECB_RATES_FETCH"], config["ECB_RATES_URL"]) == (
        "true", "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip",
    )  # fmt: skip
    mirror = _config(chart_docs("no-worker"))["ECB_RATES_URL"]
    assert mirror == "http://rates-mirror.example.com/eurofxref-hist.zip"


def test_an_existing_secret_gives_the_smtp_password_and_public_url_wins() -> None:
    docs = chart_docs("existing-secret")
    config = _config(docs)
    assert config["REGISTRATION"] == "closed"
    assert config["PUBLIC_URL"] == "https://finance.example.com"
    assert config["SMTP_HOST"] == "smtp.mail.svc" and config["SMTP_PORT"] == "587"
    assert config["SMTP_SECURITY"] == "starttls"
    assert "MAIL_FROM" not in config, "empty mail.from: the app's default"
    env = _app_env(docs, "finance-tracker-worker")
    assert env["SMTP_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "finance-tracker-from-vault", "key": "smtp-password",
    }  # fmt: skip


RENDER_FAILS = Path(__file__).parent / "fixtures" / "render-fails"


@pytest.mark.parametrize("bad", sorted(RENDER_FAILS.glob("*.yaml")), ids=lambda p: p.stem)
def test_values_that_cannot_work_together_fail_the_render_with_the_reason(bad: Path) -> None:
    """The schema takes each fixture (a schema refusal would be a HelmValuesError); the render
    refuses it with a `fail` that says why (the fixture's first line)."""
    expected = bad.read_text().splitlines()[0].removeprefix("# expect: ").strip()
    values = yaml.safe_load(bad.read_text())
    helm = module("helm_python")
    chart = helm.Chart.load(str(CHART))
    try:
        with pytest.raises(helm.HelmRenderError) as refused:
            chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    finally:
        chart.close()
    assert expected in str(refused.value), refused.value


# ---- the worker and Redis go together ----------------------------------------------------------


def _render(values: dict[str, Any]) -> dict[str, str]:
    helm = module("helm_python")
    chart = helm.Chart.load(str(CHART))
    try:
        return dict(chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True))
    finally:
        chart.close()


def _redis_sources(docs: list[dict[str, Any]]) -> list[str]:
    """Everything that would give the app a Redis: the ConfigMap's REDIS_URL, a container's
    REDIS_URL, a Secret's redis-url, the Redis Deployment."""
    found = [f"ConfigMap {c['metadata']['name']}" for c in by_kind(docs, "ConfigMap")
             if "REDIS_URL" in (c.get("data") or {})]  # fmt: skip
    found += [f"Secret {s['metadata']['name']}" for s in by_kind(docs, "Secret")
              if "redis-url" in s["data"]]  # fmt: skip
    for workload in workloads(docs):
        spec = pod_spec(workload)
        for container in spec.get("initContainers", []) + spec["containers"]:
            if any(e["name"] == "REDIS_URL" for e in container.get("env", [])):
                found.append(f"{workload['kind']} {workload['metadata']['name']}")
    found += [f"Deployment {d['metadata']['name']}" for d in by_kind(docs, "Deployment")
              if d["metadata"]["name"].endswith("-redis")]  # fmt: skip
    return found


def test_the_worker_off_with_redis_names_the_two_settings_that_work() -> None:
    """The broken combination (jobs queued in Redis, no worker to run them) is refused with a
    message that says what to do instead, and what running without Redis means."""
    helm = module("helm_python")
    for values in (
        {"worker": {"enabled": False}},
        {"worker": {"enabled": False}, "redis": {"enabled": False},
         "externalRedis": {"url": "redis://cache.example.internal:6379/0"}},
        {"worker": {"enabled": False}, "secret": {"existingSecret": "from-vault"}},
    ):  # fmt: skip
        with pytest.raises(helm.HelmRenderError) as refused:
            _render(values)
        message = str(refused.value)
        assert "worker.enabled=false needs the app without Redis" in message, values
        assert "nobody runs them" in message
        assert "keep the worker (worker.enabled=true)" in message
        assert "redis.enabled=false with externalRedis.url empty" in message
        assert "the web pods then run the jobs themselves" in message
        assert "signed cookies" in message and "one web pod" in message


def test_without_the_worker_the_app_gets_no_redis_and_the_web_pods_send_the_mail() -> None:
    docs = chart_docs("no-worker")
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert ("Deployment", "finance-tracker-worker") not in names
    assert ("Service", "finance-tracker-worker") not in names
    assert _redis_sources(docs) == []
    assert "finance-tracker-worker" not in {
        m["metadata"]["name"] for m in by_kind(docs, "ServiceMonitor")
    }
    web = named(docs, "Deployment", "finance-tracker-web")
    assert web["spec"]["replicas"] == 1
    assert by_kind(docs, "HorizontalPodAutoscaler") == []
    assert by_kind(docs, "PodDisruptionBudget") == []
    assert _config(docs)["SMTP_HOST"] == "smtp.example.com", "the web pods send it"
    # An existing Secret's redis-url is not read either: no key the Secret may lack.
    secret_only = yaml.safe_load((CHART / "ci" / "no-worker-values.yaml").read_text())
    secret_only["secret"] = {"existingSecret": "from-vault"}
    rendered = _render(secret_only)
    assert _redis_sources([d for t, text in rendered.items() if t.endswith(".yaml")
                           for d in yaml.safe_load_all(text) if d]) == []  # fmt: skip
    notes = rendered["finance-tracker/templates/NOTES.txt"]
    assert "No worker and no Redis: the web pods run bank imports, mails" in notes
    assert "No worker" not in render_chart("default")["finance-tracker/templates/NOTES.txt"]


@pytest.mark.parametrize("combination", ["default", "external-db", "existing-secret"])
def test_with_the_worker_the_web_pods_and_the_worker_share_one_redis(combination: str) -> None:
    docs = chart_docs(combination)
    web = named(docs, "Deployment", "finance-tracker-web")
    worker = named(docs, "Deployment", "finance-tracker-worker")
    assert worker["spec"]["replicas"] >= 1
    config = _config(docs)

    def redis_url(workload: dict[str, Any]) -> Any:
        env = {e["name"]: e for e in pod_spec(workload)["containers"][0].get("env", [])}
        return env["REDIS_URL"]["valueFrom"] if "REDIS_URL" in env else config["REDIS_URL"]

    assert redis_url(web) == redis_url(worker)
    if values_of(combination).get("redis", {}).get("enabled", True):
        assert redis_url(web) == "redis://finance-tracker-redis:6379/0"
    else:
        assert redis_url(web)["secretKeyRef"]["key"] == "redis-url"


# ---- values.schema.json ------------------------------------------------------------------------


def _schema() -> dict[str, Any]:
    return json.loads((CHART / "values.schema.json").read_text())


@pytest.mark.parametrize("bad", sorted(BAD_VALUES.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_bad_values_file_is_refused_by_the_schema(bad: Path) -> None:
    """Each fixture names (in its first line) the message part Helm must answer with."""
    expected = bad.read_text().splitlines()[0].removeprefix("# expect: ").strip()
    message = schema_refusal(yaml.safe_load(bad.read_text()))
    assert "values don't meet the specifications of the schema" in message
    assert expected in message, message


def test_the_schema_refuses_unknown_keys_at_every_level() -> None:
    """Every object of the schema closes its keys, except free-form maps (labels, selectors)."""
    free_form = {"stringMap", "nodeSelector", "affinity", "tolerations", "global"}
    open_objects = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            closed = node.get("additionalProperties") is False
            if node.get("type") == "object" and "properties" in node and not closed:
                open_objects.append(where)
            for key, child in node.items():
                walk(child, f"{where}/{key}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{where}/{index}")

    schema = _schema()
    walk({k: v for k, v in schema.items() if k != "definitions"}, "#")
    for name, definition in schema["definitions"].items():
        if name not in free_form:
            walk(definition, f"#/definitions/{name}")
    assert schema["additionalProperties"] is False
    assert open_objects == []


def _leaf_keys(values: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and not path.endswith(
            ("Labels", "labels", "annotations", "Annotations", "SecurityContext", "resources",
             "nodeSelector", "namespaceSelector", "podSelector", "requests", "limits")
        ):  # fmt: skip
            keys += _leaf_keys(value, path + ".")
        else:
            keys.append(path)
    return keys


def test_every_value_is_in_the_schema_and_the_readme() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    schema = _schema()
    readme = (CHART / "README.md").read_text()
    jsonschema = module("jsonschema")
    jsonschema.Draft7Validator(schema).validate(values)
    missing_in_readme = [key for key in _leaf_keys(values) if f"`{key}`" not in readme]
    assert missing_in_readme == []

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = schema["definitions"][node["$ref"].rsplit("/", 1)[1]]
        return node

    for key in _leaf_keys(values):
        node = schema
        for part in key.split("."):
            node = resolve(node)
            assert part in node.get("properties", {}), f"{key}: {part} not in the schema"
            node = node["properties"][part]


def test_images_are_pinned_never_latest(combination: str) -> None:
    for workload in workloads(chart_docs(combination)):
        spec = (
            workload["spec"].get("template", {}).get("spec")
            or workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        )
        for container in spec["containers"]:
            image = container["image"]
            assert "@sha256:" in image or re.search(r":[\w.-]+$", image), image
            assert not image.endswith(":latest"), image
    default_web = named(chart_docs("default"), "Deployment", "finance-tracker-web")
    image = default_web["spec"]["template"]["spec"]["containers"][0]["image"]
    app_version = yaml.safe_load((CHART / "Chart.yaml").read_text())["appVersion"]
    assert image.endswith(f":{app_version}"), "the app image defaults to the chart's appVersion"


def test_notes_tell_how_to_open_the_app() -> None:
    notes = render_chart("default")["finance-tracker/templates/NOTES.txt"]
    assert "port-forward svc/finance-tracker-web" in notes
    assert "http://finance.example.com/" not in notes
    assert (
        "https://finance.example.com/"
        in render_chart("ingress-tls")["finance-tracker/templates/NOTES.txt"]
    )
