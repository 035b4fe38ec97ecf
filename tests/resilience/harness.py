"""Real processes for the resilience tests: the app under gunicorn (`finance-tracker serve
--production`), a small reverse proxy that routes only to backends whose /readyz answers 200
(what a Kubernetes Service does with endpoints), and a private PostgreSQL that can be stopped."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "finance-tracker"
SECRET = "test-secret-key-that-is-long-enough-for-production-1234"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def status_of(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, http.client.HTTPException):
        return 0


def wait_for(predicate, timeout: float, step: float = 0.1) -> float:  # type: ignore[no-untyped-def]
    """Seconds until predicate() was true; raises TimeoutError after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(step)
    raise TimeoutError(f"not true within {timeout} s")


class App:
    """`finance-tracker serve --production` (or `args`) on a port, with its own environment (a
    variable given as None is left unset); its stdout and stderr both go to `log`."""

    def __init__(
        self,
        port: int,
        env: Mapping[str, str | None],
        log: Path,
        args: tuple[str, ...] = ("serve", "--production"),
    ) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        full = {
            **os.environ,
            "FINANCE_TRACKER_ENV": "production",
            "SECRET_KEY": SECRET,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WEB_WORKERS": "2",
            "LOG_LEVEL": "WARNING",
            "AUTO_MIGRATE": "false",
            "REGISTRATION": "open",  # the traffic sender signs its users up through the form
            **env,
        }
        full.pop("PROMETHEUS_MULTIPROC_DIR", None)
        full = {name: value for name, value in full.items() if value is not None}
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [str(BIN), *args],
                env=full,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )

    def wait_ready(self, timeout: float = 40) -> None:
        try:
            wait_for(
                lambda: self.process.poll() is not None or status_of(self.url + "/readyz") == 200,
                timeout,
                0.2,
            )
            if self.process.poll() is not None:
                raise TimeoutError
        except TimeoutError:
            self.stop(kill=True)
            raise AssertionError(f"app never ready; log:\n{self.log.read_text()[-3000:]}") from None

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def stop(self, kill: bool = False) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=10)


class ReadinessProxy:
    """Round-robin over the backends whose /readyz answered 200 at the last check (every
    `interval` s). No retries: a request that fails at a backend fails for the client, so the
    figures show what a Service would let through. 502 when it could not reach a backend, 503
    when no backend is ready."""

    def __init__(self, backends: list[str], interval: float = 0.25) -> None:
        self.backends = list(backends)
        self.ready: list[str] = []
        self.interval = interval
        self._next = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                backend = proxy.pick()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                if backend is None:
                    self._answer(503, [], b"no ready backend")
                    return
                host, port = backend.removeprefix("http://").split(":")
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                headers["Connection"] = "close"
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    answer = connection.getresponse()
                    data = answer.read()
                    passed = [
                        (k, v)
                        for k, v in answer.getheaders()
                        if k.lower() not in ("connection", "transfer-encoding", "content-length")
                    ]
                    self._answer(answer.status, passed, data)
                except (OSError, http.client.HTTPException):
                    self._answer(502, [], b"backend failed")
                finally:
                    connection.close()

            def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward  # noqa: N815

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self._threads = [
            threading.Thread(target=self.server.serve_forever, daemon=True),
            threading.Thread(target=self._check, daemon=True),
        ]

    def pick(self) -> str | None:
        with self._lock:
            if not self.ready:
                return None
            self._next = (self._next + 1) % len(self.ready)
            return self.ready[self._next]

    def _check(self) -> None:
        while not self._stop.is_set():
            ready = [b for b in self.backends if status_of(b + "/readyz", 1.0) == 200]
            with self._lock:
                self.ready = ready
            self._stop.wait(self.interval)

    def __enter__(self) -> ReadinessProxy:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()


class PrivatePostgres:
    """initdb into a temporary directory owned by postgres; pg_ctl through runuser (pg_ctl
    refuses root). stop() and start() keep the data, as a pod restart would."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ft-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @staticmethod
    def missing() -> str | None:
        if not (PG_BIN / "initdb").exists():
            return f"no initdb in {PG_BIN}"
        if os.geteuid() == 0 and not shutil.which("runuser"):
            return "running as root without runuser"
        return None

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=60)  # noqa: S603

    def init(self) -> None:
        self.dir.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
            str(self.dir / "log"), "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop", check=False
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.init()
        yield server
    finally:
        server.destroy()


class PrivateRedis:
    """redis-server on a free port, no persistence: a restart loses its data, like a Redis pod
    without a volume."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def missing() -> str | None:
        return None if shutil.which("redis-server") else "no redis-server"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    str(shutil.which("redis-server")), "--port", str(self.port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_for(lambda: _pings(client), 10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _pings(client) -> bool:  # type: ignore[no-untyped-def]
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False
