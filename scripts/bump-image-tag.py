#!/usr/bin/env python3
"""Point one environment at a new image: the GitOps bump the release workflow commits.

    scripts/bump-image-tag.py --environment production --tag 1.2.3 [--repo .] [--body TEXT]

An environment is one that deploy/argocd/values.yaml declares (`environments.<name>`); its
values file (`valuesFile`, beside the chart in deploy/helm/finance-tracker) holds `image.tag`.
The script rewrites that one scalar in place (the rest of the file, comments and layout
included, stays byte for byte), checks that the file still parses to the same values but for
the tag, and commits only that file in the given repository:

    deploy(production): finance-tracker 1.2.3 [skip ci]

`[skip ci]` keeps the commit from starting a workflow. Already at that tag: nothing to commit,
exit 0, so a rerun is harmless. A tag is either a semantic version (1.2.3, v1.2.3, 1.2.3-rc.1)
or a commit sha of 7 to 40 lowercase hex digits, bare or as sha-<hex>; anything else (latest,
main, 1.2) is refused. So is a step back (a lower version, or an ancestor of the commit running
now: a release that finished late) unless --allow-downgrade says it is a rollback.
Exit status: 0 done, 2 refused (with the reason on stderr), 1 git failed.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

CHART_DIR = Path("deploy/helm/finance-tracker")
ENVIRONMENTS_FILE = Path("deploy/argocd/values.yaml")
APP = "finance-tracker"

_IDENTIFIER = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
_SEMVER = (
    r"v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    rf"(?:-(?P<pre>{_IDENTIFIER}(?:\.{_IDENTIFIER})*))?"
)
_SHA = r"(?:sha-)?(?P<sha>[0-9a-f]{7,40})"
SEMVER = re.compile(_SEMVER)
SHA = re.compile(_SHA)
ENVIRONMENT = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?")
TAG_HELP = (
    "a semantic version (1.2.3, v1.2.3, 1.2.3-rc.1) or a commit sha of 7 to 40 lowercase hex "
    "digits, bare or as sha-<hex>"
)


class Refused(Exception):
    """A request the script will not carry out; the message says why."""


def valid_tag(tag: str) -> bool:
    # A Docker tag is at most 128 characters; both grammars keep to its alphabet.
    return len(tag) <= 128 and (SEMVER.fullmatch(tag) or SHA.fullmatch(tag)) is not None


def _precedence(tag: str) -> tuple[Any, ...] | None:
    """Semantic-version precedence (semver.org, item 11), None for anything else."""
    match = SEMVER.fullmatch(tag)
    if match is None:
        return None
    core = (int(match["major"]), int(match["minor"]), int(match["patch"]))
    if match["pre"] is None:
        return (*core, 1, ())  # a release ranks above its pre-releases
    fields = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in match["pre"].split(".")
    )
    return (*core, 0, fields)


def is_downgrade(repo: Path, old: str, new: str) -> bool:
    """Whether `new` is older than `old`: a lower version, or a commit that `old` descends from."""
    old_rank, new_rank = _precedence(old), _precedence(new)
    if old_rank is not None and new_rank is not None:
        return new_rank < old_rank
    old_sha, new_sha = SHA.fullmatch(old), SHA.fullmatch(new)
    if old_sha is None or new_sha is None:
        return False
    try:
        commits = [
            _git(repo, "rev-parse", "--verify", "--quiet", f"{m['sha']}^{{commit}}").strip()
            for m in (old_sha, new_sha)
        ]
        if commits[0] == commits[1]:
            return False
        _git(repo, "merge-base", "--is-ancestor", commits[1], commits[0])
    except subprocess.CalledProcessError:
        return False  # unknown here, or not an ancestor: not provably older
    return True


def commit_message(environment: str, tag: str) -> str:
    return f"deploy({environment}): {APP} {tag} [skip ci]"


def _git(repo: Path, *args: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise Refused("git is not on PATH")
    # An argument list, never a shell: the tag and the environment were validated above.
    result = subprocess.run(  # noqa: S603
        [git, "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise subprocess.CalledProcessError(
            result.returncode, ["git", *args], result.stdout, result.stderr
        )
    return result.stdout


def values_file(repo: Path, environment: str) -> Path:
    """The values file of a declared environment, or Refused."""
    if not ENVIRONMENT.fullmatch(environment):
        raise Refused(f"{environment!r} is not an environment name (lowercase letters, digits, -)")
    declared_in = repo / ENVIRONMENTS_FILE
    if not declared_in.is_file():
        raise Refused(f"{ENVIRONMENTS_FILE} is missing in {repo}: no environment is declared")
    environments = (yaml.safe_load(declared_in.read_text()) or {}).get("environments") or {}
    if environment not in environments:
        known = ", ".join(sorted(environments)) or "none"
        raise Refused(f"no environment {environment!r} in {ENVIRONMENTS_FILE} (known: {known})")
    name = (environments[environment] or {}).get("valuesFile", "")
    if not re.fullmatch(r"values-[a-z0-9-]+\.yaml", str(name)):
        raise Refused(f"environment {environment!r}: valuesFile {name!r} is not values-<name>.yaml")
    path = repo / CHART_DIR / name
    if not path.is_file():
        raise Refused(
            f"environment {environment!r}: its values file {path.relative_to(repo)} does not exist"
        )
    return path


def _only_key(mapping: yaml.MappingNode, key: str, where: str) -> yaml.Node:
    found = [value for name, value in mapping.value if name.value == key]
    if not found:
        raise Refused(f"{where} has no {key!r}")
    if len(found) > 1:
        raise Refused(f"{where} has {key!r} {len(found)} times")
    return found[0]


def replace_tag(text: str, tag: str, where: str) -> tuple[str, str]:
    """(new text, old tag): `image.tag` of `text` set to `tag`, every other byte unchanged."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        raise Refused(f"{where} is not one valid YAML document: {error}") from None
    if not isinstance(root, yaml.MappingNode):
        raise Refused(f"{where} is not a mapping of values")
    image = _only_key(root, "image", where)
    if not isinstance(image, yaml.MappingNode):
        raise Refused(f"{where}: image is not a mapping")
    node = _only_key(image, "tag", f"{where}: image")
    if not isinstance(node, yaml.ScalarNode) or node.start_mark.line != node.end_mark.line:
        raise Refused(f"{where}: image.tag is not a one-line scalar")
    before: dict[str, Any] = yaml.safe_load(text)
    if (before["image"].get("digest") or "") != "":
        raise Refused(f"{where}: image.digest is set and wins over the tag; remove it first")
    old = "" if before["image"]["tag"] is None else str(before["image"]["tag"])
    # Always double-quoted: an all-digit sha such as 1234567 must stay a string. An empty
    # `tag:` (null) has no span: the value then needs its own space after the colon.
    start, end = node.start_mark.index, node.end_mark.index
    value = f'"{tag}"' if end > start else f' "{tag}"'
    new_text = text[:start] + value + text[end:]
    after: dict[str, Any] = yaml.safe_load(new_text)
    expected = {**before, "image": {**before["image"], "tag": tag}}
    if after != expected:  # an alias: the anchor it points at holds other values too
        raise Refused(f"{where}: the edit changed more than image.tag; nothing written")
    changed = [
        (a, b) for a, b in zip(text.splitlines(), new_text.splitlines(), strict=True) if a != b
    ]
    if old != tag and len(changed) != 1:  # pragma: no cover - same guard
        raise Refused(f"{where}: the edit touched {len(changed)} lines; nothing written")
    return new_text, old


