"""What the processes print besides the app's own log calls is JSON too: gunicorn's messages,
Python warnings, and the exception that ends a command (tests/production runs them for real)."""

from __future__ import annotations

import json
import logging
import sys
import warnings

import pytest
from gunicorn.config import Config

from finance_tracker import cli
from finance_tracker.ops import logging as ops_logging
from finance_tracker.ops.gunicorn import JsonLogger
from finance_tracker.settings import load_settings


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_gunicorn_s_own_messages_are_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    config = Config()
    config.set("loglevel", "info")
    logger = JsonLogger(config)  # configures the root JSON handler on the current stdout
    logger.info("Starting gunicorn %s", "27.0")
    logger.warning("Worker with pid %s was terminated", 42)
    lines = [line for line in _lines(capsys) if line["logger"] == "gunicorn.error"]
    assert [(line["level"], line["message"]) for line in lines] == [
        ("INFO", "Starting gunicorn 27.0"),
        ("WARNING", "Worker with pid 42 was terminated"),
    ]
    assert logging.getLogger("gunicorn.error").handlers == []


def test_a_python_warning_is_a_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    with warnings.catch_warnings():  # puts pytest's own warning capture back afterwards
        warnings.simplefilter("always")
        logging.captureWarnings(False)  # undo what an earlier test's configure() did
        ops_logging.configure("INFO")
        warnings.warn("old API", UserWarning, stacklevel=1)
        logging.captureWarnings(False)
    (line,) = [line for line in _lines(capsys) if line["logger"] == "py.warnings"]
    assert line["level"] == "WARNING" and "UserWarning: old API" in line["message"]


def test_an_uncaught_exception_ends_a_command_as_one_critical_json_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["finance-tracker", "jobs", "run-recurring"])
    cli._log_as_deployed(load_settings())
    try:
        raise ConnectionError("database unreachable")
    except ConnectionError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    (line,) = [line for line in _lines(capsys) if line["logger"] == "finance_tracker.cli"]
    assert line["level"] == "CRITICAL"
    assert line["message"] == "jobs run-recurring stopped: database unreachable"
    assert "ConnectionError: database unreachable" in line["exc_info"]
