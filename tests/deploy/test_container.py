"""The image and the one-machine stack: Dockerfile (hadolint and what the issue asks of it),
.dockerignore, the wheel its build stage makes, and compose.yaml."""

from __future__ import annotations

import json
import os
import re
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import ROOT, run, tool

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _stages() -> list[str]:
    return re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", DOCKERFILE, re.M)


def test_hadolint_finds_nothing() -> None:
    result = run(tool("hadolint"), "--no-color", "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_the_image_builds_in_two_stages_from_a_pinned_slim_python() -> None:
    stages = _stages()
    assert [name for _, name in stages] == ["build", "runtime"]
    for image, _ in stages:
        assert re.fullmatch(r"python:3\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", image), image
    assert "pip wheel --wheel-dir /wheels ." in DOCKERFILE
    assert "from=build,source=/wheels" in DOCKERFILE, "the runtime installs the build's wheels"


def test_the_image_runs_as_a_fixed_numeric_non_root_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.M)
    assert users == ["10001:10001"], "numeric, so the kubelet can check runAsNonRoot"
    assert "--uid 10001" in DOCKERFILE


def test_the_image_works_on_a_read_only_root_filesystem() -> None:
    """Everything it writes goes to /tmp and the data paths, which are volumes."""
    volumes = re.search(r"^VOLUME\s+(\[.*\])", DOCKERFILE, re.M)
    assert volumes
    assert set(yaml.safe_load(volumes.group(1))) == {
        "/var/lib/finance-tracker/data", "/var/lib/finance-tracker/uploads",
    }  # fmt: skip
    assert "PYTHONDONTWRITEBYTECODE=1" in DOCKERFILE
    assert "DATA_DIR=/var/lib/finance-tracker/data" in DOCKERFILE
    assert "UPLOAD_DIR=/var/lib/finance-tracker/uploads" in DOCKERFILE
    gunicorn = (ROOT / "src" / "finance_tracker" / "ops" / "gunicorn.py").read_text()
    assert '"control_socket_disable": True' in gunicorn


def test_the_image_starts_gunicorn_on_all_interfaces() -> None:
    assert 'ENTRYPOINT ["finance-tracker"]' in DOCKERFILE
    assert 'CMD ["serve", "--production"]' in DOCKERFILE
    assert "HOST=0.0.0.0" in DOCKERFILE
    assert "FINANCE_TRACKER_ENV=production" in DOCKERFILE
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", DOCKERFILE, re.M)


def test_the_image_carries_oci_labels() -> None:
    labels = set(re.findall(r"org\.opencontainers\.image\.([a-z.]+)=", DOCKERFILE))
    assert {
        "title",
        "description",
        "version",
        "revision",
        "created",
        "licenses",
        "source",
    } <= labels


def _ignored(path: str) -> bool:
    """.dockerignore semantics: a pattern matches the path or one of its parent folders; `*`
    stays within a folder, `**` spans folders; the last matching line wins, `!` re-includes."""
    ignored = False
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern = re.escape(line.lstrip("!").rstrip("/"))
        pattern = pattern.replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
        pattern = pattern.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        if any(re.fullmatch(pattern, prefix) for prefix in prefixes):
            ignored = not line.startswith("!")
    return ignored


def test_dockerignore_keeps_what_the_build_copies_and_nothing_else() -> None:
    for source in re.findall(r"^COPY\s+(?!--from)(.+)\s+\S+$", DOCKERFILE, re.M):
        for path in source.split():
            assert not _ignored(path), f"{path} is COPYed but ignored"
    assert not _ignored("src/finance_tracker/cli.py")
    for secret_or_bulk in (".git/config", ".venv/bin/python", "data/secret_key",
                           "data/finance-tracker.db", "tests/conftest.py", "deploy/kind/cluster.yaml",
                           "src/finance_tracker/__pycache__/cli.cpython-311.pyc"):  # fmt: skip
        assert _ignored(secret_or_bulk), secret_or_bulk


