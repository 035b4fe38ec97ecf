"""Production serving: gunicorn run from code, so `finance-tracker serve --production` is all
a container needs. Metrics add up across workers in prometheus_client multiprocess mode."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from finance_tracker.settings import Settings


def clean_multiprocess_dir() -> None:
    """Files left by a previous run would be counted again."""
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
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


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
            # Long enough for in-flight requests to finish after SIGTERM.
            "graceful_timeout": 25,
            "timeout": 60,
            "keepalive": 5,
            "accesslog": None,  # the app writes its own JSON access log
            "errorlog": "-",
            "loglevel": self.settings.log_level.lower(),
            "worker_tmp_dir": "/dev/shm" if Path("/dev/shm").is_dir() else None,  # noqa: S108
            "child_exit": _child_exit,
            "proc_name": "finance-tracker",
            # The control socket would need a writable home; the container's root is read-only.
            "control_socket_disable": True,
        }
        for key, value in options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from finance_tracker import create_app

        app = create_app(self.settings)
        if self.settings.runs_embedded_jobs:
            from finance_tracker.jobs import embedded

            embedded.start(app.extensions["finance_tracker"].database)
        return app


def run(settings: Settings) -> None:
    clean_multiprocess_dir()
    _Server(settings).run()
