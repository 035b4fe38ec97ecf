"""No logging call in src/ passes an `extra` key that shadows a LogRecord attribute.

`logger.info("…", extra={"created": 3})` raises KeyError in `Logger.makeRecord` ("Attempt to
overwrite 'created' in LogRecord"), but only when the level is enabled: at WARNING the call is
a no-op, at INFO (production) it raises. The reserved names are computed from a real LogRecord,
so a Python version that adds an attribute (3.12's taskName) is covered without a list to keep.
"""

from __future__ import annotations

import ast
import logging
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "finance_tracker"
LOG_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
# makeRecord refuses these two as well, though a fresh record has neither yet.
RESERVED = frozenset(logging.LogRecord("n", logging.INFO, "p", 1, "m", None, None).__dict__) | {
    "message",
    "asctime",
}


def _keys(extra: ast.expr) -> tuple[list[str], list[str]]:
    """The keys of an `extra=` dict literal, and what could not be checked (with a reason)."""
    if not isinstance(extra, ast.Dict):
        return [], [f"extra is not a dict literal ({ast.unparse(extra)})"]
    keys: list[str] = []
    unchecked: list[str] = []
    for key, value in zip(extra.keys, extra.values, strict=True):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            keys.append(key.value)
        elif key is None and isinstance(value, ast.DictComp) and _safe_template(value.key):
            continue  # **{f"{name}_files_removed": …}: no reserved name ends that way
        elif key is None and isinstance(value, ast.Dict):
            more, problems = _keys(value)
            keys += more
            unchecked += problems
        else:
            unchecked.append(f"key {ast.unparse(key) if key else '**' + ast.unparse(value)}")
    return keys, unchecked


def _safe_template(key: ast.expr) -> bool:
    """An f-string key whose constant tail no reserved name ends with."""
    if not isinstance(key, ast.JoinedStr) or not key.values:
        return False
    tail = key.values[-1]
    if not (isinstance(tail, ast.Constant) and isinstance(tail.value, str) and tail.value):
        return False
    return not any(name.endswith(tail.value) for name in RESERVED)


def _log_calls_with_extra() -> list[tuple[str, ast.expr]]:
    calls = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in LOG_METHODS
            ):
                for keyword in node.keywords:
                    if keyword.arg == "extra":
                        where = f"{path.relative_to(SRC.parent)}:{node.lineno}"
                        calls.append((where, keyword.value))
    return calls


def test_the_reserved_names_come_from_a_real_record() -> None:
    assert {"created", "msg", "args", "name", "levelname", "module", "message"} <= RESERVED


def test_the_walk_finds_the_logging_calls() -> None:
    # A walk that finds nothing would pass for ever: the app logs with extra in many places.
    assert len(_log_calls_with_extra()) >= 10


def test_no_extra_key_shadows_a_log_record_attribute() -> None:
    problems = []
    for where, extra in _log_calls_with_extra():
        keys, unchecked = _keys(extra)
        problems += [f"{where}: extra key {key!r} is a LogRecord attribute" for key in keys
                     if key in RESERVED]  # fmt: skip
        problems += [f"{where}: cannot check {what}" for what in unchecked]
    assert not problems, "\n".join(problems)


def test_the_check_would_catch_the_recurring_bug() -> None:
    (call,) = [
        node
        for node in ast.walk(ast.parse('log.info("run", extra={"created": 1, "failed": 0})'))
        if isinstance(node, ast.Call)
    ]
    keys, unchecked = _keys(call.keywords[0].value)
    assert [k for k in keys if k in RESERVED] == ["created"]
    assert not unchecked
