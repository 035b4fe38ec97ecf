"""Settings come from the environment once; a bad one stops start-up with one line."""

import os
import signal
import threading
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from finance_tracker import cli
from finance_tracker.ops import gunicorn as ops_gunicorn
from finance_tracker.settings import SettingsError, load_settings

DRAIN_AND_METRICS = ("DRAIN_SECONDS", "METRICS_PORT", "METRICS_HOST")


def test_defaults_run_on_sqlite_in_a_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path.resolve()}/finance-tracker.db"
    assert settings.port == 5000
    assert not settings.is_production
    assert settings.should_auto_migrate


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path):
    settings = load_settings(data_dir=tmp_path)
    first = settings.effective_secret_key()
    assert len(first) >= 32
    assert load_settings(data_dir=tmp_path).effective_secret_key() == first


def test_the_environment_is_read(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db:5432/ft")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://u@db:5432/ft"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.port == 8080
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("variables", "reason"),
    [
        ({"FINANCE_TRACKER_ENV": "production"}, "SECRET_KEY is required"),
        ({"FINANCE_TRACKER_ENV": "production", "SECRET_KEY": "short"}, "at least 32"),
        ({"FINANCE_TRACKER_ENV": "staging"}, "FINANCE_TRACKER_ENV"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL: must start with"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DRAIN_SECONDS": "ten"}, "DRAIN_SECONDS: Input should be a valid number"),
        ({"DRAIN_SECONDS": "-1"}, "DRAIN_SECONDS: Input should be greater than or equal to 0"),
        ({"DRAIN_SECONDS": "inf"}, "DRAIN_SECONDS: Input should be a finite number"),
        ({"METRICS_PORT": "9101x"}, "METRICS_PORT"),
        ({"METRICS_PORT": "-1"}, "METRICS_PORT"),
        ({"METRICS_PORT": "70000"}, "METRICS_PORT"),
        ({"JOBS_INTERVAL_SECONDS": "0"}, "JOBS_INTERVAL_SECONDS: Input should be greater than"),
        ({"JOBS_INTERVAL_SECONDS": "hourly"}, "JOBS_INTERVAL_SECONDS"),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_one_line_reason(monkeypatch, variables, reason):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message


def test_drain_and_worker_metrics_defaults(monkeypatch):
    for name in DRAIN_AND_METRICS:
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.drain_seconds == 0
    assert settings.metrics_port == 9101
    assert settings.metrics_host == "0.0.0.0"  # noqa: S104


def test_drain_and_worker_metrics_from_the_environment(monkeypatch):
    monkeypatch.setenv("DRAIN_SECONDS", "1.5")  # the resilience tests' value: not whole seconds
    monkeypatch.setenv("METRICS_PORT", "0")  # no metrics server
    monkeypatch.setenv("METRICS_HOST", "127.0.0.1")
    settings = load_settings()
    assert settings.drain_seconds == 1.5
    assert settings.metrics_port == 0
    assert settings.metrics_host == "127.0.0.1"


@pytest.mark.parametrize("empty", ["", " "])
def test_an_empty_drain_or_metrics_variable_means_the_default(monkeypatch, empty):
    for name in DRAIN_AND_METRICS:
        monkeypatch.setenv(name, empty)
    settings = load_settings()
    assert (settings.drain_seconds, settings.metrics_port) == (0, 9101)
    assert settings.metrics_host == "0.0.0.0"  # noqa: S104


@pytest.mark.parametrize(("value", "seconds"), [(None, 3600), ("", 3600), ("1", 1), ("90.5", 90.5)])
def test_scheduled_jobs_run_hourly_unless_jobs_interval_seconds_says(monkeypatch, value, seconds):
    if value is None:
        monkeypatch.delenv("JOBS_INTERVAL_SECONDS", raising=False)
    else:
        monkeypatch.setenv("JOBS_INTERVAL_SECONDS", value)
    assert load_settings().jobs_interval_seconds == seconds


def test_the_worker_stops_on_a_bad_metrics_port_with_one_line(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # never reached
    monkeypatch.setenv("METRICS_PORT", "metrics")
    result = CliRunner().invoke(cli.main, ["worker"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "finance-tracker: invalid setting: METRICS_PORT: "
        "Input should be a valid integer, unable to parse string as an integer"
    ]


def test_no_worker_metrics_server_on_port_0(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    cli._serve_worker_metrics(load_settings(metrics_port=0), "redis://127.0.0.1:1/0", "imports")
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


@pytest.mark.parametrize(("drain", "graceful"), [(0, 25), (1.5, 27), (10, 35)])
def test_gunicorn_graceful_timeout_leaves_room_for_the_drain(drain, graceful):
    server = ops_gunicorn._Server(load_settings(drain_seconds=drain))
    assert server.cfg.graceful_timeout == graceful


def test_a_gunicorn_worker_drains_for_the_settings_seconds():
    stopped = threading.Event()
    server = ops_gunicorn._Server(load_settings(drain_seconds=0.5))
    worker = SimpleNamespace(app=server, handle_exit=lambda *_: stopped.set())  # gunicorn's
    previous = signal.getsignal(signal.SIGTERM)
    try:
        ops_gunicorn._post_worker_init(worker)
        signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)
        assert not stopped.wait(0.1)  # still serving: draining
        assert stopped.wait(5)  # then gunicorn's graceful stop
    finally:
        signal.signal(signal.SIGTERM, previous)
