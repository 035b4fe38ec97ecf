"""The sender: a pacer that starts user actions at the target rate, a pool of threads that run
them, the metrics (/metrics on its own port, plus /rate to change the rate while running) and
the summary at the end."""

from __future__ import annotations

import json
import logging
import queue
import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from finance_tracker.loadgen.client import Result, User
from finance_tracker.ops import metrics

log = logging.getLogger("finance_tracker.traffic")

# A realistic mix: mostly reading, some writing, a few imports and re-logins (weights).
DEFAULT_MIX = {
    "browse": 50,
    "api_add_transaction": 30,
    "web_add_transaction": 10,
    "import_file": 4,
    "relogin": 4,
    "new_user": 2,
}
WRITES_ONLY = {"api_add_transaction": 1}


@dataclass
class SenderConfig:
    target: str
    rate: float = 5.0
    duration: float = 0.0  # seconds; 0 = until stopped (or count reached)
    count: int = 0  # actions; 0 = no limit
    users: int = 5
    concurrency: int = 8
    timeout: float = 10.0
    host_header: str = ""
    mix: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MIX))
    seed: int | None = None
    # The app limits registrations per client IP (REGISTRATIONS_PER_IP, 20 an hour by default):
    # beyond the initial users, the sender registers at most this many an hour, and otherwise
    # lets a returning user sign in again.
    new_users_per_hour: int = 10
    keep_results: bool = False  # keep every (monotonic time, Result) for tests and benches


@dataclass
class Summary:
    sent: int
    ok: int
    failed: int
    errors: dict[str, int]
    seconds: float
    achieved_rate: float
    p50: float
    p95: float
    p99: float
    actions: int
    dropped: int
    written_ids: list[int]
    # "action kind" -> count, e.g. {"login 422": 1}: which step of the mix failed, and how.
    failed_actions: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())) or "none"
        by_action = ", ".join(f"{k}: {v}" for k, v in sorted(self.failed_actions.items()))
        return (
            f"requests sent: {self.sent}  ok: {self.ok}  failed: {self.failed}\n"
            f"duration: {self.seconds:.1f} s  achieved rate: {self.achieved_rate:.1f} req/s  "
            f"actions: {self.actions} (not started in time: {self.dropped})\n"
            f"latency p50: {self.p50 * 1000:.0f} ms  p95: {self.p95 * 1000:.0f} ms  "
            f"p99: {self.p99 * 1000:.0f} ms\n"
            f"errors by kind: {errors}" + (f"\nfailed actions: {by_action}" if by_action else "")
        )


class _OnlySenderMetrics:
    """The sender imports ops.metrics (one place for every name) but must expose only its own
    metrics: the app's zero-valued series would otherwise add up with the web pods'."""

    def collect(self):  # type: ignore[no-untyped-def]
        for family in REGISTRY.collect():
            if family.name.startswith(("traffic_sender_", "process_", "python_")):
                yield family


