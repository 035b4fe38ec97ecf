"""What keeps the cold start short (issue 3: process start -> first report, bench/README.md):
nothing heavy at import, no Redis client library nor alembic unless used, URL builders and the
OpenAPI paths made on first use, and no garbage collection while the app loads."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

import pytest
from werkzeug.routing import Map, Rule

from finance_tracker import api as api_package
from finance_tracker import create_app
from finance_tracker.api.base import ProblemApi
from finance_tracker.ops import gunicorn as ops_gunicorn
from finance_tracker.routing import LazyBuildRule
from finance_tracker.settings import load_settings
from finance_tracker.store import migrate
from finance_tracker.store.database import Database

SECRET = "x" * 40


def modules_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    """Top-level module names a fresh interpreter has imported after running `code`."""
    script = (
        code
        + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    environment = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    environment.update(env or {})
    out = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_importing_the_package_and_its_command_loads_nothing_heavy():
    # `finance-tracker serve` pauses the garbage collector before the heavy imports: none may
    # come in with the package or the command module themselves.
    loaded = modules_after("import finance_tracker, finance_tracker.cli")
    heavy = {"flask", "werkzeug", "sqlalchemy", "pydantic", "pydantic_settings", "redis", "psycopg"}
    assert not loaded & heavy


def test_the_app_without_redis_loads_neither_redis_nor_alembic(tmp_path):
    # The embedded default and the benchmark's server: no Redis configured, schema migrated by
    # `db upgrade`. Readiness reads the schema's revision without alembic (store/migrate.py).
    loaded = modules_after(
        "from finance_tracker import create_app\n"
        "client = create_app().test_client()\n"
        "assert client.get('/healthz').status_code == 200\n"
        "client.get('/readyz')\n",
        {
            "FINANCE_TRACKER_ENV": "production",
            "SECRET_KEY": SECRET,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
            "LOG_LEVEL": "WARNING",
        },
    )
    unwanted = {"redis", "rq", "flask_session", "alembic", "mako", "ofxtools", "quiffen"}
    found = sorted(loaded & unwanted)
    assert not found, f"imported at start without Redis: {found}; import them where used"


def test_the_head_read_from_the_migration_files_is_alembics():
    assert migrate.head_in_files() is not None
    assert migrate.head_in_files() == migrate.head_revision("sqlite://")


def test_is_at_head_follows_the_schema(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'schema.db'}"
    database = Database(url)
    try:
        assert not migrate.is_at_head(database.engine)  # empty: no alembic_version table
        migrate.upgrade(url)
        assert migrate.is_at_head(database.engine)
        assert migrate.revision_in_table(database.engine) == migrate.current_revision(
            database.engine
        )
        command.downgrade(migrate.alembic_config(url), "-1")
        assert not migrate.is_at_head(database.engine)
    finally:
        database.dispose()


@pytest.fixture
def app_settings(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return load_settings(
        env="production",
        secret_key=SECRET,
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        log_level="WARNING",
        embedded_jobs=False,
    )


def test_the_openapi_spec_read_lazily_is_the_one_built_at_start(app_settings, monkeypatch):
    lazy = create_app(app_settings).test_client().get("/api/v1/openapi.json")
    monkeypatch.setattr(api_package, "Api", ProblemApi)  # flask-smorest's eager documenting
    eager = create_app(app_settings).test_client().get("/api/v1/openapi.json")
    assert lazy.status_code == eager.status_code == 200
    assert lazy.data == eager.data
    assert len(json.loads(lazy.data)["paths"]) > 20


def test_rules_build_their_urls_on_first_use_as_werkzeug_would():
    rules = [
        ("/accounts/<int:account_id>", "account"),
        ("/reports/<string:name>/<int(min=1):year>", "report"),
        ("/files/<path:name>", "file"),
        ("/static", "static"),
    ]
    eager = Map([Rule(path, endpoint=name) for path, name in rules]).bind("example.org")
    lazy = Map([LazyBuildRule(path, endpoint=name) for path, name in rules]).bind("example.org")
    cases = [
        ("account", {"account_id": 7}),
        ("account", {"account_id": 7, "page": 2, "q": "a b"}),  # unknown arguments: the query
        ("report", {"name": "spending", "year": 2026}),
        ("file", {"name": "a/b c.csv"}),
        ("static", {}),
    ]
    for _ in range(2):  # the first call makes the builder, the second uses it
        for endpoint, values in cases:
            assert lazy.build(endpoint, values) == eager.build(endpoint, values)
            assert lazy.build(endpoint, values, force_external=True) == eager.build(
                endpoint, values, force_external=True
            )


def test_the_app_routes_with_lazy_rules(app_settings):
    app = create_app(app_settings)
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    assert rules
    assert all(isinstance(rule, LazyBuildRule) for rule in rules)
    with app.test_request_context():
        from flask import url_for

        assert url_for("ops.healthz") == "/healthz"
        assert url_for("api-docs.openapi_json") == "/api/v1/openapi.json"


def test_a_worker_loads_the_app_without_collections_then_collects_again(app_settings):
    assert gc.isenabled()
    try:
        ops_gunicorn._post_fork(None, None)  # a worker just forked
        assert not gc.isenabled()
        app = ops_gunicorn._Server(app_settings).load()
        assert app.extensions["finance_tracker"].settings is app_settings
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
