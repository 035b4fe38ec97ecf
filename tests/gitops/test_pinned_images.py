"""Every image the charts, the Applications and the workflows refer to is pinned: a tag that is
not `latest` (or a digest), and chart versions that are exact. The environments' values files
render, lint and validate like every other values combination."""

from __future__ import annotations

import functools
import importlib.util
import re
from types import ModuleType
from typing import Any

import pytest

from tests.deploy.conftest import (
    CHART,
    COMBINATIONS,
    RELEASE,
    ROOT,
    Doc,
    chart_docs,
    docs_of,
    module,
    pod_spec,
)
from tests.deploy.test_manifests_schema import validate
from tests.gitops.conftest import (
    BUMP_SCRIPT,
    WORKFLOWS,
    applications,
    environment_values,
    environments,
    load,
    workflow,
)

# name[:tag][@sha256:digest]; the registry part may carry a port.
IMAGE = re.compile(
    r"(?P<name>[a-z0-9][a-z0-9._/-]*(?::\d+/[a-z0-9._/-]+)?)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?"
)


@functools.cache
def bump_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bump_image_tag", BUMP_SCRIPT)
    assert spec and spec.loader
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def pinned(reference: str) -> bool:
    match = IMAGE.fullmatch(reference)
    assert match, f"not an image reference: {reference!r}"
    if match["digest"]:
        return True
    return match["tag"] is not None and match["tag"] != "latest"


@functools.cache
def _render_environment_text(env: str) -> tuple[tuple[str, str], ...]:
    helm = module("helm_python")
    chart = helm.Chart.load(str(CHART))
    try:
        rendered = chart.render(
            environment_values(env),
            name=RELEASE,
            namespace=environments()[env]["namespace"],
            is_install=True,
        )
    finally:
        chart.close()
    return tuple(sorted(rendered.items()))


def render_environment(env: str) -> list[Doc]:
    """The chart's objects with an environment's values file, as its Application renders them."""
    return [
        doc
        for template, text in _render_environment_text(env)
        if template.endswith(".yaml")
        for doc in docs_of(text)
    ]


def container_images(docs: list[Doc]) -> list[str]:
    images = []
    for doc in docs:
        spec = pod_spec(doc)
        if spec is None:
            continue
        for container in spec.get("initContainers", []) + spec["containers"]:
            images.append(container["image"])
    return images


def test_the_image_pattern_tells_pinned_from_floating() -> None:
    assert pinned("postgres:17.6-bookworm")
    assert pinned("ghcr.io/finance-tracker/finance-tracker:sha-" + "a" * 40)
    assert pinned("redis@sha256:" + "0" * 64)
    assert pinned("registry.local:5000/team/app:1.2.3")
    assert not pinned("postgres")
    assert not pinned("postgres:latest")
    assert not pinned("registry.local:5000/team/app")


@pytest.mark.parametrize("env", sorted(environments()))
def test_each_environment_lints_renders_and_validates(env: str) -> None:
    helm = module("helm_python")
    report = helm.lint(str(CHART), environment_values(env), strict=True, kube_version="v1.37.0")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []
    docs = render_environment(env)
    used = [validate(doc) for doc in docs]
    assert used.count("kubernetes") >= 15 and "crd" in used
    assert all("namespace" not in d["metadata"] for d in docs), "the chart is namespace-agnostic"


@pytest.mark.parametrize("env", sorted(environments()))
def test_each_environment_pins_its_image_to_a_tag_the_pipeline_deploys(env: str) -> None:
    values = environment_values(env)
    tag = values["image"]["tag"]
    assert isinstance(tag, str) and bump_script().valid_tag(tag), tag
    assert not values["image"].get("digest"), "a digest would win over the bumped tag"
    images = container_images(render_environment(env))
    app_images = [i for i in images if "/finance-tracker" in i]
    assert app_images and {i.rsplit(":", 1)[1] for i in app_images} == {tag}
    # Argo CD cannot keep generated secrets: every environment names an existing Secret.
    assert values["secret"]["existingSecret"]


def test_every_image_of_every_chart_rendering_is_pinned() -> None:
    checked = 0
    renderings = {f"chart:{c}": chart_docs(c) for c in COMBINATIONS}
    renderings |= {f"env:{e}": render_environment(e) for e in environments()}
    for source, docs in renderings.items():
        for image in container_images(docs):
            assert pinned(image), f"{source}: {image}"
            checked += 1
    assert checked >= 5 * len(renderings)


def test_every_application_pins_its_chart_and_image() -> None:
    kind_application = load(ROOT / "deploy" / "kind" / "argocd-application.yaml")
    for application in [*applications(), kind_application]:
        spec = application["spec"]
        for source in spec.get("sources") or [spec["source"]]:
            if "chart" in source:  # a chart from a Helm repository: an exact version
                assert re.fullmatch(r"\d+\.\d+\.\d+", source["targetRevision"]), source
            for parameter in source.get("helm", {}).get("parameters", []):
                if parameter["name"].endswith("image.tag"):
                    assert parameter["value"] not in {"", "latest"}, application["metadata"]
        assert "latest" not in str(spec.get("sources") or spec["source"]).replace(
            "enforce-version", ""
        )


def _workflow_images(data: dict[str, Any]) -> list[str]:
    images = []
    for job in data["jobs"].values():
        container = job.get("container")
        if container:
            images.append(container if isinstance(container, str) else container["image"])
        images += [service["image"] for service in (job.get("services") or {}).values()]
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("docker://"):
                images.append(step["uses"].removeprefix("docker://"))
    return images


def test_every_image_of_the_workflows_is_pinned_and_the_services_match_the_chart() -> None:
    images = [
        i for p in sorted(WORKFLOWS.glob("*.y*ml")) for i in _workflow_images(workflow(p.name))
    ]
    assert images, "the CI workflow runs its tests beside PostgreSQL and Redis containers"
    for image in images:
        assert pinned(image), image
    chart = load(CHART / "values.yaml")
    for component in ("postgresql", "redis"):
        expected = f"{chart[component]['image']['repository']}:{chart[component]['image']['tag']}"
        assert expected in images, f"CI tests against {component} {expected}, as deployed"
