"""The image, run by a real container runtime: scripts/image-check.sh (`make image-check`).

One run of the script (about 40 s once the base image is in podman's store; a fresh machine adds
the packages and the debootstrap stand-in, about 2 minutes) builds the Dockerfile unchanged with
podman, runs the image as the chart runs it against this machine's PostgreSQL and Redis, and
plays the chart's pods with `podman kube play`; the tests read what it printed. On a developer
machine without podman they skip (installing packages is the script's business, as root); with
CI=true the script installs podman itself and nothing skips.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from tests.deploy.conftest import IN_CI, ROOT, unavailable

SCRIPT = ROOT / "scripts" / "image-check.sh"
STDERR = "\n--- stderr ---\n"
PG_ADMIN = os.environ.get("TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
# A Redis database of its own (the integration tests use 15), emptied by the script.
REDIS_URL = re.sub(r"/\d+$", "", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
REDIS_URL += "/14"
TIMEOUT = 900


def _listening(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def image_check(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str]:
    """(exit status, everything printed) of one run of scripts/image-check.sh: one per test run,
    even when pytest-xdist hands these tests to several workers (they share the result file)."""
    if not IN_CI and shutil.which("podman") is None:
        pytest.skip("podman is not installed: `make image-check` installs it (as root); CI runs it")
    if os.geteuid() != 0 and (
        shutil.which("sudo") is None
        or subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode != 0
    ):
        unavailable(
            "scripts/image-check.sh runs podman as root: not root, and no sudo without a password"
        )
    for url, port, what in ((PG_ADMIN, 5432, "PostgreSQL"), (REDIS_URL, 6379, "Redis")):
        if not _listening(url, port):
            unavailable(f"{what} does not answer at {url}")
    env = {
        **os.environ,
        "PYTHON": sys.executable,  # this venv: helm-python-sdk renders the chart
        "PG_ADMIN_URL": PG_ADMIN.rsplit("/", 1)[0],
        "REDIS_HOST_URL": REDIS_URL,
    }
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # this run's folder, the same for every xdist worker
    with (shared / "image-check.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "image-check.json"
        if not done.exists():
            result = subprocess.run(
                [str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT
            )
            # What went to stderr comes after a marker: the checks' own lines end stdout.
            printed = result.stdout + (f"{STDERR}{result.stderr}" if result.stderr else "")
            done.write_text(json.dumps([result.returncode, printed]))
        status, output = json.loads(done.read_text())
    return status, output


def _ok(output: str, pattern: str) -> list[str]:
    return [
        line for line in output.splitlines() if line.startswith("  ok") and re.search(pattern, line)
    ]


def test_every_check_passes(image_check: tuple[int, str]) -> None:
    status, output = image_check
    failed = [line for line in output.splitlines() if "FAIL" in line]
    assert status == 0, "\n".join(failed) or output[-3000:]
    checks, _, stderr = output.partition(STDERR)
    assert checks.rstrip().endswith("image-check: every check passed"), output[-3000:]
    if stderr:
        print(f"podman and the tools wrote to stderr:\n{stderr[-3000:]}")


def test_the_dockerfile_is_built_unchanged_by_podman(image_check: tuple[int, str]) -> None:
    _, output = image_check
    assert "podman build --pull=never --format docker (the Dockerfile, unchanged)" in output
    assert "HEALTHCHECK kept: yes" in output  # the docker format keeps it, OCI would drop it
    base = re.search(r"==> base image (\S+)\n(.*)", output)
    assert base, output[-2000:]
    assert base.group(1) == "docker.io/library/" + re.search(
        r"^FROM\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.M
    ).group(1)
    # A stand-in is never passed off as the registry's image.
    assert "STAND-IN" in base.group(2) or "registry" in base.group(2) or "present" in base.group(2)


def test_the_image_runs_as_the_chart_runs_it(image_check: tuple[int, str]) -> None:
    _, output = image_check
    assert _ok(output, r"db upgrade exit 0")
    assert _ok(output, r"ready \(/readyz 200\)")
    assert _ok(output, r"GET /healthz 200")
    assert _ok(output, r'GET /readyz 200 .*"database":"ok".*"redis":"ok"')
    assert _ok(output, r"GET /metrics: finance_tracker_build_info")
    assert _ok(output, r"the Dockerfile's HEALTHCHECK passes")
    # uid 10001, no capabilities, no_new_privs, seccomp, read-only root: web and worker, run by
    # podman run and by kube play.
    assert len(_ok(output, r"uid 10001, no capabilities, no_new_privs, seccomp")) == 4


def test_a_sign_up_and_transactions_work_in_the_image(image_check: tuple[int, str]) -> None:
    _, output = image_check
    assert _ok(output, r"signed up and wrote two transactions")
    assert _ok(output, r"PostgreSQL holds the 2 transactions")
    assert _ok(output, r"finance_tracker_transactions_created_total")


def test_the_worker_comes_up_and_sigterm_drains_and_exits_0(image_check: tuple[int, str]) -> None:
    _, output = image_check
    assert _ok(output, r"registered in Redis \(the chart's worker probe\)")
    assert _ok(output, r"worker /metrics on :9101")
    assert len(_ok(output, r"SIGTERM -> exit 0")) == 4  # web, worker; their pods
    # gunicorn drains: a POST whose body was still arriving when SIGTERM came got its answer.
    assert _ok(output, r"a request in flight at SIGTERM was answered \(HTTP/1.1 \d{3} ")
    assert len(_ok(output, r"no ERROR or CRITICAL log line")) == 6


def test_the_chart_pods_play_and_the_gaps_are_named(image_check: tuple[int, str]) -> None:
    _, output = image_check
    assert _ok(output, r"migrations-migrations: `db upgrade` exit 0")
    for component in ("web", "worker"):
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert _ok(output, rf"{component}-pod-0-{component}: {probe} command passes")
        assert _ok(output, rf"{component}-pod-0-{component}: podman healthcheck run")
    report = output.split("What podman 4.3 cannot honour", 1)[-1]
    for gap in ("secretKeyRef", "$(VAR)", "httpGet probe", "exec probe", "kind Job"):
        assert f"- {gap}" in report or f"{gap}:" in report, gap


def test_the_figures_are_printed(image_check: tuple[int, str]) -> None:
    """The size and start-to-ready figures, beside their targets. The targets are not asserted
    here: under the whole suite on two cores start-to-ready measured 3.5 s for 1.0 s alone, and
    speed targets belong to measurements made alone (`make image-check`), not to timed tests."""
    _, output = image_check
    size = re.search(r"image size\s+(\d+) MB \(target <= 200 MB\)", output)
    ready = re.search(r"start-to-ready\s+([\d.]+) s \(target <= 3 s\)", output)
    took = re.search(r"the whole check\s+([\d.]+) s", output)
    assert size and ready and took, output[-2000:]
    print(f"image {size.group(1)} MB, start-to-ready {ready.group(1)} s, check {took.group(1)} s")
    assert float(ready.group(1)) > 0
