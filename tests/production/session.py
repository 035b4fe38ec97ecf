"""A person using a running server over HTTP, as a browser and an API client would: the traffic
sender's simulated user (finance_tracker.loadgen.client) for the sign-up, the forms and the API
token, plus the few API calls the scenarios need. Every wait is bounded."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.parse
import uuid

from finance_tracker.loadgen.client import Result, User
from tests.integration.bank_files import OFX


class Person:
    def __init__(self, url: str) -> None:
        self.results: list[Result] = []
        self.user = User(url, self.results.append, timeout=20)

    def sign_up(self) -> None:
        assert self.user.register(), self._last("sign-up failed")
        assert self.user.create_api_token(), self._last("no API token")
        assert self.user.create_account(), self._last("no account")

    @property
    def account_id(self) -> int:
        assert self.user.account_id is not None
        return self.user.account_id

    def _last(self, what: str) -> str:
        last = self.results[-1] if self.results else None
        return f"{what}: {last and (last.action, last.status, last.error, last.body[:500])}"

    def api(self, method: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
        done = self.user.api(f"api {method} {path}", method, path, body)
        assert done.status == expect, (method, path, done.status, done.error, done.body[:800])
        return json.loads(done.body) if done.body else {}

    def page(self, path: str) -> bytes:
        done = self.user.request(f"page {path}", "GET", path)
        assert done.status == 200, (path, done.status, done.error, done.body[:500])
        return done.body

    def add_transactions(self) -> None:
        today = dt.date.today().isoformat()
        for payee, amount, kind in [
            ("Grocer", "23.40", "expense"),
            ("Employer", "2500.00", "income"),
        ]:
            self.api("POST", "/api/v1/transactions", {"kind": kind, "account_id": self.account_id,
                     "date": today, "amount": amount, "payee": payee}, expect=201)  # fmt: skip
        done = self.user.web_add_transaction()
        assert done.status == 200 and done.error == "", (done.status, done.body[:500])

    def import_ofx(self, seconds: float = 60, content: bytes = OFX) -> dict:
        """Upload an OFX statement (the sample), commit it, and wait for its job to finish."""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="account_id"\r\n\r\n'
                f"{self.account_id}\r\n"
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bank.ofx"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        done = self.user.request(
            "api import upload", "POST", "/api/v1/imports", data=body, follow=False,
            headers={"Authorization": f"Bearer {self.user.api_token}",
                     "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )  # fmt: skip
        assert done.status == 201, (done.status, done.body[:800])
        batch = json.loads(done.body)
        assert batch["status"] == "previewed", batch
        self.api("POST", f"/api/v1/imports/{batch['id']}/commit", expect=202)
        deadline = time.monotonic() + seconds
        while True:
            status = self.api("GET", f"/api/v1/imports/{batch['id']}")
            if status["finished"]:
                return status
            assert time.monotonic() < deadline, f"import still {status['status']} after {seconds} s"
            time.sleep(0.2)

    def start_using_it(self, recurring: str = "Gym membership") -> dt.date:
        """What a new person does first: sign up, add transactions by the API and the form,
        import a statement (its job done), and set up a weekly bill already due since a date
        two weeks ago, which is returned."""
        self.sign_up()
        self.add_transactions()
        imported = self.import_ofx()
        assert (imported["status"], imported["new_rows"]) == ("done", 2), imported
        start = dt.date.today() - dt.timedelta(days=15)
        self.add_recurring(recurring, start)
        return start

    def add_recurring(self, name: str, start: dt.date, frequency: str = "weekly") -> dict:
        return self.api("POST", "/api/v1/recurring", {
            "name": name, "kind": "expense", "account_id": self.account_id, "amount": "9.99",
            "frequency": frequency, "start_date": start.isoformat(), "payee": name,
        }, expect=201)  # fmt: skip

    def count_with_payee(self, payee: str) -> int:
        query = urllib.parse.urlencode({"text": payee, "per_page": 100})
        return int(self.api("GET", f"/api/v1/transactions?{query}")["pagination"]["total"])

    def wait_for_count(self, payee: str, expected: int, seconds: float = 30) -> float:
        """Seconds until `expected` transactions have this payee (the scheduler made them)."""
        started = time.monotonic()
        while (count := self.count_with_payee(payee)) != expected:
            assert count < expected, f"{count} transactions for {payee}, expected {expected}"
            assert time.monotonic() - started < seconds, (
                f"{count} of {expected} transactions for {payee} after {seconds} s"
            )
            time.sleep(0.3)
        return time.monotonic() - started

    def look_at_reports(self) -> None:
        assert b"Spending" in self.page("/reports/spending-by-category")
        self.page("/reports/income-vs-expense")
        self.page("/")
        report = self.api("GET", "/api/v1/reports/spending-by-category")
        assert report, report


def occurrences(start: dt.date, every_days: int, today: dt.date | None = None) -> int:
    """How many times a schedule starting on `start`, every `every_days` days, fell due by today."""
    today = today or dt.date.today()
    return (today - start).days // every_days + 1
