"""Every rendered object validates: built-in kinds against the Kubernetes OpenAPI schema of one
current version (strict: an unknown field is an error), custom resources against their CRD's
schema kept in tests/deploy/schemas. Nothing is let through unvalidated."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import (
    CRD_SCHEMAS,
    KUBERNETES_VERSION,
    ROOT,
    Doc,
    chart_docs,
    module,
)

# Manifests applied as they are by scripts/cluster-up.sh.
PLAIN_MANIFESTS = [
    ROOT / "deploy" / "kind" / "argocd-application.yaml",
    ROOT / "deploy" / "kind" / "argocd-ingress.yaml",
    *sorted((ROOT / "deploy" / "kustomize" / "overlays").glob("*/namespace.yaml")),
]


@functools.cache
def _crd_schema(group: str, kind: str, version: str) -> dict[str, Any] | None:
    path = CRD_SCHEMAS / group / f"{kind.lower()}_{version}.json"
    return json.loads(path.read_text()) if path.exists() else None


def validate(doc: Doc) -> str:
    """Validate one object; return which schema did it ('kubernetes' or 'crd')."""
    kubernetes_validate = module("kubernetes_validate")
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        return "kubernetes"
    except kubernetes_validate.SchemaNotFoundError:
        pass  # a custom resource: the Kubernetes schema does not know it
    except kubernetes_validate.ValidationError as error:
        raise AssertionError(f"{doc['kind']} {doc['metadata']['name']}: {error.message}") from None
    group, _, version = doc["apiVersion"].rpartition("/")
    schema = _crd_schema(group, doc["kind"], version)
    assert schema is not None, (
        f"{doc['apiVersion']} {doc['kind']} has no schema in tests/deploy/schemas: add its CRD's"
    )
    jsonschema = module("jsonschema")
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=str)
    assert errors == [], f"{doc['kind']} {doc['metadata']['name']}: {errors[0].message}"
    return "crd"


def test_every_rendered_object_validates(rendered: tuple[str, list[Doc]]) -> None:
    source, docs = rendered
    used = [validate(doc) for doc in docs]
    assert used.count("kubernetes") >= 15, source


def test_the_custom_resources_are_checked_against_their_crds() -> None:
    docs = chart_docs("traffic-on")
    kinds = {doc["kind"] for doc in docs if validate(doc) == "crd"}
    assert kinds == {"ServiceMonitor", "PrometheusRule"}


@pytest.mark.parametrize("path", PLAIN_MANIFESTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_plain_manifests_validate(path: Any) -> None:
    text = path.read_text()
    # The Argo CD Application carries tokens cluster-up.sh replaces; validate what it applies.
    text = text.replace("__REPO_URL__", "https://github.com/example/finance-tracker.git")
    text = text.replace("__REVISION__", "main").replace("__IMAGE_TAG__", "dev-0123abc")
    docs = [d for d in yaml.safe_load_all(text) if d]
    assert docs
    for doc in docs:
        validate(doc)


def test_a_misspelt_field_is_caught() -> None:
    """The strict validation really rejects unknown fields (so a pass above means something)."""
    web = next(d for d in chart_docs("default") if d["kind"] == "Deployment")
    broken = json.loads(json.dumps(web))
    broken["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    with pytest.raises(AssertionError, match="livenesProbe"):
        validate(broken)
    monitor = next(d for d in chart_docs("default") if d["kind"] == "ServiceMonitor")
    broken = json.loads(json.dumps(monitor))
    broken["spec"]["endpoints"][0]["intervall"] = "30s"
    with pytest.raises(AssertionError, match="intervall"):
        validate(broken)


def test_object_names_are_valid_dns_labels(rendered: tuple[str, list[Doc]]) -> None:
    label = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    for doc in rendered[1]:
        name = doc["metadata"]["name"]
        assert label.match(name) and len(name) <= 63, f"{doc['kind']} {name}"
