"""checkov (its Kubernetes policies) on everything rendered: zero failures; every check skipped
in deploy/checkov.yaml carries its reason there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import COMBINATIONS, OVERLAYS, ROOT, chart_docs, overlay_docs, run

CONFIG = ROOT / "deploy" / "checkov.yaml"


def _write_rendered(directory: Path) -> None:
    """One file per chart combination and overlay. Chart objects get the namespace `helm -n`
    would put them in (the chart itself is namespace-agnostic)."""
    for combination in COMBINATIONS:
        docs = [
            {**doc, "metadata": {**doc["metadata"], "namespace": "finance-tracker"}}
            for doc in chart_docs(combination)
        ]
        (directory / f"chart-{combination}.yaml").write_text(yaml.safe_dump_all(docs))
    for overlay in OVERLAYS:
        (directory / f"kustomize-{overlay}.yaml").write_text(
            yaml.safe_dump_all(overlay_docs(overlay))
        )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    directory = tmp_path_factory.mktemp("rendered")
    _write_rendered(directory)
    result = run(
        "bash", "scripts/checkov.sh", "--config-file", str(CONFIG), "--directory", str(directory),
        "--output", "json", timeout=900,
    )  # fmt: skip
    if not result.stdout.strip().startswith(("{", "[")):
        from tests.deploy.conftest import unavailable

        unavailable(f"checkov could not run: {result.stderr.strip()[-500:]}")
    data = json.loads(result.stdout)
    return data[0] if isinstance(data, list) else data


def test_checkov_finds_no_failure(report: dict) -> None:
    failed = [
        f"{f['check_id']} {f['check_name']} — {f['resource']} ({Path(f['file_path']).name})"
        for f in report["results"]["failed_checks"]
    ]
    assert failed == []
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 1000


def test_every_skipped_check_is_justified_in_the_config() -> None:
    """The comment block right above each skipped check names it and says why."""
    config = yaml.safe_load(CONFIG.read_text())
    lines = CONFIG.read_text().splitlines()
    for check in config["skip-check"]:
        index = lines.index(f"  - {check}")
        block = []
        while lines[index - 1].lstrip().startswith("#"):
            index -= 1
            block.insert(0, lines[index].strip().lstrip("#").strip())
        reason = " ".join(block)
        assert reason.startswith(f"{check} "), f"{check} is skipped without a comment"
        assert len(reason) > 80, f"{check}: the reason is too thin: {reason!r}"
    assert config["skip-download"] is True, "offline: no policy download"
    assert config["framework"] == ["kubernetes"]
