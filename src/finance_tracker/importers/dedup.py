"""Stable keys that recognise a row seen before, in this file or in an earlier import.

The bank's FITID when there is one. Otherwise a hash of date, amount and payee plus an
occurrence counter: two identical coffees on one day are two rows (#1 and #2), and importing an
overlapping statement again produces the same keys for the rows it shares.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter


class KeyMaker:
    def __init__(self) -> None:
        self._seen: Counter[tuple[dt.date, int, str]] = Counter()
        self._normal: dict[str, str] = {}  # payees repeat: normalise each spelling once

    def key(self, day: dt.date, amount_minor: int, payee: str, fitid: str | None) -> str:
        if fitid:
            return "fitid:" + fitid[:57]
        normal = self._normal.get(payee)
        if normal is None:
            normal = " ".join(payee.casefold().split())
            if len(self._normal) < 100_000:
                self._normal[payee] = normal
        identity = (day, amount_minor, normal)
        self._seen[identity] += 1
        text = f"{day.isoformat()}|{amount_minor}|{normal}|{self._seen[identity]}"
        return "h:" + hashlib.sha256(text.encode()).hexdigest()[:40]
