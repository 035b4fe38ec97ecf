"""URL routing pieces the app factory installs: the bounded `int` converter, and rules that
compile their URL builders on first use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import IntegerConverter, Rule

# Ids are 32-bit columns: a larger number could overflow SQLite's integer and become a 500.
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """Ids in URLs fit the database's integer: a longer one is a 404, not an overflow error."""

    def __init__(self, url_map, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class LazyBuildRule(Rule):
    """A werkzeug rule whose two URL builders (`url_for` with and without extra arguments) are
    generated and compiled the first time they are called, not when the rule is added.

    werkzeug writes each builder as Python code and compiles it for every rule at start-up:
    ~1 ms a rule, 0.1 s for the app's ~110 rules, most of which no process ever builds a URL
    for. Matching is untouched; a builder, once made, is werkzeug's own.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        name = "_build_unknown" if append_unknown else "_build"

        def build(rule: Rule, *args: Any, **kwargs: Any) -> tuple[str, str]:
            real = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, name, real)  # from now on werkzeug calls it directly
            return real(*args, **kwargs)

        return build
