"""Stable keys that recognise a row seen before, in this file or in an earlier import.

The bank's FITID when there is one. Otherwise a hash of date, amount and payee plus an
occurrence counter: two identical coffees on one day are two rows (#1 and #2), and importing an
overlapping statement again produces the same keys for the rows it shares.

A transfer between two accounts gets a key in each: the same formula seen from either side, so
that importing the other account's file later (where the transfer is written again, from there)
finds the leg this import wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]


class KeyMaker:
    def __init__(self) -> None:
        self._seen: Counter[tuple] = Counter()
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
        return "h:" + _digest(f"{day.isoformat()}|{amount_minor}|{normal}|{self._seen[identity]}")

    def transfer_keys(
        self,
        day: dt.date,
        amount_minor: int,
        account_id: int,
        other_id: int,
        other_amount_minor: int | None = None,
    ) -> tuple[str, str]:
        """The keys of a transfer's leg in `account_id` and of its other leg in `other_id`
        (which receives `other_amount_minor`, in its currency; the same amount by default)."""
        identity = ("transfer", day, amount_minor, other_id)
        self._seen[identity] += 1
        count = self._seen[identity]
        received = -amount_minor if other_amount_minor is None else other_amount_minor

        def leg(amount: int, other: int) -> str:
            return "x:" + _digest(f"{day.isoformat()}|{amount}|{other}|{count}")

        return leg(amount_minor, other_id), leg(received, account_id)
