"""The README draws and explains the whole flow, and says how to roll back."""

from __future__ import annotations

from tests.deploy.conftest import ROOT


def _section() -> str:
    readme = (ROOT / "README.md").read_text()
    assert "### GitOps and CI/CD" in readme
    return readme.split("### GitOps and CI/CD", 1)[1]


def test_the_readme_draws_the_flow_from_push_to_rolling_update() -> None:
    drawing = _section().split("```", 2)[1]
    steps = ["ci.yaml", "release.yaml", "buildx", "scripts/bump-image-tag.py", "[skip ci]",
             "Argo CD", "rolling update"]  # fmt: skip
    positions = [drawing.index(step) for step in steps]
    assert positions == sorted(positions), "the drawing follows the flow's order"
    for needle in ("linux/amd64", "linux/arm64", "SBOM", "provenance", "values-staging.yaml",
                   "values-production.yaml", "maxUnavailable 0"):  # fmt: skip
        assert needle in drawing, needle
    for needle in ("paths-ignore", "concurrency", "GITHUB_TOKEN", "--allow-downgrade"):
        assert needle in _section(), needle


def test_the_readme_says_how_to_roll_back() -> None:
    section = _section()
    assert "#### Rolling back" in section
    for needle in ("git revert", "argocd app rollback", "argocd app history", "--sync-policy none",
                   "--allow-downgrade"):  # fmt: skip
        assert needle in section, needle
