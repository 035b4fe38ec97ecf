"""Production serving: gunicorn run from code, so `finance-tracker serve --production` is all
a container needs. Metrics add up across workers in prometheus_client multiprocess mode.

Graceful shutdown: the master passes SIGTERM on to every worker. Each worker then (1) sets
`AppState.draining`, so /readyz answers 503 at once, (2) keeps serving for DRAIN_SECONDS while
load balancers and proxies take it out of rotation, (3) stops accepting and lets in-flight
requests finish (gunicorn's graceful stop, within `graceful_timeout` = DRAIN_SECONDS + 25 s).
DRAIN_SECONDS defaults to 0: in Kubernetes the web pod's preStop sleep already holds SIGTERM back
while the endpoint is removed (the kubelet removes a terminating pod from endpoints whatever its
readiness), so draining again would only lengthen every rollout. Behind a proxy that follows
/readyz (compose, systemd, the resilience tests) set DRAIN_SECONDS to its check interval plus a
margin. terminationGracePeriodSeconds must exceed preStop + DRAIN_SECONDS + 25 s.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import signal
import threading
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from finance_tracker.ops import logging as ops_logging
from finance_tracker.ops import startup
from finance_tracker.settings import Settings


def clean_multiprocess_dir() -> None:
    """Files left by a previous run would be counted again."""
    # Not a setting of ours (settings.py): prometheus_client reads PROMETHEUS_MULTIPROC_DIR itself.
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        # Empty it, not remove it: in Kubernetes it is a volume's mount point.
        for child in path.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()


def _child_exit(_server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # prometheus_client's own variable
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def _when_ready(_server: Any) -> None:
    """The master, just before it forks the workers: it has all it will load (ops/startup.py)."""
    startup.resume()


def _post_fork(_server: Any, _worker: Any) -> None:
    """A worker, just forked: no collections while it loads the app (resumed in `load`)."""
    startup.pause()


log = logging.getLogger("finance_tracker.shutdown")


def _post_worker_init(worker: Any) -> None:
    """Replace the worker's SIGTERM handler: fail readiness first, keep serving DRAIN_SECONDS,
    then hand over to gunicorn's own graceful stop (which lets in-flight requests finish)."""
    graceful_stop = worker.handle_exit
    delay = worker.app.settings.drain_seconds  # worker.app: the _Server below
    started = threading.Event()

    def on_sigterm(signum: int, frame: Any) -> None:
        state = worker.wsgi.extensions.get("finance_tracker") if hasattr(worker, "wsgi") else None
        if state is not None:
            state.draining = True
        if started.is_set():
            return
        started.set()
        log.info("draining", extra={"pid": os.getpid(), "drain_seconds": delay})

        def later() -> None:
            threading.Event().wait(delay)
            graceful_stop(signum, frame)

        threading.Thread(target=later, name="drain", daemon=True).start()

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn: do not disturb active requests


class JsonLogger(Logger):  # type: ignore[misc]
    """gunicorn's own messages (starting, listening, workers booted and exiting, signals) as the
    app's JSON lines: its error log hands its records to the root logger's JSON handler instead
    of writing its plain "[date] [pid] [INFO] ..." lines to stderr."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        ops_logging.configure(cfg.loglevel.upper())
        self.error_log.handlers[:] = []
        self.error_log.propagate = True


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        options = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.web_workers,
            "worker_class": "gthread",
            "threads": 4,
            # Long enough for in-flight requests to finish after SIGTERM; DRAIN_SECONDS is added
            # below (the chart's terminationGracePeriodSeconds is checked against this 25).
            "graceful_timeout": 25,
            "timeout": 60,
            "keepalive": 5,
            "accesslog": None,  # the app writes its own JSON access log
            "errorlog": "-",
            "loglevel": self.settings.log_level.lower(),
            "logger_class": JsonLogger,
            "worker_tmp_dir": "/dev/shm" if Path("/dev/shm").is_dir() else None,  # noqa: S108
            "child_exit": _child_exit,
            "when_ready": _when_ready,
            "post_fork": _post_fork,
            "post_worker_init": _post_worker_init,
            "proc_name": "finance-tracker",
            # The control socket would need a writable home; the container's root is read-only.
            "control_socket_disable": True,
        }
        options["graceful_timeout"] = 25 + math.ceil(self.settings.drain_seconds)
        for key, value in options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from finance_tracker import create_app

        app = create_app(self.settings)
        if self.settings.runs_embedded_jobs:
            from finance_tracker.jobs import embedded

            state = app.extensions["finance_tracker"]
            embedded.start(state.database, settings=state.settings)
        startup.resume()
        return app


def run(settings: Settings) -> None:
    clean_multiprocess_dir()
    _Server(settings).run()