def test_the_build_stage_makes_a_wheel_with_templates_static_files_and_migrations(
    tmp_path: Path,
) -> None:
    """What `pip wheel .` gives the runtime stage, built from the Docker build context (the
    files .dockerignore lets through): without package data the image would start and then fail
    on the first page or migration."""
    context = tmp_path / "context"
    negations = [
        line.strip()[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip().startswith("!")
    ]
    for folder, folders, files in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT)
        # Do not descend where nothing can be let through again (.git, .venv, …).
        folders[:] = [
            f for f in folders
            if not _ignored(str(here / f)) or any(n.startswith(str(here / f)) for n in negations)
        ]  # fmt: skip
        for name in files:
            relative = str(here / name)
            if not _ignored(relative):
                (context / relative).parent.mkdir(parents=True, exist_ok=True)
                (context / relative).write_bytes((ROOT / relative).read_bytes())
    assert sorted(p.name for p in context.iterdir()) == ["README.md", "pyproject.toml", "src"]
    result = run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir",
        str(tmp_path), str(context), cwd=context, timeout=600,
    )  # fmt: skip
    if result.returncode != 0 and "Could not find a version" in result.stderr:
        from tests.deploy.conftest import unavailable

        unavailable("pip could not fetch the build backend (setuptools) for the wheel")
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = tmp_path.glob("finance_tracker-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "src" / "finance_tracker"
    missing = [
        str(path.relative_to(package.parent))
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
        and str(path.relative_to(package.parent)) not in names
    ]  # fmt: skip
    assert missing == [], "in src/ but not in the image's wheel (package-data?)"
    assert "finance_tracker/store/migrations/env.py" in names
    assert "finance_tracker/web/templates/base.html" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "finance-tracker = finance_tracker.cli:main"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )


# ---- compose.yaml ------------------------------------------------------------------------------

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_config_is_valid() -> None:
    result = run(
        tool("docker-compose"), "--file", "compose.yaml", "config", "--quiet",
    )  # fmt: skip
    # SECRET_KEY must be given: compose refuses to start without it.
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    env_result = run("env", "SECRET_KEY=" + "x" * 40, tool("docker-compose"),
                     "--file", "compose.yaml", "config", "--quiet")  # fmt: skip
    assert env_result.returncode == 0, env_result.stderr


MAIL_SETTINGS = (
    "REGISTRATION", "SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_USERNAME", "SMTP_PASSWORD",
    "SMTP_TIMEOUT_SECONDS", "MAIL_FROM",
)  # fmt: skip


@pytest.mark.parametrize("service", ["web", "worker"])
def test_compose_passes_sign_up_and_mail_settings_through_only_when_set(service: str) -> None:
    """No value in compose.yaml: unset in the shell means unset in the container, so the app's
    defaults apply (an empty REGISTRATION or SMTP_PORT would stop it)."""
    environment = COMPOSE["services"][service]["environment"]
    for name in MAIL_SETTINGS:
        assert name in environment and environment[name] is None, name
    assert environment["PUBLIC_URL"] == "${PUBLIC_URL:-http://127.0.0.1:5000}"
    given = run("env", "SECRET_KEY=" + "x" * 40, "REGISTRATION=open", "SMTP_PORT=2525",
                tool("docker-compose"), "--file", "compose.yaml", "config", "--format", "json")  # fmt: skip
    assert given.returncode == 0, given.stderr
    resolved = json.loads(given.stdout)["services"][service]["environment"]
    assert resolved["REGISTRATION"] == "open" and resolved["SMTP_PORT"] == "2525"
    assert resolved["SMTP_HOST"] is None and resolved["PUBLIC_URL"] == "http://127.0.0.1:5000"


def test_compose_tells_the_traffic_sender_s_user_to_open_sign_up() -> None:
    text = (ROOT / "compose.yaml").read_text()
    sender = text[text.index("The traffic sender runs on the host") :]
    assert "REGISTRATION=open" in sender[:400]


def test_compose_runs_the_full_stack() -> None:
    assert set(COMPOSE["services"]) == {
        "postgres", "redis", "migrate", "web", "worker", "prometheus", "grafana",
    }  # fmt: skip


@pytest.mark.parametrize("service", ["migrate", "web", "worker"])
def test_compose_app_containers_run_as_in_kubernetes(service: str) -> None:
    spec = COMPOSE["services"][service]
    assert spec["user"] == "10001:10001"
    assert spec["read_only"] is True
    assert spec["cap_drop"] == ["ALL"]
    assert spec["environment"]["AUTO_MIGRATE"] == "false"
    assert spec["environment"]["DATABASE_URL"].startswith("postgresql://")


def test_compose_images_are_pinned_and_ports_stay_on_localhost() -> None:
    for name, spec in COMPOSE["services"].items():
        image = spec["image"]
        assert ":" in image and not image.endswith(":latest"), name
        for port in spec.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"
    web = COMPOSE["services"]["web"]
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "PROMETHEUS_MULTIPROC_DIR" in web["environment"]


def test_compose_grafana_gets_the_chart_s_dashboard_and_the_datasource_it_names() -> None:
    volumes = COMPOSE["services"]["grafana"]["volumes"]
    assert any(v.startswith("./deploy/helm/finance-tracker/dashboards:") for v in volumes)
    for volume in volumes:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (ROOT / source).exists(), source
    datasource = yaml.safe_load(
        (ROOT / "deploy/compose/grafana/provisioning/datasources/prometheus.yaml").read_text()
    )["datasources"][0]
    assert datasource["uid"] == "prometheus"
