"""One person writing from many places at once: API clients on threads of their own, each on
its own keep-alive connection, doing mixed writes into the same month and the same accounts.

Each client keeps the last acknowledged state of every transaction it created, so that the
end of a run can check that every acknowledged write is there exactly as acknowledged. Clients
edit and delete only their own transactions (so that state is deterministic), but they share the
accounts, the month, the categories, the tags they use for the first time, the names they race
to create, and the budget month they copy into.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

SHARED_TAGS = ("shared-coffee", "shared-rent", "shared-trip")
RACED_ACCOUNT = "Savings (raced)"
RACED_CATEGORY = "Raced category"


@dataclass
class Expected:
    """What the API last acknowledged for a transaction."""

    kind: str
    account_id: int
    date: str
    amount: str
    category_id: int | None
    created_at: str
    splits: int = 0


@dataclass
class Outcome:
    statuses: Counter = field(default_factory=Counter)  # (action, status) -> count
    failures: list[str] = field(default_factory=list)  # 5xx, connection errors, surprises
    live: dict[int, Expected] = field(default_factory=dict)
    deleted: dict[int, str] = field(default_factory=dict)  # id -> its created_at

    def merge(self, other: Outcome) -> None:
        self.statuses.update(other.statuses)
        self.failures.extend(other.failures)
        self.live.update(other.live)
        self.deleted.update(other.deleted)


class Api:
    """A bearer-token client on one keep-alive connection (one per thread)."""

    def __init__(self, base_url: str, token: str, outcome: Outcome) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.token = token
        self.outcome = outcome
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def call(
        self, action: str, method: str, path: str, body: object = None, *, ok: tuple[int, ...]
    ) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.outcome.failures.append(f"{action}: {type(error).__name__}: {error}")
            return 0, {}
        self.outcome.statuses[(action, status)] += 1
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"raw": raw[:300].decode(errors="replace")}
        if status not in ok:
            self.outcome.failures.append(f"{action} {method} {path}: {status} {payload}")
        return status, payload

    def close(self) -> None:
        self.connection.close()


@dataclass
class Ledger:
    """The person's accounts and categories, shared by every client."""

    account_ids: list[int]
    category_ids: list[int]
    month: dt.date  # the month everything is written into (and the one before, by edits)


def _day(rng: random.Random, month: dt.date, previous: bool = False) -> str:
    if previous:
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month.replace(day=rng.randint(1, 28)).isoformat()


def _amount(rng: random.Random) -> str:
    return f"{rng.randint(1, 300)}.{rng.randint(0, 99):02d}"