def bump(
    repo: Path, environment: str, tag: str, body: str = "", allow_downgrade: bool = False
) -> str | None:
    """Write and commit the new tag; the new commit's sha, or None when already at `tag`."""
    if not valid_tag(tag):
        raise Refused(f"{tag!r} is not an image tag this pipeline deploys: use {TAG_HELP}")
    try:
        top = Path(_git(repo, "rev-parse", "--show-toplevel").strip())
    except subprocess.CalledProcessError as error:
        raise Refused(f"{repo} is not a Git work tree") from error
    path = values_file(top, environment)
    relative = str(path.relative_to(top))
    if _git(top, "status", "--porcelain", "--", relative).strip():
        raise Refused(f"{relative} has uncommitted changes: commit or discard them first")
    text = path.read_text()
    new_text, old = replace_tag(text, tag, relative)
    if old == tag:
        return None
    if not allow_downgrade and is_downgrade(top, old, tag):
        raise Refused(
            f"{environment} runs {old}, newer than {tag}: refused (a release that finished late?); "
            "to roll back on purpose, pass --allow-downgrade"
        )
    path.write_text(new_text)
    message = commit_message(environment, tag)
    if body.strip():
        message += "\n\n" + body.strip() + "\n"
    _git(top, "add", "--", relative)
    # Only this path goes into the commit, whatever else is staged.
    _git(top, "commit", "--quiet", "--only", "--message", message, "--", relative)
    return _git(top, "rev-parse", "HEAD").strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bump-image-tag",
        description="Set image.tag of one environment's values file and commit it [skip ci].",
    )
    parser.add_argument("--environment", "-e", required=True, help="e.g. staging, production")
    parser.add_argument("--tag", "-t", required=True, help=TAG_HELP)
    parser.add_argument("--repo", type=Path, default=Path("."), help="the Git work tree (.)")
    parser.add_argument("--body", default="", help="commit message body (e.g. the build's URL)")
    parser.add_argument(
        "--allow-downgrade",
        action="store_true",
        help="go to an older version or commit (a rollback); refused otherwise",
    )
    args = parser.parse_args(argv)
    try:
        sha = bump(args.repo, args.environment, args.tag, args.body, args.allow_downgrade)
    except Refused as refusal:
        print(f"bump-image-tag: {refusal}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(
            f"bump-image-tag: git {' '.join(error.cmd[1:])} failed: {error.stderr}", file=sys.stderr
        )
        return 1
    if sha is None:
        print(f"{args.environment} already runs {APP} {args.tag}: nothing to commit")
    else:
        print(f"{sha} {commit_message(args.environment, args.tag)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
