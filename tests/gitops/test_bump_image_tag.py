"""scripts/bump-image-tag.py on a temporary Git repository laid out like ours: it changes
exactly one line, keeps every comment, commits only that file with the deploy message, and
refuses a malformed tag, an unknown environment and a step back with a clear reason."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import CHART, ROOT
from tests.gitops.conftest import ARGOCD, BUMP_SCRIPT, environments
from tests.gitops.test_pinned_images import bump_script

SHA = "0123456789abcdef0123456789abcdef01234567"
PRODUCTION = "deploy/helm/finance-tracker/values-production.yaml"
STAGING = "deploy/helm/finance-tracker/values-staging.yaml"


def _env(home: Path) -> dict[str, str]:
    """Git with a known identity and no configuration of the machine or the user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env |= {
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_AUTHOR_NAME": "release bot",
        "GIT_AUTHOR_EMAIL": "bot@example.com",
        "GIT_COMMITTER_NAME": "release bot",
        "GIT_COMMITTER_EMAIL": "bot@example.com",
    }
    return env


class Repo:
    """A Git work tree with the real values files of deploy/argocd and the chart."""

    def __init__(self, path: Path, home: Path) -> None:
        self.path, self.env = path, _env(home)

    def git(self, *args: str) -> str:
        result = subprocess.run(
            ["git", *args], cwd=self.path, env=self.env, capture_output=True, text=True, check=True
        )
        return result.stdout

    def bump(self, *args: str, repo: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(BUMP_SCRIPT), "--repo", str(repo or self.path), *args],
            cwd=self.path,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )

    def read(self, relative: str) -> str:
        return (self.path / relative).read_text()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path / "home"
    home.mkdir()
    (home / "gitconfig").write_text("")
    work = tmp_path / "work"
    (work / "deploy" / "argocd").mkdir(parents=True)
    shutil.copy(ARGOCD / "values.yaml", work / "deploy" / "argocd" / "values.yaml")
    chart = work / "deploy" / "helm" / "finance-tracker"
    chart.mkdir(parents=True)
    for settings in environments().values():
        shutil.copy(CHART / settings["valuesFile"], chart / settings["valuesFile"])
    (work / "README.md").write_text("scratch\n")
    repository = Repo(work, home)
    repository.git("init", "--quiet", "--initial-branch=main")
    repository.git("add", "--all")
    repository.git("commit", "--quiet", "--message", "initial")
    return repository


def _changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    assert len(before.splitlines()) == len(after.splitlines())
    return [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]


# ---- what it does -------------------------------------------------------------------------------


def test_a_release_changes_exactly_one_line_and_commits_it(repo: Repo) -> None:
    before, staging_before, parent = repo.read(PRODUCTION), repo.read(STAGING), repo.head()
    result = repo.bump("--environment", "production", "--tag", "1.2.3")
    assert result.returncode == 0, result.stderr
    after = repo.read(PRODUCTION)
    assert _changed_lines(before, after) == [('  tag: "0.1.0"', '  tag: "1.2.3"')]
    assert repo.read(STAGING) == staging_before
    # Every comment and blank line is still there, in place.
    assert [line for line in after.splitlines() if line.lstrip().startswith("#")] == [
        line for line in before.splitlines() if line.lstrip().startswith("#")
    ]
    assert yaml.safe_load(after) == {
        **yaml.safe_load(before),
        "image": {**yaml.safe_load(before)["image"], "tag": "1.2.3"},
    }
    # One commit on top, with the message, touching only that file, and a clean tree.
    assert repo.git("rev-parse", "HEAD~1").strip() == parent
    assert repo.git("log", "-1", "--format=%B").strip() == (
        "deploy(production): finance-tracker 1.2.3 [skip ci]"
    )
    assert repo.git("show", "--name-only", "--format=", "HEAD").split() == [PRODUCTION]
    assert repo.git("status", "--porcelain") == ""
    assert result.stdout.split()[0] == repo.head()


def test_main_builds_go_to_staging_as_sha_tags_with_a_body(repo: Repo) -> None:
    result = repo.bump(
        "--environment", "staging", "--tag", f"sha-{SHA}", "--body", "Built from 0123456."
    )
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(repo.read(STAGING))["image"]["tag"] == f"sha-{SHA}"
    message = repo.git("log", "-1", "--format=%B")
    assert message.startswith(f"deploy(staging): finance-tracker sha-{SHA} [skip ci]\n\n")
    assert "Built from 0123456." in message