class Client(threading.Thread):
    """One API client doing `operations` mixed writes."""

    def __init__(
        self, number: int, base_url: str, token: str, ledger: Ledger, operations: int
    ) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.number = number
        self.rng = random.Random(1000 + number)
        self.ledger = ledger
        self.operations = operations
        self.outcome = Outcome()
        self.api = Api(base_url, token, self.outcome)

    def run(self) -> None:
        actions = [
            (self.create, 30), (self.transfer, 8), (self.split, 8), (self.edit, 22),
            (self.delete, 10), (self.categorise, 8), (self.race_names, 5), (self.budgets, 5),
            (self.read, 4),
        ]  # fmt: skip
        functions, weights = zip(*actions, strict=True)
        try:
            for _ in range(self.operations):
                self.rng.choices(functions, weights)[0]()
        finally:
            self.api.close()

    # -- writes ---------------------------------------------------------------------------------
    def _saved(self, status: int, body: dict, splits: int = 0) -> None:
        if status in (200, 201):
            self.outcome.live[body["id"]] = Expected(
                body["kind"], body["account_id"], body["date"], body["amount"],
                body["category_id"], body["created_at"], splits,
            )  # fmt: skip

    def create(self) -> None:
        kind = self.rng.choice(["expense", "expense", "income"])
        tags = [self.rng.choice(SHARED_TAGS), f"client-{self.number}-{self.rng.randint(1, 4)}"]
        body = {
            "kind": kind, "account_id": self.rng.choice(self.ledger.account_ids),
            "date": _day(self.rng, self.ledger.month), "amount": _amount(self.rng),
            "payee": f"Shop {self.rng.randint(1, 20)}", "tags": tags,
            "category_id": self.rng.choice([None, *self.ledger.category_ids]),
        }  # fmt: skip
        self._saved(*self.api.call("create", "POST", "/api/v1/transactions", body, ok=(201,)))

    def transfer(self) -> None:
        source, target = self.rng.sample(self.ledger.account_ids, 2)
        body = {
            "kind": "transfer", "account_id": source, "to_account_id": target,
            "date": _day(self.rng, self.ledger.month), "amount": _amount(self.rng),
            "payee": "Moving money",
        }  # fmt: skip
        self._saved(*self.api.call("transfer", "POST", "/api/v1/transactions", body, ok=(201,)))

    def split(self) -> None:
        first, second = self.rng.sample(self.ledger.category_ids, 2)
        body = {
            "kind": "expense", "account_id": self.rng.choice(self.ledger.account_ids),
            "date": _day(self.rng, self.ledger.month), "amount": "30.00", "payee": "Market",
            "splits": [{"amount": "12.50", "category_id": first},
                       {"amount": "17.50", "category_id": second}],
        }  # fmt: skip
        status, saved = self.api.call("split", "POST", "/api/v1/transactions", body, ok=(201,))
        self._saved(status, saved, splits=2)

    def _own(self, plain: bool) -> int | None:
        """One of this client's live transactions (`plain`: not a transfer, not a split)."""
        ids = [
            i for i, e in self.outcome.live.items()
            if not plain or (e.kind != "transfer" and not e.splits)
        ]  # fmt: skip
        return self.rng.choice(ids) if ids else None

    def edit(self) -> None:
        """Move money between buckets: amount, date (into last month too), account, category
        and kind, a few of them at a time."""
        transaction_id = self._own(plain=True)
        if transaction_id is None:
            return self.create()
        changes: dict[str, object] = {}
        for name in self.rng.sample(["amount", "date", "account_id", "category_id", "kind"], 2):
            if name == "amount":
                changes[name] = _amount(self.rng)
            elif name == "date":
                changes[name] = _day(self.rng, self.ledger.month, self.rng.random() < 0.3)
            elif name == "account_id":
                changes[name] = self.rng.choice(self.ledger.account_ids)
            elif name == "category_id":
                changes[name] = self.rng.choice([None, *self.ledger.category_ids])
            else:
                changes[name] = self.rng.choice(["expense", "income"])
        path = f"/api/v1/transactions/{transaction_id}"
        self._saved(*self.api.call("edit", "PATCH", path, changes, ok=(200,)))
        return None

    def delete(self) -> None:
        transaction_id = self._own(plain=False)
        if transaction_id is None:
            return self.create()
        path = f"/api/v1/transactions/{transaction_id}"
        status, _ = self.api.call("delete", "DELETE", path, ok=(204,))
        if status == 204:
            gone = self.outcome.live.pop(transaction_id)
            self.outcome.deleted[transaction_id] = gone.created_at
        return None

    def categorise(self) -> None:
        plain = [i for i, e in self.outcome.live.items() if e.kind != "transfer" and not e.splits]
        if len(plain) < 3:
            return self.create()
        ids = self.rng.sample(plain, 3)
        category_id = self.rng.choice([None, *self.ledger.category_ids])
        status, _ = self.api.call(
            "set category", "POST", "/api/v1/transactions/categorise",
            {"ids": ids, "category_id": category_id}, ok=(200,),
        )  # fmt: skip
        if status == 200:
            for i in ids:
                self.outcome.live[i].category_id = category_id
        return None

    def race_names(self) -> None:
        """Every client creates the same account and category names: one wins, the others get
        the field error a second attempt gets, one after the other."""
        if self.rng.random() < 0.5:
            body = {"name": RACED_ACCOUNT, "type": "savings", "currency": "EUR"}
            self.api.call("race account", "POST", "/api/v1/accounts", body, ok=(201, 422))
        else:
            body = {"name": RACED_CATEGORY}
            self.api.call("race category", "POST", "/api/v1/categories", body, ok=(201, 422))

    def budgets(self) -> None:
        month = self.ledger.month.strftime("%Y-%m")
        if self.rng.random() < 0.5:
            self.api.call(
                "copy budgets", "POST", f"/api/v1/budgets/{month}/copy-previous", ok=(200,)
            )
        else:
            category_id = self.rng.choice(self.ledger.category_ids)
            self.api.call(
                "set budget", "PUT", f"/api/v1/budgets/{month}/{category_id}",
                {"amount": _amount(self.rng), "currency": "EUR"}, ok=(200,),
            )  # fmt: skip

    def read(self) -> None:
        first = self.ledger.month.isoformat()
        self.api.call(
            "report", "GET",
            f"/api/v1/reports/spending-by-category?date_from={first}&date_to={first}", ok=(200,),
        )  # fmt: skip


def run_clients(
    base_url: str, token: str, ledger: Ledger, clients: int, operations: int, seconds: float
) -> tuple[Outcome, float]:
    """Start `clients` at once; every one must finish within `seconds`."""
    threads = [Client(n, base_url, token, ledger, operations) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, seconds - (time.monotonic() - started)))
    elapsed = time.monotonic() - started
    outcome = Outcome()
    for thread in threads:
        if thread.is_alive():
            outcome.failures.append(f"{thread.name} still running after {seconds} s")
        outcome.merge(thread.outcome)
    return outcome, elapsed
