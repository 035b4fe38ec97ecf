"""The tests' logging (tests/conftest.py) is production's, and a logging call that fails fails
its test, even when the code around it swallows the error."""

from __future__ import annotations

import contextlib
import json
import logging

import pytest

log = logging.getLogger("finance_tracker.tests.strict")


def test_logging_is_the_apps_json_at_info() -> None:
    root = logging.getLogger()
    assert root.getEffectiveLevel() == logging.INFO
    formatter = root.handlers[0].formatter
    assert formatter is not None
    record = log.makeRecord(log.name, logging.INFO, __file__, 1, "hello", None, None)
    line = json.loads(formatter.format(record))
    assert line["level"] == "INFO"
    assert line["message"] == "hello"


def test_a_reserved_extra_key_is_noted_even_when_caught(log_call_errors: list[str]) -> None:
    with contextlib.suppress(KeyError):  # what the embedded scheduler did: log it, carry on
        log.info("run", extra={"created": 1})
    assert any("Attempt to overwrite 'created'" in error for error in log_call_errors)
    log_call_errors.clear()


def test_a_formatting_error_in_a_handler_raises(log_call_errors: list[str]) -> None:
    with pytest.raises(TypeError):
        log.info("%d transactions", "three")
    assert log_call_errors
    log_call_errors.clear()