@pytest.mark.parametrize("tag", ["1.2.3", "v2.0.0", "1.2.3-rc.1", "0123abc", "1234567", SHA])
def test_every_accepted_tag_form_lands_as_a_string(repo: Repo, tag: str) -> None:
    result = repo.bump("-e", "staging", "-t", tag)
    assert result.returncode == 0, result.stderr
    # 1234567 would be read as a number unquoted: the script always quotes.
    assert yaml.safe_load(repo.read(STAGING))["image"]["tag"] == tag


def test_the_same_tag_again_commits_nothing(repo: Repo) -> None:
    assert repo.bump("-e", "production", "-t", "1.2.3").returncode == 0
    head, text = repo.head(), repo.read(PRODUCTION)
    result = repo.bump("-e", "production", "-t", "1.2.3")
    assert result.returncode == 0
    assert "nothing to commit" in result.stdout
    assert (repo.head(), repo.read(PRODUCTION)) == (head, text)


def test_only_the_values_file_is_committed_whatever_else_is_staged(repo: Repo) -> None:
    (repo.path / "README.md").write_text("staged, not part of the bump\n")
    repo.git("add", "README.md")
    assert repo.bump("-e", "production", "-t", "1.2.3").returncode == 0
    assert repo.git("show", "--name-only", "--format=", "HEAD").split() == [PRODUCTION]
    assert repo.git("status", "--porcelain").strip() == "M  README.md"


def test_a_tag_with_a_comment_on_its_line_and_other_layouts_keep_them(repo: Repo) -> None:
    layouts = {
        'image:\n  tag: "0.1.0"  # bumped by CI\n': 'image:\n  tag: "1.2.3"  # bumped by CI\n',
        "image:\n  tag: '0.1.0'\n  pullPolicy: Always\n": (
            'image:\n  tag: "1.2.3"\n  pullPolicy: Always\n'
        ),
        "image: {tag: 0.1.0, pullPolicy: Always}\n": (
            'image: {tag: "1.2.3", pullPolicy: Always}\n'
        ),
        "image:\n  tag:\n# end\n": 'image:\n  tag: "1.2.3"\n# end\n',
    }
    for before, expected in layouts.items():
        (repo.path / PRODUCTION).write_text(before)
        repo.git("commit", "--quiet", "--all", "--message", "layout")
        result = repo.bump("-e", "production", "-t", "1.2.3")
        assert result.returncode == 0, result.stderr
        assert repo.read(PRODUCTION) == expected


def test_it_works_from_a_subfolder_of_the_repository(repo: Repo) -> None:
    result = repo.bump("-e", "production", "-t", "1.2.3", repo=repo.path / "deploy" / "argocd")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(repo.read(PRODUCTION))["image"]["tag"] == "1.2.3"


# ---- what it refuses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        "latest",
        "",
        "main",
        "1.2",
        "1.2.3.4",
        "01.2.3",
        "1.2.3+build.5",
        "V1.2.3",
        "0123ab",  # 6 hex digits: too short for a sha
        SHA + "0",  # 41
        "ABCDEF0",  # upper case
        "sha-",
        "sha-xyz1234",
        "1.2.3 ",
        "../../etc/passwd",
        "1.2.3\nimage: evil",
        '1.2.3"',
    ],
)
def test_a_malformed_tag_is_refused_and_nothing_changes(repo: Repo, tag: str) -> None:
    head, text = repo.head(), repo.read(PRODUCTION)
    result = repo.bump("-e", "production", "-t", tag)
    assert result.returncode == 2
    assert "is not an image tag this pipeline deploys" in result.stderr
    assert "semantic version" in result.stderr and "commit sha" in result.stderr
    assert (repo.head(), repo.read(PRODUCTION)) == (head, text)


@pytest.mark.parametrize(
    ("environment", "reason"),
    [
        ("prod", "no environment 'prod' in deploy/argocd/values.yaml (known: production, staging)"),
        ("kind", "no environment 'kind'"),
        ("../production", "is not an environment name"),
        ("Production", "is not an environment name"),
    ],
)
def test_a_missing_environment_is_refused(repo: Repo, environment: str, reason: str) -> None:
    head = repo.head()
    result = repo.bump("-e", environment, "-t", "1.2.3")
    assert result.returncode == 2
    assert reason in result.stderr
    assert repo.head() == head


