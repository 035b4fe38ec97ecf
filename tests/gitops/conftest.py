"""Shared pieces of the GitOps tests: the Argo CD objects as Argo CD would render them, the
workflows, and the environments' values.

The tools come from the `deploy` extra, like tests/deploy: without them a test skips, under
CI=true it fails.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.conftest import CHART, ROOT, Doc, docs_of, module, unavailable

ARGOCD = ROOT / "deploy" / "argocd"
ROOT_APPLICATION = ARGOCD / "root-application.yaml"
CM_PATCH = ARGOCD / "argocd-cm-patch.yaml"
WORKFLOWS = ROOT / ".github" / "workflows"
BUMP_SCRIPT = ROOT / "scripts" / "bump-image-tag.py"
CLUSTER_UP = ROOT / "scripts" / "cluster-up.sh"

# What the root Application hands down to the chart it renders.
BUILD_VARIABLES = ("$ARGOCD_APP_SOURCE_REPO_URL", "$ARGOCD_APP_SOURCE_TARGET_REVISION")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def root_application() -> Doc:
    return load(ROOT_APPLICATION)


def argocd_values() -> dict[str, Any]:
    return load(ARGOCD / "values.yaml")


def environments() -> dict[str, dict[str, Any]]:
    return {n: e for n, e in argocd_values()["environments"].items() if e["enabled"]}


def environment_values(name: str) -> dict[str, Any]:
    return load(CHART / environments()[name]["valuesFile"])


def build_environment(application: Doc) -> dict[str, str]:
    """Argo CD's build variables for an Application with one source (the ones we use)."""
    source = application["spec"]["source"]
    return {
        "ARGOCD_APP_NAME": application["metadata"]["name"],
        "ARGOCD_APP_NAMESPACE": application["spec"]["destination"]["namespace"],
        "ARGOCD_APP_SOURCE_REPO_URL": source["repoURL"],
        "ARGOCD_APP_SOURCE_TARGET_REVISION": source["targetRevision"],
        "ARGOCD_APP_SOURCE_PATH": source["path"],
    }


def helm_parameters(application: Doc) -> dict[str, Any]:
    """The Application's Helm parameters with the build variables substituted, as Argo CD does."""
    variables = build_environment(application)
    values: dict[str, Any] = {}
    for parameter in application["spec"]["source"]["helm"].get("parameters", []):
        value = parameter["value"]
        if value.startswith("$"):
            value = variables[value[1:]]
        values[parameter["name"]] = value
    return values


def render_argocd(values: dict[str, Any]) -> dict[str, str]:
    helm = module("helm_python")
    chart = helm.Chart.load(str(ARGOCD))
    try:
        release = root_application()["spec"]["source"]["helm"]["releaseName"]
        return dict(chart.render(values, name=release, namespace="argocd", is_install=True))
    finally:
        chart.close()


@functools.cache
def _children_text() -> dict[str, str]:
    return render_argocd(helm_parameters(root_application()))


def children() -> list[Doc]:
    """The objects the root Application deploys: AppProject and child Applications."""
    return [doc for text in _children_text().values() for doc in docs_of(text)]


def applications() -> list[Doc]:
    """Every Argo CD Application of the kit: the root and its children."""
    return [root_application(), *(d for d in children() if d["kind"] == "Application")]


def child(kind: str, name: str) -> Doc:
    found = [d for d in children() if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]


def workflow(name: str) -> dict[str, Any]:
    path = WORKFLOWS / name
    if not path.exists():
        unavailable(f"{path} is missing")
    data = load(path)
    # YAML 1.1 reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data
