"""The environment and commands the chart gives the app really start it.

No container runtime here, so the containers' commands run as processes with the environment
the rendered manifests give them (ConfigMap, env, Secret), pointed at this machine's PostgreSQL
and Redis instead of the in-cluster Services: migrations, then web (gunicorn) until /readyz
answers, /metrics, the CronJob's command, the worker and its liveness probe, and a SIGTERM that
ends web within its grace period.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import private_database
from tests.deploy.conftest import Doc, by_kind, chart_docs, named, pod_spec, unavailable

PG_ADMIN = os.environ.get("TEST_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/13")


def _container_env(docs: list[Doc], workload: Doc) -> dict[str, str]:
    """What the kubelet would give the first container: envFrom, then env with $(VAR)."""
    container = pod_spec(workload)["containers"][0]
    config_maps = {c["metadata"]["name"]: c["data"] for c in by_kind(docs, "ConfigMap")}
    secrets = {
        s["metadata"]["name"]: {k: base64.b64decode(v).decode() for k, v in s["data"].items()}
        for s in by_kind(docs, "Secret")
    }
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]])
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = re.sub(
                r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), item["value"]
            )
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = secrets[ref["name"]][ref["key"]]
    return env


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with private_database("ft_deploy") as url:
        yield url


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"Redis not reachable at {REDIS_URL}: {error}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _local(env: dict[str, str], tmp: Path, database: str, redis_url: str) -> dict[str, str]:
    """The pod's environment with the cluster's addresses and volumes swapped for this
    machine's, and the venv's commands on PATH."""
    local = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(tmp),
        **env,
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "HOST": "127.0.0.1",
        "PORT": str(_free_port()),
        "DATA_DIR": str(tmp / "data"),
        "UPLOAD_DIR": str(tmp / "uploads"),
    }
    if "PROMETHEUS_MULTIPROC_DIR" in env:
        (tmp / "run-prometheus").mkdir(exist_ok=True)  # the emptyDir; the app makes the rest
        local["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "run-prometheus" / "multiproc")
    return local


def _get(port: str, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=3) as answer:  # noqa: S310
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def _wait_for(check, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def _settings_read_by_the_app(env: dict[str, str], values: str) -> str:
    """`values` (of the settings `s`) printed by a fresh process with only `env` set."""
    result = subprocess.run(
        [sys.executable, "-c", "from finance_tracker.settings import load_settings as l; "
         f"s = l(); print({values})"],
        env={"PATH": os.environ.get("PATH", ""), **env}, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_chart_s_database_url_is_one_the_app_accepts() -> None:
    docs = chart_docs("default")
    env = _container_env(docs, named(docs, "Deployment", "finance-tracker-web"))
    assert env["DATABASE_URL"].startswith("postgresql://finance_tracker:")
    assert "$(" not in env["DATABASE_URL"], "the password variable is defined before the URL"
    production, url, auto_migrate = _settings_read_by_the_app(
        env, "s.is_production, s.effective_database_url, s.should_auto_migrate"
    ).split()
    assert production == "True" and auto_migrate == "False"
    assert url.endswith("@finance-tracker-postgresql:5432/finance_tracker")


@pytest.mark.parametrize(
    ("combination", "expected"),
    [
        ("default", "first-user False None"),
        ("traffic-on", "open False None"),
        ("mail", "email True https://money.example.com"),
    ],
)
def test_the_app_accepts_the_sign_up_and_mail_settings_the_chart_gives(
    combination: str, expected: str
) -> None:
    """The worker (which sends the mail) starts with them: the app refuses a mode it does not
    know, email sign-up without SMTP_HOST, or SMTP_HOST without PUBLIC_URL."""
    docs = chart_docs(combination)
    env = _container_env(docs, named(docs, "Deployment", "finance-tracker-worker"))
    mode, sends_mail, public_url, password = _settings_read_by_the_app(
        env, "s.registration_mode, s.sends_mail, s.public_url, s.smtp_password"
    ).split(maxsplit=3)
    assert f"{mode} {sends_mail} {public_url}" == expected
    if combination == "mail":
        assert password.strip() == "not-a-real-password", "SMTP_PASSWORD from the Secret"


@pytest.mark.parametrize(
    ("combination", "expected"), [("default", "False True"), ("no-worker", "True False")]
)
def test_the_web_pods_run_the_jobs_exactly_when_no_worker_reads_a_queue(
    combination: str, expected: str
) -> None:
    """With a worker the web pods get a REDIS_URL and queue the jobs there; without one they get
    none, so the app runs the jobs (and the hourly schedule) in the web process itself."""
    docs = chart_docs(combination)
    env = _container_env(docs, named(docs, "Deployment", "finance-tracker-web"))
    embedded, has_redis = _settings_read_by_the_app(
        env, "s.runs_embedded_jobs, s.redis_url is not None"
    ).split()
    assert f"{embedded} {has_redis}" == expected


def test_the_containers_commands_run_the_app(database: str, redis_url: str, tmp_path: Path) -> None:
    docs = chart_docs("default")
    job = named(docs, "Job", "finance-tracker-migrations")
    web = named(docs, "Deployment", "finance-tracker-web")
    cron = named(docs, "CronJob", "finance-tracker-recurring")
    worker = named(docs, "Deployment", "finance-tracker-worker")

    def command(workload: Doc) -> list[str]:
        return pod_spec(workload)["containers"][0]["command"]

    def env(workload: Doc) -> dict[str, str]:
        return _local(_container_env(docs, workload), tmp_path, database, redis_url)

    migrated = subprocess.run(
        command(job), env=env(job), capture_output=True, text=True, timeout=120, check=False
    )
    assert migrated.returncode == 0, migrated.stderr[-2000:]

    web_env = env(web)
    port = web_env["PORT"]
    server = subprocess.Popen(  # noqa: S603
        command(web), env=web_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    worker_process = None
    try:
        assert _wait_for(lambda: _get(port, "/healthz")[0] == 200, 30), "web never came up"
        status, body = _get(port, "/readyz")
        assert status == 200, body
        status, metrics = _get(port, "/metrics")
        assert status == 200 and "finance_tracker_build_info" in metrics

        recurring = subprocess.run(
            command(cron), env=env(cron), capture_output=True, text=True, timeout=120, check=False
        )
        assert recurring.returncode == 0, recurring.stderr[-2000:]

        worker_env = env(worker)
        probe = pod_spec(worker)["containers"][0]["livenessProbe"]["exec"]["command"]
        dead = subprocess.run(probe, env=worker_env, capture_output=True, timeout=30, check=False)
        assert dead.returncode != 0, "the probe must fail while no worker runs"
        worker_process = subprocess.Popen(  # noqa: S603
            command(worker), env=worker_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        assert _wait_for(
            lambda: subprocess.run(probe, env=worker_env, timeout=30, check=False).returncode == 0,
            30,
        ), "the worker's liveness probe never passed"
    finally:
        grace = pod_spec(web)["terminationGracePeriodSeconds"]
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            server.kill()
            pytest.fail(f"web ignored SIGTERM for {grace} s")
        if worker_process is not None:
            worker_process.send_signal(signal.SIGTERM)
            try:
                worker_process.wait(timeout=pod_spec(worker)["terminationGracePeriodSeconds"])
            except subprocess.TimeoutExpired:
                worker_process.kill()
                pytest.fail("the worker ignored SIGTERM")