def sender_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_OnlySenderMetrics())  # type: ignore[arg-type]
    return registry


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Sender:
    def __init__(self, config: SenderConfig) -> None:
        self.config = config
        self._rate = float(config.rate)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._durations: list[float] = []
        self._errors: Counter[str] = Counter()
        self._failed_actions: Counter[str] = Counter()
        self._sent = 0
        self._ok = 0
        self._actions = 0
        self._dropped = 0
        self._recent: deque[float] = deque()  # completion times, for the achieved-rate gauge
        self._rng = random.Random(config.seed)  # noqa: S311 - load, not secrets
        self._idle: queue.Queue[User] = queue.Queue()
        self._all_users: list[User] = []
        self._started = 0.0
        self._server: ThreadingHTTPServer | None = None
        self._registrations: deque[float] = deque()
        self.results: list[tuple[float, Result]] = []

    # --- rate ---------------------------------------------------------------------------

    @property
    def rate(self) -> float:
        return self._rate

    def set_rate(self, value: float) -> None:
        if not 0 <= value <= 10_000:
            raise ValueError("rate must be between 0 and 10000")
        self._rate = float(value)
        log.info("rate set", extra={"rate": value})

    # --- recording ----------------------------------------------------------------------

    def _record(self, result: Result) -> None:
        now = time.monotonic()
        metrics.TRAFFIC_SENDER_REQUESTS.labels(result.outcome).inc()
        metrics.TRAFFIC_SENDER_DURATION.observe(result.seconds)
        with self._lock:
            self._sent += 1
            if result.kind:
                self._errors[result.kind] += 1
                self._failed_actions[f"{result.action} {result.kind}"] += 1
            else:
                self._ok += 1
            if len(self._durations) < 1_000_000:
                self._durations.append(result.seconds)
            self._recent.append(now)
            self._update_tps(now)
            if self.config.keep_results:
                self.results.append((now, result))

    def _update_tps(self, now: float) -> None:
        window = 5.0
        while self._recent and self._recent[0] < now - window:
            self._recent.popleft()
        span = min(window, max(now - self._started, 1e-3))
        metrics.TRAFFIC_SENDER_TPS.set(len(self._recent) / span)

    # --- users and actions --------------------------------------------------------------

    def _new_user(self) -> User:
        user = User(
            self.config.target,
            self._record,
            host_header=self.config.host_header,
            timeout=self.config.timeout,
            rng=random.Random(self._rng.random()),  # noqa: S311
        )
        with self._lock:
            self._all_users.append(user)
        return user

    def _run_action(self, name: str) -> None:
        try:
            user = self._idle.get_nowait()
        except queue.Empty:
            user = self._new_user()
        try:
            if not user.ready and not user.setup():
                return
            if name == "browse":
                user.browse()
            elif name == "api_add_transaction":
                user.api_add_transaction()
            elif name == "web_add_transaction":
                user.web_add_transaction()
            elif name == "import_file":
                user.import_file()
            elif name == "relogin":
                user.relogin()
            elif name == "new_user" and self._may_register():
                fresh = self._new_user()
                fresh.setup()
                self._idle.put(fresh)
            elif name == "new_user":
                user.relogin()
        except Exception:  # a bug in one action must not stop the sender
            log.exception("action failed", extra={"action": name})
        finally:
            self._idle.put(user)

    def _may_register(self) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._registrations and self._registrations[0] < now - 3600:
                self._registrations.popleft()
            if len(self._registrations) >= self.config.new_users_per_hour:
                return False
            self._registrations.append(now)
            return True

    def _worker(self, jobs: queue.Queue[str | None]) -> None:
        while True:
            name = jobs.get()
            if name is None:
                return
            if not self._stop.is_set():  # once stopped, queued actions are dropped, not sent
                self._run_action(name)

    # --- running ------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> Summary:
        cfg = self.config
        names = list(cfg.mix)
        weights = [cfg.mix[n] for n in names]
        jobs: queue.Queue[str | None] = queue.Queue(maxsize=cfg.concurrency * 2)
        threads = [
            threading.Thread(target=self._worker, args=(jobs,), daemon=True, name=f"user-{i}")
            for i in range(cfg.concurrency)
        ]
        for thread in threads:
            thread.start()
        for _ in range(min(cfg.users, cfg.concurrency)):
            self._idle.put(self._new_user())
        self._started = time.monotonic()
        deadline = self._started + cfg.duration if cfg.duration > 0 else float("inf")
        next_at = self._started
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= deadline or (cfg.count and self._actions >= cfg.count):
                break
            rate = self._rate
            if rate <= 0:
                self._stop.wait(0.2)
                next_at = time.monotonic()
                continue
            if now < next_at:
                self._stop.wait(min(next_at - now, 0.2))
                continue
            try:
                jobs.put_nowait(self._rng.choices(names, weights)[0])
                self._actions += 1
            except queue.Full:  # the app is slower than the rate: do not pile up
                self._dropped += 1
            next_at = max(next_at + 1.0 / rate, now - 1.0)
            with self._lock:
                self._update_tps(time.monotonic())
        for _ in threads:
            jobs.put(None)
        for thread in threads:
            thread.join(timeout=cfg.timeout * 6 + 5)
        return self.summary()

    def summary(self) -> Summary:
        with self._lock:
            seconds = max(time.monotonic() - self._started, 1e-3)
            durations = list(self._durations)
            written = [i for user in self._all_users for i in user.written]
            return Summary(
                sent=self._sent,
                ok=self._ok,
                failed=self._sent - self._ok,
                errors=dict(self._errors),
                seconds=seconds,
                achieved_rate=self._sent / seconds,
                p50=percentile(durations, 0.50),
                p95=percentile(durations, 0.95),
                p99=percentile(durations, 0.99),
                actions=self._actions,
                dropped=self._dropped,
                written_ids=written,
                failed_actions=dict(self._failed_actions),
            )

    # --- control and metrics endpoint ---------------------------------------------------

    def serve_metrics(self, host: str = "0.0.0.0", port: int = 9100) -> int:  # noqa: S104
        """/metrics (Prometheus), /healthz, GET /rate, PUT or POST /rate?value=N. Returns the
        port (0 picks a free one)."""
        sender = self
        registry = sender_registry()

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, value: object) -> None:
                self._send(status, json.dumps(value).encode(), "application/json")

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path == "/metrics":
                    self._send(200, generate_latest(registry), CONTENT_TYPE_LATEST)
                elif path == "/healthz":
                    self._json(200, {"status": "ok"})
                elif path == "/rate":
                    self._json(200, {"rate": sender.rate})
                else:
                    self._json(404, {"error": "not found"})

            def _set_rate(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != "/rate":
                    self._json(404, {"error": "not found"})
                    return
                raw = parse_qs(parts.query).get("value", [""])[0]
                if not raw:
                    length = int(self.headers.get("Content-Length") or 0)
                    raw = self.rfile.read(min(length, 64)).decode(errors="replace").strip()
                try:
                    sender.set_rate(float(raw))
                except ValueError:
                    self._json(400, {"error": "value must be a number between 0 and 10000"})
                    return
                self._json(200, {"rate": sender.rate})

            do_PUT = _set_rate  # noqa: N815
            do_POST = _set_rate  # noqa: N815

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="metrics").start()
        return int(self._server.server_address[1])

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
