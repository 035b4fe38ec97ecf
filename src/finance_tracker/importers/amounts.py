"""Amounts as banks write them: '1.234,56', '1,234.50', '(12.50)', '12.50-', '€ 3,00'."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from finance_tracker.domain.text import Text

_NOT_AMOUNT = re.compile(r"[^\d.,()+\-]")
# A currency code or symbol may stand before or after the number; a letter inside it (12.5O,
# a letter O for a zero) makes it no amount at all, rather than a smaller one.
_CURRENCY_AROUND = re.compile(r"^\s*[A-Za-z]{3}\b|\b[A-Za-z]{2,3}\s*$")
_LETTER = re.compile(r"[A-Za-z]")


_PLAIN_AMOUNT = re.compile(r"-?\d{1,15}(?:\.\d{1,6})?")


def parse_amount(text: str, decimal_comma: bool) -> Decimal:
    """'1.234,56' or '1,234.56' or '(12.50)' or '12.50-' or '€ 3,00' -> Decimal."""
    raw = text.strip()
    if not decimal_comma and _PLAIN_AMOUNT.fullmatch(raw):
        return Decimal(raw)  # the common case, a million times per large file: no cleaning
    if _LETTER.search(_CURRENCY_AROUND.sub("", raw)):
        raise ValueError(Text("%(value)r is not an amount", value=text))
    negative = raw.startswith("(") and raw.endswith(")") or raw.endswith("-")
    cleaned = _NOT_AMOUNT.sub("", raw).strip("()")
    if cleaned.endswith("-"):
        cleaned = cleaned[:-1]
    if decimal_comma:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    if not cleaned or cleaned in {"+", "-", "."}:
        raise ValueError(Text("%(value)r is not an amount", value=text))
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(Text("%(value)r is not an amount", value=text)) from None
    if not value.is_finite():
        raise ValueError(Text("%(value)r is not an amount", value=text))
    return -abs(value) if negative else value


def guess_decimal_comma(values: list[str]) -> bool:
    """'12,50' or '1.234,50' mean a decimal comma; '1,234.50' or '12.50' a decimal point."""
    comma_votes = point_votes = 0
    for value in values:
        digits = re.sub(r"[^\d.,]", "", value)
        last = max(digits.rfind(","), digits.rfind("."))
        if last == -1:
            continue
        tail = len(digits) - last - 1
        if digits[last] == "," and tail in (1, 2):
            comma_votes += 1
        elif digits[last] == "." and tail in (1, 2):
            point_votes += 1
    return comma_votes > point_votes