def test_a_declared_environment_without_its_values_file_is_refused(repo: Repo) -> None:
    repo.git("rm", "--quiet", STAGING)
    repo.git("commit", "--quiet", "--message", "no staging")
    result = repo.bump("-e", "staging", "-t", "1.2.3")
    assert result.returncode == 2
    assert "values-staging.yaml does not exist" in result.stderr


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("web:\n  replicaCount: 2\n", "has no 'image'"),
        ("image:\n  repository: x\n", "image has no 'tag'"),
        ('image:\n  tag: "0.1.0"\n  tag: "0.2.0"\n', "'tag' 2 times"),
        ("image:\n  tag: |\n    0.1.0\n", "not a one-line scalar"),
        ('image:\n  tag: "0.1.0"\n  digest: sha256:' + "0" * 64 + "\n", "image.digest is set"),
        ("- a list\n", "is not a mapping of values"),
        ("image: {tag: [\n", "is not one valid YAML document"),
        ('image:\n  tag: "0.1.0"\n---\nimage: {}\n', "is not one valid YAML document"),
        ("defaults: &d\n  tag: 0.1.0\nimage: *d\n", "changed more than image.tag"),
    ],
)
def test_a_values_file_it_cannot_edit_safely_is_refused(
    repo: Repo, content: str, reason: str
) -> None:
    (repo.path / PRODUCTION).write_text(content)
    repo.git("commit", "--quiet", "--all", "--message", "odd values")
    result = repo.bump("-e", "production", "-t", "1.2.3")
    assert result.returncode == 2
    assert reason in result.stderr
    assert repo.read(PRODUCTION) == content


def test_uncommitted_changes_in_the_values_file_are_refused(repo: Repo) -> None:
    (repo.path / PRODUCTION).write_text(repo.read(PRODUCTION) + "# edited by hand\n")
    result = repo.bump("-e", "production", "-t", "1.2.3")
    assert result.returncode == 2
    assert "uncommitted changes" in result.stderr


def test_outside_a_git_work_tree_it_refuses(tmp_path: Path, repo: Repo) -> None:
    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()
    result = repo.bump("-e", "production", "-t", "1.2.3", repo=elsewhere)
    assert result.returncode == 2
    assert "is not a Git work tree" in result.stderr


def test_a_late_older_release_is_refused_unless_it_is_a_rollback(repo: Repo) -> None:
    assert repo.bump("-e", "production", "-t", "1.3.0").returncode == 0
    for older in ("1.2.9", "1.3.0-rc.2", "v1.2.0"):
        result = repo.bump("-e", "production", "-t", older)
        assert result.returncode == 2, older
        assert "runs 1.3.0, newer than" in result.stderr and "--allow-downgrade" in result.stderr
    result = repo.bump("-e", "production", "-t", "1.2.9", "--allow-downgrade")
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(repo.read(PRODUCTION))["image"]["tag"] == "1.2.9"


def test_a_staging_commit_older_than_the_running_one_is_refused(repo: Repo) -> None:
    first = repo.head()
    (repo.path / "README.md").write_text("a newer commit\n")
    repo.git("commit", "--quiet", "--all", "--message", "newer")
    second = repo.head()
    assert repo.bump("-e", "staging", "-t", f"sha-{second}").returncode == 0
    result = repo.bump("-e", "staging", "-t", f"sha-{first[:7]}")
    assert result.returncode == 2
    assert "newer than" in result.stderr
    # A commit this clone does not know cannot be ordered: it goes through.
    assert repo.bump("-e", "staging", "-t", f"sha-{SHA}").returncode == 0


def test_semantic_version_precedence_follows_semver_org() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "v2.0.0",
    ]
    rank = bump_script()._precedence
    assert sorted(ordered, key=rank) == ordered


def test_the_declared_environments_are_the_ones_the_release_workflow_bumps() -> None:
    text = (ROOT / ".github" / "workflows" / "release.yaml").read_text()
    for env in environments():
        assert f"environment={env}" in text, env
