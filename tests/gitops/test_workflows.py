""".github/workflows: actionlint finds nothing (shellcheck included), every action is pinned to a
commit, and the pipeline has the shape the issue asks for: tests before the image, a multi-arch
image with SBOM and provenance, a bump that can neither loop nor race itself."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.deploy.conftest import CHART, ROOT, run, tool
from tests.gitops.conftest import WORKFLOWS, environments, workflow

PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w./-]+)@(?P<ref>\S+)(?P<rest>.*)$")


def _actionlint(cwd: Path) -> subprocess.CompletedProcess[str]:
    """actionlint with this venv first on PATH, so it runs shellcheck on every `run:` step."""
    binary = tool("actionlint")
    tool("shellcheck")
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    return subprocess.run(
        [binary, "-no-color", "-oneline"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _uses_lines() -> list[tuple[str, re.Match[str]]]:
    found = []
    for path in sorted(WORKFLOWS.glob("*.y*ml")):
        for line in path.read_text().splitlines():
            match = PINNED.match(line)
            if match:
                found.append((path.name, match))
    return found


def _steps(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def test_the_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS.glob("*.y*ml")} == {"ci.yaml", "release.yaml"}


def test_actionlint_finds_nothing() -> None:
    result = _actionlint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing_either_when_it_knows_the_actions_inputs(tmp_path: Path) -> None:
    """actionlint checks inputs and runtimes (node20 is deprecated) only of actions it knows by
    version tag: lint a copy where each pin is replaced by the major version of its comment."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / ".github", copy / ".github")
    for path in (copy / ".github" / "workflows").glob("*.y*ml"):
        text = re.sub(
            r"(uses:\s+[\w.-]+/[\w./-]+)@[0-9a-f]{40} # (v\d+)\.\d+\.\d+",
            r"\1@\2",
            path.read_text(),
        )
        path.write_text(text)
    assert run("git", "init", "--quiet", cwd=copy).returncode == 0
    result = _actionlint(copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_action_is_pinned_to_a_full_commit_with_its_version_alongside() -> None:
    uses = _uses_lines()
    assert len(uses) >= 10
    for name, match in uses:
        assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), f"{name}: {match.group(0).strip()}"
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", match["rest"]), (
            f"{name}: {match['action']} needs its version as a comment"
        )
    # One version of each action across the workflows.
    versions: dict[str, set[str]] = {}
    for _, match in uses:
        versions.setdefault(match["action"], set()).add(match["ref"])
    assert all(len(refs) == 1 for refs in versions.values()), versions


PINS_RECORD = ROOT / ".github" / "ACTION-PINS.md"
RECORD_ROW = re.compile(
    r"^\|\s*(?P<action>[\w.-]+/[\w./-]+)\s*\|\s*(?P<tag>v\d+\.\d+\.\d+)\s*\|"
    r"\s*(?P<sha>[0-9a-f]{40})\s*\|[^|]*\|\s*(?P<checked>\d{4}-\d{2}-\d{2})\s*\|\s*$"
)


def _pin_record() -> dict[str, tuple[str, str]]:
    """The verified pins: action -> (tag, commit), from the table in .github/ACTION-PINS.md."""
    record: dict[str, tuple[str, str]] = {}
    for line in PINS_RECORD.read_text().splitlines():
        row = RECORD_ROW.match(line)
        if row:
            assert row["action"] not in record, f"{row['action']} is recorded twice"
            record[row["action"]] = (row["tag"], row["sha"])
    return record


def test_every_pin_is_the_one_checked_against_the_actions_repository() -> None:
    """A pin that changes (by hand or by Dependabot) without its SHA being checked against the tag
    in the action's repository, and recorded, fails here. So does a record row for an action the
    workflows no longer use. A sub-path action (owner/repo/path) is recorded as owner/repo."""
    record = _pin_record()
    assert record, "no rows found in .github/ACTION-PINS.md"
    used: set[str] = set()
    for name, match in _uses_lines():
        action = "/".join(match["action"].split("/")[:2])
        tag = match["rest"].strip().removeprefix("# ")
        used.add(action)
        assert action in record, f"{name}: {action} is not in .github/ACTION-PINS.md"
        assert record[action] == (tag, match["ref"]), (
            f"{name}: {action}@{match['ref']} # {tag}, but the checked pin is "
            f"{record[action][1]} # {record[action][0]}"
        )
    assert set(record) == used, f"recorded but unused: {sorted(set(record) - used)}"


