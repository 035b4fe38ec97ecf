"""Kustomize: the base is the chart rendered (a drift fails), every overlay builds, and each
overlay sets what differs per environment."""

from __future__ import annotations

import sys

import pytest

from tests.deploy.conftest import (
    KUSTOMIZE,
    OVERLAYS,
    ROOT,
    by_kind,
    named,
    overlay_docs,
    pod_spec,
    run,
    tool,
    workloads,
)


def test_the_base_is_exactly_the_chart_rendered() -> None:
    """Edit the chart, forget `make kustomize-base`, and this fails with the diff."""
    result = run(sys.executable, "scripts/render-kustomize-base.py", "--check")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_base_holds_no_secret_values() -> None:
    text = "".join(p.read_text() for p in (KUSTOMIZE / "base").glob("*.yaml"))
    assert "kind: Secret" not in text
    assert "secretKeyRef" in text


def test_there_are_kind_and_production_overlays() -> None:
    assert {"kind", "production"} <= set(OVERLAYS)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubectl_kustomize_builds_the_overlay(overlay: str) -> None:
    result = run(tool("kubectl"), "kustomize", str(KUSTOMIZE / "overlays" / overlay))
    assert result.returncode == 0, result.stderr
    docs = overlay_docs(overlay)
    assert len(docs) >= 20
    namespaced = [d for d in docs if d["kind"] != "Namespace"]
    assert {d["metadata"].get("namespace") for d in namespaced} == {"finance-tracker"}
    namespace = named(docs, "Namespace", "finance-tracker")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def _images(docs: list[dict]) -> set[str]:
    return {c["image"] for w in workloads(docs) for c in pod_spec(w)["containers"]}


def test_the_kind_overlay_runs_the_locally_loaded_image_with_a_dev_secret() -> None:
    docs = overlay_docs("kind")
    assert "finance-tracker:dev" in _images(docs)
    secrets = by_kind(docs, "Secret")
    assert len(secrets) == 1 and secrets[0]["metadata"]["name"].startswith(
        "finance-tracker-secrets-"
    ), "generated, with a content hash so pods roll when it changes"
    ingress = named(docs, "Ingress", "finance-tracker")
    assert ingress["spec"]["rules"][0]["host"] == "finance-tracker.localhost"
    assert by_kind(docs, "HorizontalPodAutoscaler") == []
    web = named(docs, "Deployment", "finance-tracker-web")
    assert web["spec"]["replicas"] == 2


def test_the_production_overlay_pins_the_release_and_brings_no_secret() -> None:
    docs = overlay_docs("production")
    app_images = {i for i in _images(docs) if "finance-tracker" in i}
    assert app_images == {"ghcr.io/finance-tracker/finance-tracker:0.1.0"}
    assert by_kind(docs, "Secret") == []
    ingress = named(docs, "Ingress", "finance-tracker")
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]
    hpa = named(docs, "HorizontalPodAutoscaler", "finance-tracker-web")
    assert hpa["spec"]["minReplicas"] >= 3
    pdb = named(docs, "PodDisruptionBudget", "finance-tracker-web")
    assert pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"], "a node can still drain"


def test_overlays_reference_only_the_base_and_their_own_files() -> None:
    for overlay in OVERLAYS:
        text = (KUSTOMIZE / "overlays" / overlay / "kustomization.yaml").read_text()
        assert "http://" not in text and "https://" not in text, "no remote bases"
    assert (ROOT / "deploy" / "kustomize" / "chart-values.yaml").exists()
