#!/usr/bin/env python3
"""Render deploy/kustomize/base from the Helm chart, the one source of truth.

    python scripts/render-kustomize-base.py          # rewrite the base
    python scripts/render-kustomize-base.py --check  # exit 1 (with a diff) when the base drifted

Uses the Helm Go SDK from PyPI (helm-python-sdk, in the `deploy` extra): no helm binary. The
values are deploy/kustomize/chart-values.yaml; one file per chart template, plus a
kustomization.yaml listing them.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CHART = ROOT / "deploy" / "helm" / "finance-tracker"
VALUES = ROOT / "deploy" / "kustomize" / "chart-values.yaml"
BASE = ROOT / "deploy" / "kustomize" / "base"
RELEASE = "finance-tracker"
HEADER = (
    "# Rendered from deploy/helm/finance-tracker by scripts/render-kustomize-base.py"
    " (make kustomize-base).\n# Do not edit: change the chart or deploy/kustomize/chart-values.yaml"
    " and render again.\n"
)


def render() -> dict[str, str]:
    """File name -> content of the base, rendered from the chart."""
    import helm_python

    values = yaml.safe_load(VALUES.read_text()) or {}
    chart = helm_python.Chart.load(str(CHART))
    try:
        # The namespace is only a placeholder: the chart writes none into its objects.
        manifests = chart.render(values, name=RELEASE, namespace="default", is_install=True)
    finally:
        chart.close()
    files: dict[str, str] = {}
    for template, text in sorted(manifests.items()):
        if not template.endswith(".yaml"):
            continue  # NOTES.txt, helpers
        if not any(yaml.safe_load_all(text)):
            continue  # switched off by the values
        # As rendered, comments included: they explain the objects to whoever reads the base.
        files[Path(template).name] = HEADER + text.strip() + "\n"
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(files),
    }
    files["kustomization.yaml"] = HEADER + yaml.safe_dump(kustomization, sort_keys=False)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    wanted = render()
    present = {p.name: p.read_text() for p in BASE.glob("*.yaml")} if BASE.is_dir() else {}
    if args.check:
        drift = []
        for name in sorted(set(wanted) | set(present)):
            old, new = present.get(name, ""), wanted.get(name, "")
            if old != new:
                drift.extend(
                    difflib.unified_diff(
                        old.splitlines(keepends=True),
                        new.splitlines(keepends=True),
                        f"base/{name} (committed)",
                        f"base/{name} (rendered from the chart)",
                    )
                )
        if drift:
            sys.stdout.writelines(drift)
            print("\ndeploy/kustomize/base drifted from the chart: run `make kustomize-base`.")
            return 1
        print(f"deploy/kustomize/base matches the chart ({len(wanted)} files).")
        return 0
    BASE.mkdir(parents=True, exist_ok=True)
    for name in set(present) - set(wanted):
        (BASE / name).unlink()
    for name, text in wanted.items():
        (BASE / name).write_text(text)
    print(f"rendered {len(wanted)} files into {BASE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