def test_dependabot_keeps_the_pins_current() -> None:
    import yaml

    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert ecosystems["github-actions"]["directory"] == "/"


# ---- CI -------------------------------------------------------------------------------------


def test_ci_runs_on_pull_requests_and_pushes_in_concurrency_groups() -> None:
    ci = workflow("ci.yaml")
    assert {"pull_request", "push", "workflow_call"} <= set(ci["on"])
    assert ci["permissions"] == {"contents": "read"}
    group = ci["concurrency"]["group"]
    assert group.startswith("ci-") and "github.ref" in group
    assert "pull_request" in str(ci["concurrency"]["cancel-in-progress"])


def test_ci_has_lint_typecheck_tests_and_the_deploy_kit() -> None:
    jobs = workflow("ci.yaml")["jobs"]
    assert set(jobs) == {"lint", "typecheck", "test", "deploy-kit"}
    runs = {name: " ".join(s.get("run", "") for s in job["steps"]) for name, job in jobs.items()}
    assert "make lint" in runs["lint"] and "make actionlint" in runs["lint"]
    assert "make typecheck" in runs["typecheck"]
    assert "make deploy-check" in runs["deploy-kit"] and "gitops-check" in runs["deploy-kit"]
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lint", "typecheck", "deploy-check", "gitops-check", "actionlint"):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_ci_tests_with_the_readme_command_beside_postgresql_and_redis() -> None:
    """One source of truth: the job runs .ci/run, which runs `make test` with CI=true, the
    command the README gives."""
    job = workflow("ci.yaml")["jobs"]["test"]
    assert [s["run"] for s in job["steps"] if "run" in s][-1] == "bash .ci/run"
    ci_run = (ROOT / ".ci" / "run").read_text()
    assert "export CI=true" in ci_run and ci_run.rstrip().endswith("make test")
    assert "make test" in (ROOT / "README.md").read_text()
    assert job["env"]["CI"] == "true"
    assert set(job["services"]) == {"postgres", "redis"}
    # The tests find the services through the variables tests/conftest.py reads.
    assert "@postgres:5432/" in job["env"]["TEST_POSTGRES_ADMIN"]
    assert job["env"]["TEST_REDIS_URL"].startswith("redis://redis:6379/")
    assert job["env"]["TEST_DEPLOY_REDIS_URL"].startswith("redis://redis:6379/")
    for service in job["services"].values():
        assert "--health-cmd" in service["options"]
    # Debian, whose chromium package .ci/run installs (the browser tests need /usr/bin/chromium).
    assert "bookworm" in job["container"]["image"] or "trixie" in job["container"]["image"]
    assert "apt-get install" in ci_run and "chromium" in ci_run


def test_every_python_job_caches_pip() -> None:
    for name, job in workflow("ci.yaml")["jobs"].items():
        steps = job["steps"]
        setup = [s for s in steps if "setup-python" in s.get("uses", "")]
        cache = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
        assert setup or cache, name
        for step in setup:
            assert step["with"]["cache"] == "pip", name
            assert step["with"]["cache-dependency-path"] == "pyproject.toml", name
        for step in cache:
            assert step["with"]["path"] == "~/.cache/pip", name
            assert "hashFiles('pyproject.toml')" in step["with"]["key"], name


def test_checkouts_keep_no_token_except_the_bump_s() -> None:
    for file in ("ci.yaml", "release.yaml"):
        for job_name, job in workflow(file)["jobs"].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    persist = step.get("with", {}).get("persist-credentials", True)
                    assert persist is (job_name == "bump"), f"{file} {job_name}"


# ---- release ---------------------------------------------------------------------------------


def _env_values_files() -> set[str]:
    return {
        str((CHART / settings["valuesFile"]).relative_to(ROOT))
        for settings in environments().values()
    }


