"""`make cluster`: the kind config, the scripts (shellcheck), the Argo CD Application, the
Makefile targets and the YAML of the kit (yamllint)."""

from __future__ import annotations

import re

import yaml

from tests.deploy.conftest import KUBERNETES_VERSION, ROOT, run, tool

KIND = yaml.safe_load((ROOT / "deploy" / "kind" / "cluster.yaml").read_text())
CLUSTER_UP = (ROOT / "scripts" / "cluster-up.sh").read_text()


def test_shellcheck_passes_on_every_script() -> None:
    scripts = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scripts").glob("*.sh"))
    assert {"scripts/cluster-up.sh", "scripts/cluster-down.sh", "scripts/checkov.sh"} <= set(
        scripts
    )
    result = run(tool("shellcheck"), "--severity=style", *scripts)
    assert result.returncode == 0, result.stdout + result.stderr


def test_scripts_are_strict_and_executable() -> None:
    for path in (ROOT / "scripts").glob("*.sh"):
        text = path.read_text()
        assert text.startswith("#!/usr/bin/env bash\n"), path.name
        assert "set -euo pipefail" in text, path.name
        assert path.stat().st_mode & 0o111, f"{path.name} is not executable"


def test_the_kind_cluster_forwards_http_and_https_to_the_ingress_node() -> None:
    assert KIND["kind"] == "Cluster" and KIND["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    (node,) = KIND["nodes"]
    assert node["labels"]["ingress-ready"] == "true"
    forwarded = {(m["containerPort"], m["hostPort"]) for m in node["extraPortMappings"]}
    assert forwarded == {(80, 80), (443, 443)}
    assert {m["listenAddress"] for m in node["extraPortMappings"]} == {"127.0.0.1"}


def test_the_kind_node_runs_the_kubernetes_version_we_validate_against() -> None:
    image = KIND["nodes"][0]["image"]
    assert re.fullmatch(
        rf"kindest/node:v{re.escape(KUBERNETES_VERSION)}@sha256:[0-9a-f]{{64}}", image
    )


def test_cluster_up_installs_every_piece_pinned_and_hands_the_app_to_argo_cd() -> None:
    for pinned in (
        "INGRESS_NGINX_CHART_VERSION",
        "KUBE_PROMETHEUS_STACK_VERSION",
        "ARGOCD_VERSION",
    ):
        assert re.search(rf'{pinned}="\$\{{{pinned}:-v?\d+\.\d+\.\d+\}}"', CLUSTER_UP), pinned
    for step in ("kind create cluster", "ingress-nginx", "kube-prometheus-stack",
                 "argo-cd/${ARGOCD_VERSION}/manifests/install.yaml", "docker build",
                 "kind load docker-image", "deploy/kind/argocd-application.yaml"):  # fmt: skip
        assert step in CLUSTER_UP, step
    for values in ("deploy/kind/cluster.yaml", "deploy/kind/ingress-nginx-values.yaml",
                   "deploy/monitoring/kube-prometheus-stack-values.yaml",
                   "deploy/kind/argocd-ingress.yaml"):  # fmt: skip
        assert values in CLUSTER_UP and (ROOT / values).exists(), values


def test_the_argo_cd_application_tokens_are_all_replaced_by_cluster_up() -> None:
    text = (ROOT / "deploy" / "kind" / "argocd-application.yaml").read_text()
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    tokens = set(re.findall(r"__[A-Z_]+__", body))
    assert tokens == {"__REPO_URL__", "__REVISION__", "__IMAGE_TAG__"}
    for token in tokens:
        assert f"s|{token}|" in CLUSTER_UP, token
    application = yaml.safe_load(text)
    source = application["spec"]["source"]
    assert source["path"] == "deploy/helm/finance-tracker"
    for values_file in source["helm"]["valueFiles"]:
        assert (ROOT / source["path"] / values_file).exists(), values_file
    assert "resources-finalizer.argocd.argoproj.io" in application["metadata"]["finalizers"]
    assert application["metadata"]["namespace"] == "argocd"
    assert "CreateNamespace=true" in application["spec"]["syncPolicy"]["syncOptions"]


def test_the_kind_values_match_what_cluster_up_creates() -> None:
    values = yaml.safe_load(
        (ROOT / "deploy" / "helm" / "finance-tracker" / "values-kind.yaml").read_text()
    )
    secret = values["secret"]["existingSecret"]
    assert f'APP_SECRET="${{APP_SECRET:-{secret}}}"' in CLUSTER_UP
    assert values["image"]["repository"] == "finance-tracker"
    assert 'IMAGE="finance-tracker:${IMAGE_TAG}"' in CLUSTER_UP
    assert values["ingress"]["hosts"][0]["host"] == "finance-tracker.localhost"
    monitoring = yaml.safe_load(
        (ROOT / "deploy" / "monitoring" / "kube-prometheus-stack-values.yaml").read_text()
    )
    assert monitoring["grafana"]["sidecar"]["dashboards"]["folderAnnotation"] == "grafana_folder"
    assert monitoring["grafana"]["sidecar"]["dashboards"]["label"] == "grafana_dashboard"
    assert values["serviceMonitor"]["additionalLabels"]["release"] == "kube-prometheus-stack"


def test_make_has_the_cluster_targets() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("cluster", "cluster-down", "kustomize-base", "deploy-check"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "scripts/cluster-up.sh" in makefile and "scripts/cluster-down.sh" in makefile


def test_the_readme_walks_through_the_cluster() -> None:
    readme = (ROOT / "README.md").read_text()
    for needle in ("make cluster", "make cluster-down", "http://finance-tracker.localhost",
                   "http://grafana.localhost", "http://argocd.localhost"):  # fmt: skip
        assert needle in readme, needle


def test_yamllint_passes_on_the_kit() -> None:
    """Every hand-written YAML file of the kit (not Helm templates, which are not YAML)."""
    files = [
        str(p.relative_to(ROOT))
        for p in [ROOT / "compose.yaml", *(ROOT / "deploy").rglob("*.y*ml")]
        if "templates" not in p.parts and "base" not in p.parts
    ]
    config = (
        "{extends: default, rules: {line-length: {max: 120}, document-start: disable, "
        "truthy: {check-keys: false}, indentation: {indent-sequences: whatever}, "
        "comments: {min-spaces-from-content: 1}}}"
    )
    result = run(tool("yamllint"), "--strict", "-d", config, *files)
    assert result.returncode == 0, result.stdout + result.stderr
