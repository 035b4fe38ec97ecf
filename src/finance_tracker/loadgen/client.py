"""One simulated user: a cookie jar (the session), the CSRF token of the last form, and an API
token created on the Settings page. Standard library only, so it runs from the app image."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.cookiejar
import json
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass

CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
TOKEN_VALUE = re.compile(rb'readonly value="([^"]+)" aria-label="New API token"')


@dataclass(frozen=True)
class Result:
    """One HTTP request: what the sender records."""

    action: str
    status: int  # 0 when no answer came
    seconds: float
    error: str = ""  # "timeout", "connection", or "" when an HTTP status came back
    body: bytes = b""

    @property
    def outcome(self) -> str:
        if self.error:
            return self.error
        if self.status < 400:
            return "ok"
        return f"http_{self.status // 100}xx"

    @property
    def kind(self) -> str:
        """The error kind for the summary: '503', 'timeout', ...; '' when it went well."""
        if self.error:
            return self.error
        return str(self.status) if self.status >= 400 else ""


class _SecureCookiesToTarget(http.cookiejar.DefaultCookiePolicy):
    """The app marks its session cookie Secure in production; inside the cluster the sender
    talks plain HTTP to the Service (TLS ends at the ingress), where a browser-like jar would
    drop the cookie and every form would fail its CSRF check. The jar only ever holds cookies
    of the one target, so returning them over HTTP leaks nothing."""

    def return_ok_secure(self, cookie, request):  # type: ignore[no-untyped-def]  # noqa: ARG002
        return True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):  # type: ignore[no-untyped-def]
        return None


class User:
    def __init__(
        self,
        target: str,
        record: Callable[[Result], None],
        host_header: str = "",
        timeout: float = 10.0,
        rng: random.Random | None = None,
    ) -> None:
        self.target = target.rstrip("/")
        self.record = record
        self.host_header = host_header
        self.timeout = timeout
        self.rng = rng or random.Random()  # noqa: S311 - load, not secrets
        self.email = f"traffic-{uuid.uuid4().hex[:16]}@example.com"
        # Throwaway users the sender creates itself; random, so any password policy accepts it.
        self.password = f"Tr4ffic-{uuid.uuid4().hex}"
        self.jar = http.cookiejar.CookieJar(_SecureCookiesToTarget())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.api_token = ""
        self.account_id: int | None = None
        self.ready = False
        self.registered = False
        self.written: list[int] = []  # ids of transactions the API answered 201 for

    # --- HTTP -----------------------------------------------------------------------------

    def request(
        self,
        action: str,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = True,
    ) -> Result:
        """One request (redirects followed by hand, each hop counted as part of the action)."""
        started = time.perf_counter()
        url = self.target + path
        status, body, error, location = 0, b"", "", ""
        for _hop in range(5):
            all_headers = {"User-Agent": "finance-tracker-traffic/1", **(headers or {})}
            if self.host_header:
                all_headers["Host"] = self.host_header
            if method != "GET":
                all_headers.setdefault("Referer", url)
                all_headers.setdefault("Origin", self.target)
            req = urllib.request.Request(url, data=data, headers=all_headers, method=method)  # noqa: S310
            try:
                with self.opener.open(req, timeout=self.timeout) as response:
                    status, body = response.status, response.read()
            except urllib.error.HTTPError as answer:
                status, body = answer.code, answer.read()
                location = answer.headers.get("Location", "") if answer.headers else ""
                answer.close()
            except TimeoutError:
                error = "timeout"
                break
            except (urllib.error.URLError, ConnectionError, OSError) as failure:
                reason = getattr(failure, "reason", failure)
                timed_out = isinstance(reason, TimeoutError)
                error = "timeout" if timed_out else "connection"
                break
            if follow and status in (301, 302, 303, 307, 308) and location:
                url = urllib.parse.urljoin(url, location)
                if status in (301, 302, 303):
                    method, data = "GET", None
                    headers = {}
                continue
            break
        result = Result(action, status, time.perf_counter() - started, error, body)
        if urllib.parse.urlsplit(url).path == "/login" and action not in ("login", "login_form"):
            self.ready = False  # the session is gone (expired, or lost with Redis): sign in again
        self.record(result)
        return result

    def _form_token(self, body: bytes) -> str:
        match = CSRF.search(body)
        if not match:
            return ""
        return (match.group(1) or match.group(2)).decode()

    def _post_form(self, action: str, path: str, fields: dict[str, str]) -> Result:
        return self.request(
            action,
            "POST",
            path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def api(self, action: str, method: str, path: str, body: dict | None = None) -> Result:
        """A JSON call with the user's API token."""
        return self.request(
            action,
            method,
            path,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {self.api_token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            follow=False,
        )

    # --- flows ----------------------------------------------------------------------------

    def register(self) -> bool:
        page = self.request("register_form", "GET", "/register")
        token = self._form_token(page.body)
        if not token:
            return False
        done = self._post_form(
            "register",
            "/register",
            {
                "csrf_token": token,
                "email": self.email,
                "password": self.password,
                "confirm": self.password,
                "default_currency": "EUR",
            },
        )
        return _signed_in(done)

    def login(self) -> bool:
        page = self.request("login_form", "GET", "/login")
        token = self._form_token(page.body)
        if not token:
            return False
        done = self._post_form(
            "login", "/login", {"csrf_token": token, "email": self.email, "password": self.password}
        )
        return _signed_in(done)

    def logout(self) -> bool:
        page = self.request("dashboard", "GET", "/")
        token = self._form_token(page.body)
        if not token:
            return False
        return self._post_form("logout", "/logout", {"csrf_token": token}).status < 400

    def create_api_token(self) -> bool:
        page = self.request("settings", "GET", "/settings/")
        token = self._form_token(page.body)
        if not token:
            return False
        done = self._post_form(
            "create_token", "/settings/tokens", {"csrf_token": token, "name": "traffic"}
        )
        match = TOKEN_VALUE.search(done.body)
        if done.status != 201 or not match:
            return False
        self.api_token = match.group(1).decode()
        return True

    def create_account(self) -> bool:
        done = self.api(
            "api_create_account",
            "POST",
            "/api/v1/accounts",
            {"name": f"Checking {uuid.uuid4().hex[:8]}", "type": "checking", "currency": "EUR"},
        )
        if done.status != 201:
            return False
        self.account_id = int(json.loads(done.body)["id"])
        return True

    def setup(self) -> bool:
        """Register (or sign in again after the session was lost), then get an API token and an
        account once."""
        signed_in = self.login() if self.registered else self.register()
        if not signed_in and not self.registered:
            signed_in = self.login()  # registered, but the answer was lost (an outage)
        self.registered = self.registered or signed_in
        self.ready = bool(
            signed_in
            and (self.api_token or self.create_api_token())
            and (self.account_id or self.create_account())
        )
        return self.ready

    def api_add_transaction(self) -> Result:
        amount = f"{self.rng.randint(1, 200)}.{self.rng.randint(0, 99):02d}"
        done = self.api(
            "api_add_transaction",
            "POST",
            "/api/v1/transactions",
            {
                "kind": self.rng.choice(["expense", "expense", "expense", "income"]),
                "account_id": self.account_id,
                "date": dt.date.today().isoformat(),
                "amount": amount,
                "payee": self.rng.choice(["Grocer", "Bakery", "Rail", "Employer", "Cinema"]),
            },
        )
        if done.status == 201:
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self.written.append(int(json.loads(done.body)["id"]))
        return done

    def web_add_transaction(self) -> Result:
        page = self.request("transaction_form", "GET", "/transactions/new")
        token = self._form_token(page.body)
        if not token:
            return page
        return self._post_form(
            "web_add_transaction",
            "/transactions/new",
            {
                "csrf_token": token,
                "kind": "expense",
                "account_id": str(self.account_id),
                "date": dt.date.today().isoformat(),
                "amount": f"{self.rng.randint(1, 50)}.00",
                "payee": "Corner shop",
            },
        )

    def browse(self) -> Result:
        path = self.rng.choice(
            [
                "/",
                "/",
                "/transactions/",
                "/reports/spending-by-category",
                "/reports/income-vs-expense",
                "/reports/net-worth",
                "/reports/top-payees",
            ]
        )
        action = "dashboard" if path == "/" else ("reports" if "reports" in path else "list")
        return self.request(action, "GET", path)

    def import_file(self) -> Result:
        page = self.request("import_form", "GET", "/imports/")
        token = self._form_token(page.body)
        if not token:
            return page
        day = dt.date.today().strftime("%m/%d/%Y")
        qif = (
            f"!Type:Bank\nD{day}\nT-{self.rng.randint(1, 99)}.50\nPImported shop\n^\n"
            f"D{day}\nT1200.00\nPImported salary\n^\n"
        ).encode()
        body, content_type = _multipart(
            {"csrf_token": token, "account_id": str(self.account_id)},
            "file",
            f"statement-{uuid.uuid4().hex[:8]}.qif",
            qif,
        )
        return self.request(
            "import_upload", "POST", "/imports/", data=body, headers={"Content-Type": content_type}
        )

    def relogin(self) -> None:
        self.logout()
        if not self.login():
            self.ready = False


def _signed_in(result: Result) -> bool:
    return result.status == 200 and b"/logout" in result.body


def _multipart(
    fields: dict[str, str], file_field: str, filename: str, content: bytes
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
