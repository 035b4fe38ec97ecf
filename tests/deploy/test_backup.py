"""The backup CronJob (backup.enabled): rendered only when asked for, the image of the bundled
PostgreSQL, Pod Security "restricted" (also checked for every workload by
test_manifests_review.py), reaching the database and nothing else; and its script, taken from the
rendered ConfigMap and run with bash against the machine's PostgreSQL: dumps that pg_restore
brings back, pruning to KEEP, a failed run that exits non-zero and leaves no partial file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import (
    CHART,
    IN_CI,
    NAMESPACE,
    RELEASE,
    ROOT,
    Doc,
    by_kind,
    chart_docs,
    module,
    named,
    pod_labels,
    pod_spec,
    run,
    schema_refusal,
    tool,
    unavailable,
)
from tests.deploy.test_network_policies import INTERNET, STRANGER, Pod, _pods, allowed

SCRIPT = CHART / "scripts" / "backup.sh"
WITH_BACKUP = ["existing-secret", "external-db"]
RESTORE_FLAGS = ["--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction"]


def _render(values: dict[str, Any]) -> list[Doc]:
    helm = module("helm_python")
    chart = helm.Chart.load(str(CHART))
    try:
        rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    finally:
        chart.close()
    return [d for t, text in rendered.items() if t.endswith(".yaml")
            for d in yaml.safe_load_all(text) if d]  # fmt: skip


def _backup_objects(docs: list[Doc]) -> list[Doc]:
    return [d for d in docs
            if d["metadata"].get("labels", {}).get("app.kubernetes.io/component") == "backup"]  # fmt: skip


def _container(docs: list[Doc]) -> Doc:
    return pod_spec(named(docs, "CronJob", "finance-tracker-backup"))["containers"][0]


# ---- the render ---------------------------------------------------------------------------------


def test_backups_are_off_by_default() -> None:
    docs = chart_docs("default")
    assert _backup_objects(docs) == []
    assert yaml.safe_load((CHART / "values.yaml").read_text())["backup"]["enabled"] is False


@pytest.mark.parametrize("combination", WITH_BACKUP)
def test_enabled_it_renders_a_cron_job_its_script_and_a_claim(combination: str) -> None:
    docs = chart_docs(combination)
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in _backup_objects(docs))
    assert kinds == [
        ("ConfigMap", "finance-tracker-backup"),
        ("CronJob", "finance-tracker-backup"),
        ("PersistentVolumeClaim", "finance-tracker-backup"),
    ]
    cron = named(docs, "CronJob", "finance-tracker-backup")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert cron["spec"]["startingDeadlineSeconds"] > 0
    assert cron["spec"]["successfulJobsHistoryLimit"] >= 1
    assert cron["spec"]["failedJobsHistoryLimit"] >= 1
    assert pod_labels(cron)["app.kubernetes.io/component"] == "backup"
    assert pod_spec(cron)["restartPolicy"] == "Never"
    container = _container(docs)
    assert container["command"] == ["bash", "/scripts/backup.sh"]
    env = {e["name"]: e for e in container["env"]}
    assert env["BACKUP_DIR"]["value"] == "/backups"
    values = yaml.safe_load((CHART / "ci" / f"{combination}-values.yaml").read_text())
    assert env["KEEP"]["value"] == str(values["backup"].get("keep", 7))
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod_spec(cron)["volumes"]}
    assert volumes[mounts["/backups"]]["persistentVolumeClaim"]["claimName"] == (
        "finance-tracker-backup"
    )
    assert volumes[mounts["/scripts"]]["configMap"]["name"] == "finance-tracker-backup"
    assert "emptyDir" in volumes[mounts["/tmp"]]  # noqa: S108  (the pod's own /tmp mount)
    script = named(docs, "ConfigMap", "finance-tracker-backup")["data"]["backup.sh"]
    assert script == SCRIPT.read_text().rstrip("\n"), "the chart's script, unchanged"
    claim = named(docs, "PersistentVolumeClaim", "finance-tracker-backup")
    assert claim["metadata"]["annotations"]["helm.sh/resource-policy"] == "keep"


def test_the_backup_uses_the_connection_the_app_uses() -> None:
    for combination in WITH_BACKUP:
        docs = chart_docs(combination)
        web = pod_spec(named(docs, "Deployment", "finance-tracker-web"))["containers"][0]
        app = {e["name"]: e for e in web["env"]}
        backup = {e["name"]: e for e in _container(docs)["env"]}
        assert backup["DATABASE_URL"] == app["DATABASE_URL"], combination
        if "POSTGRES_PASSWORD" in app:
            assert backup["POSTGRES_PASSWORD"] == app["POSTGRES_PASSWORD"]
        # Only the database's secret: no SECRET_KEY, Redis or SMTP password in a dump job.
        assert not {"SECRET_KEY", "REDIS_URL", "SMTP_PASSWORD"} & set(backup), combination


def test_the_image_is_the_bundled_postgresql_s_unless_set() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())["postgresql"]["image"]
    docs = chart_docs("existing-secret")
    assert _container(docs)["image"] == f"{values['repository']}:{values['tag']}"
    other = _render({"backup": {"enabled": True}, "postgresql": {"image": {"tag": "16.10"}}})
    assert _container(other)["image"] == "postgres:16.10", "follows the bundled one's version"
    mine = _render({"backup": {"enabled": True, "image": {
        "repository": "registry.example.com/postgres", "tag": "17.6"}}})  # fmt: skip
    assert _container(mine)["image"] == "registry.example.com/postgres:17.6"


def test_an_existing_claim_is_used_and_none_is_created() -> None:
    docs = _render({"backup": {"enabled": True, "persistence": {"existingClaim": "nightly"}}})
    assert [d for d in by_kind(docs, "PersistentVolumeClaim") if "backup" in
            d["metadata"]["name"]] == []  # fmt: skip
    volumes = {v["name"]: v for v in pod_spec(named(docs, "CronJob", "finance-tracker-backup"))
               ["volumes"]}  # fmt: skip
    assert volumes["backups"]["persistentVolumeClaim"]["claimName"] == "nightly"


@pytest.mark.parametrize(
    ("values", "where"),
    [
        ({"backup": {"enabled": True, "keep": 0}}, "/backup/keep"),
        ({"backup": {"enabled": True, "concurrencyPolicy": "Allow"}}, "/backup/concurrencyPolicy"),
        ({"backup": {"enabled": True, "image": {"tag": "latest"}}}, "/backup/image/tag"),
        ({"backup": {"enabled": True, "retain": 3}}, "/backup"),
    ],
)
def test_the_schema_refuses_bad_backup_values(values: dict[str, Any], where: str) -> None:
    message = schema_refusal(values)
    assert f"at '{where}'" in message, message


# ---- the NetworkPolicies ------------------------------------------------------------------------


def test_the_backup_pod_reaches_the_bundled_database_and_nothing_else() -> None:
    docs = chart_docs("existing-secret")
    policies, pods = by_kind(docs, "NetworkPolicy"), _pods(docs)
    backup = pods["backup"]
    assert allowed(policies, backup, pods["postgresql"], 5432)
    assert not allowed(policies, backup, pods["redis"], 6379)
    assert not allowed(policies, backup, pods["web"], 5000)
    for port in (443, 5432):
        assert not allowed(policies, backup, INTERNET, port)
    for source in (STRANGER, pods["web"], pods["postgresql"]):
        assert not allowed(policies, source, backup, 5432), "nothing may reach the backup pod"


def test_the_backup_pod_reaches_the_external_database_at_its_cidr_only() -> None:
    docs = chart_docs("external-db")
    policies, pods = by_kind(docs, "NetworkPolicy"), _pods(docs)
    database = Pod({}, namespace="-", ip="10.20.5.5")
    cache = Pod({}, namespace="-", ip="10.30.5.5")
    assert allowed(policies, pods["backup"], database, 5432)
    assert not allowed(policies, pods["backup"], cache, 6380)
    assert not allowed(policies, pods["backup"], INTERNET, 5432)


# ---- the script ---------------------------------------------------------------------------------


def test_shellcheck_passes_on_the_backup_script() -> None:
    result = run(tool("shellcheck"), "--severity=style", str(SCRIPT.relative_to(ROOT)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert SCRIPT.read_text().startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in SCRIPT.read_text()


def _pg_tools() -> None:
    for name in ("pg_dump", "pg_restore"):
        if shutil.which(name) is None:
            unavailable(f"{name} is not installed (apt-get install postgresql-client)")


def _admin() -> str:
    from tests.conftest import PG_ADMIN

    return PG_ADMIN


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """(source, target): two fresh databases; the source migrated by the app's CLI, with a few
    rows; both dropped afterwards. libpq URLs."""
    _pg_tools()
    psycopg = module("psycopg")
    admin = _admin()
    try:
        psycopg.connect(admin, connect_timeout=3).close()
    except psycopg.Error as error:
        unavailable(f"PostgreSQL not reachable at {admin}: {str(error).splitlines()[0]}")
    suffix = f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    names = [f"ft_backup_src_{suffix}", f"ft_backup_dst_{suffix}"]
    with psycopg.connect(admin, autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    urls = [re.sub(r"/[^/]*$", f"/{name}", admin) for name in names]
    try:
        yield urls[0], urls[1]
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _row_counts(url: str) -> dict[str, int]:
    psycopg = module("psycopg")
    from psycopg import sql

    with psycopg.connect(url) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]  # fmt: skip
        count = sql.SQL("SELECT count(*) FROM {}")
        return {
            t: connection.execute(count.format(sql.Identifier(t))).fetchone()[0] for t in tables
        }


def _script_and_env(combination: str) -> tuple[str, dict[str, str]]:
    """The script from the rendered ConfigMap, and the literal env the CronJob gives it."""
    docs = chart_docs(combination)
    script = named(docs, "ConfigMap", "finance-tracker-backup")["data"]["backup.sh"]
    env = {e["name"]: e["value"] for e in _container(docs)["env"] if "value" in e}
    return script, env


def _run_backup(script: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "TZ"}}
    return subprocess.run(
        ["bash", str(script)], env={**base, **env}, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def test_the_rendered_script_dumps_prunes_and_restores(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = databases
    # The app's schema, migrated by the app, and a few rows of our own.
    app_url = source.replace("postgresql://", "postgresql+psycopg://")
    migrated = subprocess.run(
        [tool("finance-tracker"), "db", "upgrade"],
        env={**os.environ, "DATABASE_URL": app_url}, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    psycopg = module("psycopg")
    with psycopg.connect(source) as connection:
        connection.execute("CREATE TABLE backup_probe (id serial PRIMARY KEY, note text)")
        connection.execute(
            "INSERT INTO backup_probe (note) SELECT 'row ' || n FROM generate_series(1, 250) n"
        )
    before = _row_counts(source)
    assert before["backup_probe"] == 250 and before["alembic_version"] == 1

    text, env = _script_and_env("external-db")
    script = tmp_path / "backup.sh"
    script.write_text(text + "\n")
    backups = tmp_path / "backups"
    env = {**env, "DATABASE_URL": app_url, "BACKUP_DIR": str(backups), "KEEP": "2",
           "HOME": str(tmp_path)}  # fmt: skip
    for attempt in range(3):
        if attempt:
            time.sleep(1.1)  # the names carry the time to the second
        result = _run_backup(script, env)
        assert result.returncode == 0, result.stdout + result.stderr
    dumps = sorted(p.name for p in backups.iterdir())
    assert len(dumps) == 2, dumps
    assert all(re.fullmatch(r"finance-tracker-\d{8}T\d{6}Z\.dump", name) for name in dumps), dumps

    # The restore command of the README, into a fresh database.
    readme = " ".join((CHART / "README.md").read_text().split())
    assert f"pg_restore {' '.join(RESTORE_FLAGS)}" in readme
    restored = run(
        tool("pg_restore"), *RESTORE_FLAGS, f"--dbname={target}", str(backups / dumps[-1])
    )
    assert restored.returncode == 0, restored.stderr
    assert _row_counts(target) == before


def test_a_failed_run_exits_non_zero_and_leaves_no_partial_file(tmp_path: Path) -> None:
    _pg_tools()
    text, env = _script_and_env("existing-secret")
    script = tmp_path / "backup.sh"
    script.write_text(text + "\n")
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "finance-tracker-20250101T000000Z.dump").write_bytes(b"an older dump")
    env = {**env, "BACKUP_DIR": str(backups), "KEEP": "1", "PGCONNECT_TIMEOUT": "5",
           "HOME": str(tmp_path),
           "DATABASE_URL": "postgresql+psycopg://nobody:secret@127.0.0.1:1/finance_tracker"}  # fmt: skip
    result = _run_backup(script, env)
    assert result.returncode != 0, result.stdout
    assert "pg_dump" in result.stderr
    assert sorted(p.name for p in backups.iterdir()) == ["finance-tracker-20250101T000000Z.dump"], (
        "no partial file, and a failed run prunes nothing"
    )
    refused = _run_backup(script, {**env, "DATABASE_URL": "sqlite:////tmp/x.db"})
    assert refused.returncode != 0 and "not a PostgreSQL URL" in refused.stderr
    assert _run_backup(script, {**env, "KEEP": "0"}).returncode != 0


def test_under_ci_the_postgresql_client_is_installed() -> None:
    """`.ci/run` installs postgresql-client when pg_dump is missing, so the tests above run."""
    text = (ROOT / ".ci" / "run").read_text()
    assert "command -v pg_dump" in text and "postgresql-client" in text
    if IN_CI:
        assert shutil.which("pg_dump") and shutil.which("pg_restore")
