"""Rules that categorise: if payee or memo matches (contains or regex), amount and account fit,
then set category, tags, payee. Regexes run with a time limit, so a catastrophic pattern cannot
hang a request or an import."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import regex

from finance_tracker.domain.text import Text

MATCH_TIMEOUT_SECONDS = 0.05
MAX_PATTERN_LENGTH = 200
# Inputs that make backtracking patterns like (a+)+$ explode; a sound pattern shrugs them off.
_PROBES = ("a" * 40 + "!", "x" * 5000, "ab" * 2000 + "!", "1" * 60 + "x", " " * 3000 + "!")


class MatchField(StrEnum):
    payee = "payee"
    memo = "memo"
    any = "any"


class MatchType(StrEnum):
    contains = "contains"
    regex = "regex"


class RuleError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Condition:
    match_field: MatchField
    match_type: MatchType
    pattern: str
    amount_min_minor: int | None = None
    amount_max_minor: int | None = None
    account_id: int | None = None
    compiled: regex.Pattern | None = field(default=None, compare=False, repr=False)
    folded: str = field(default="", compare=False, repr=False)  # the pattern, case-folded once


def compile_condition(
    match_field: str,
    match_type: str,
    pattern: str,
    amount_min_minor: int | None = None,
    amount_max_minor: int | None = None,
    account_id: int | None = None,
) -> Condition:
    if match_field not in MatchField.__members__:
        raise RuleError("match_field", Text("match the payee, the memo, or any of them"))
    if match_type not in MatchType.__members__:
        raise RuleError("match_type", Text("match by 'contains' or by 'regex'"))
    pattern = (pattern or "").strip()
    if not pattern:
        raise RuleError("pattern", Text("enter text to match"))
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RuleError(
            "pattern",
            Text("use at most %(count)s characters", count=MAX_PATTERN_LENGTH),
        )
    bounded = amount_min_minor is not None and amount_max_minor is not None
    if bounded and amount_min_minor > amount_max_minor:  # type: ignore[operator]
        raise RuleError("amount_max", Text("the maximum is below the minimum"))
    compiled = None
    if match_type == MatchType.regex:
        try:
            compiled = regex.compile(pattern, regex.IGNORECASE)
        except regex.error as error:
            raise RuleError(
                "pattern", Text("not a valid regular expression: %(error)s", error=error)
            ) from None
        for probe in _PROBES:
            try:
                compiled.search(probe, timeout=MATCH_TIMEOUT_SECONDS)
            except TimeoutError:
                raise RuleError(
                    "pattern",
                    Text("this regular expression is too slow (catastrophic backtracking)"),
                ) from None
    return Condition(
        MatchField(match_field), MatchType(match_type), pattern,
        amount_min_minor, amount_max_minor, account_id, compiled, pattern.casefold(),
    )  # fmt: skip


def _text_matches(condition: Condition, text: str) -> bool:
    if condition.compiled is None:
        return condition.folded in text.casefold()
    try:
        return condition.compiled.search(text, timeout=MATCH_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        return False  # a pathological text for this pattern: treat as no match


def matches(
    condition: Condition, payee: str, memo: str, amount_minor: int, account_id: int
) -> bool:
    """`amount_minor` is compared by size: a rule for 'over 100' means spent or received."""
    if condition.account_id is not None and condition.account_id != account_id:
        return False
    size = abs(amount_minor)
    if condition.amount_min_minor is not None and size < condition.amount_min_minor:
        return False
    if condition.amount_max_minor is not None and size > condition.amount_max_minor:
        return False
    if condition.match_field is MatchField.payee:
        return _text_matches(condition, payee or "")
    if condition.match_field is MatchField.memo:
        return _text_matches(condition, memo or "")
    return _text_matches(condition, payee or "") or _text_matches(condition, memo or "")
