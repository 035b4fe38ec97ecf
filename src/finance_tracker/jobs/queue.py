"""Where jobs run: RQ on Redis when REDIS_URL is set (the worker picks them up), otherwise a
thread of this process (the embedded default, nothing else to start)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # redis and rq come in with the first job sent to Redis: a web process
    import redis  # without Redis never imports them (tests/unit/test_startup.py)

QUEUE_NAME = "finance-tracker"
# RQ stops a job running longer (services.uploads.ABANDONED_AFTER counts on it).
JOB_TIMEOUT_SECONDS = 3600
_threads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedded-job")


def submit(
    client: redis.Redis | None, function_path: str, *args: Any, run_inline: Any = None
) -> str:
    """Enqueue `function_path(*args)`; `run_inline` is the callable used without Redis."""
    if client is not None:
        from rq import Queue, Retry

        job = Queue(QUEUE_NAME, connection=client).enqueue(
            function_path,
            *args,
            job_timeout=JOB_TIMEOUT_SECONDS,
            retry=Retry(max=2, interval=[10, 60]),
        )
        return str(job.id)
    future = _threads.submit(run_inline, *args)
    return f"thread:{id(future)}"