def test_release_runs_on_main_and_version_tags_but_not_on_bump_commits() -> None:
    release = workflow("release.yaml")
    push = release["on"]["push"]
    assert push["branches"] == ["main"]
    assert push["tags"] == ["v*.*.*"]
    assert _env_values_files() <= set(push["paths-ignore"])
    assert _env_values_files() <= set(workflow("ci.yaml")["on"]["push"]["paths-ignore"])
    # Releases of one ref queue up in order, never cancelled half-way.
    assert release["concurrency"] == {
        "group": "release-${{ github.ref }}",
        "cancel-in-progress": False,
    }


def test_release_tests_first_then_builds_then_bumps() -> None:
    jobs = workflow("release.yaml")["jobs"]
    assert jobs["ci"]["uses"] == "./.github/workflows/ci.yaml"
    assert jobs["image"]["needs"] == "ci"
    assert jobs["bump"]["needs"] == "image"


def test_release_permissions_are_least_privilege() -> None:
    release = workflow("release.yaml")
    assert release["permissions"] == {}
    jobs = release["jobs"]
    assert jobs["ci"]["permissions"] == {"contents": "read"}
    assert jobs["image"]["permissions"] == {
        "contents": "read",
        "packages": "write",
        "id-token": "write",
        "attestations": "write",
        "artifact-metadata": "write",
    }
    assert jobs["bump"]["permissions"] == {"contents": "write"}


def test_the_image_is_multi_arch_with_sbom_provenance_and_immutable_tags() -> None:
    steps = workflow("release.yaml")["jobs"]["image"]["steps"]
    uses = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    build = uses["docker/build-push-action"]["with"]
    assert set(build["platforms"].split(",")) == {"linux/amd64", "linux/arm64"}
    assert build["push"] is True and build["sbom"] is True
    assert build["provenance"] == "mode=max"
    assert "GIT_COMMIT=${{ github.sha }}" in build["build-args"]
    assert "arm64" in uses["docker/setup-qemu-action"]["with"]["platforms"]
    assert "docker/setup-buildx-action" in uses
    assert uses["docker/login-action"]["with"]["registry"] == "ghcr.io"
    meta = uses["docker/metadata-action"]["with"]
    assert meta["flavor"] == "latest=false"
    tags = meta["tags"].split()
    assert "type=sha,format=long,prefix=sha-" in tags
    assert "type=semver,pattern={{version}}" in tags
    attest = uses["actions/attest-build-provenance"]["with"]
    assert attest["push-to-registry"] is True
    assert attest["subject-digest"] == "${{ steps.build.outputs.digest }}"


def test_the_bump_uses_the_tested_script_and_cannot_race_itself() -> None:
    job = workflow("release.yaml")["jobs"]["bump"]
    assert job["concurrency"]["group"].startswith("gitops-bump-")
    assert "needs.image.outputs.environment" in job["concurrency"]["group"]
    assert job["concurrency"]["cancel-in-progress"] is False
    runs = [s.get("run", "") for s in job["steps"]]
    assert any("scripts/bump-image-tag.py" in r for r in runs)
    assert not any(re.search(r"\b(sed|yq)\b", r) for r in runs), "the bump is the script's job"
    push = runs[-1]
    assert "git push origin HEAD:main" in push and "git pull --rebase origin main" in push
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["ref"] == "main" and checkout["with"]["fetch-depth"] == 0


def test_the_target_of_each_ref_is_the_tag_the_image_was_pushed_with() -> None:
    target = next(
        s for s in workflow("release.yaml")["jobs"]["image"]["steps"] if s.get("id") == "target"
    )["run"]
    assert "tag=sha-${GITHUB_SHA}" in target  # == type=sha,format=long,prefix=sha-
    assert "tag=${GITHUB_REF_NAME#v}" in target  # == type=semver,pattern={{version}}


def test_yamllint_passes_on_the_github_folder() -> None:
    files = [str(p.relative_to(ROOT)) for p in sorted((ROOT / ".github").rglob("*.y*ml"))]
    config = (
        "{extends: default, rules: {line-length: {max: 120}, document-start: disable, "
        "truthy: {check-keys: false}, comments: {min-spaces-from-content: 1}}}"
    )
    result = run(tool("yamllint"), "--strict", "-d", config, *files)
    assert result.returncode == 0, result.stdout + result.stderr
