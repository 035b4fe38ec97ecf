"""The worker process: RQ's Worker, made to stop with exit 0 on SIGTERM at any moment.

RQ installs its SIGTERM handler only once it has registered in Redis and forked its scheduler, and
waits for the scheduler without a limit. A SIGTERM in that first second killed the worker with
-15, or, as a container's PID 1 (where an unhandled SIGTERM is ignored), left it running until
the kubelet's SIGKILL (exit 137); a scheduler that did not stop held the worker's shutdown for
ever. So a handler of ours is in place from the first line: before RQ's, it asks for the stop RQ
would have made; in the scheduler process, forked before it has handlers of its own, it asks the
scheduler to stop. The scheduler gets SCHEDULER_STOP_SECONDS to stop, then SIGKILL. And the
listening thread RQ keeps on the worker's Redis channel is stopped so that it cannot hold the
exit for a minute (see unsubscribe).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from types import FrameType

from rq import Worker

log = logging.getLogger(__name__)

SCHEDULER_STOP_SECONDS = 10.0


class EarlyStop:
    """SIGTERM and SIGINT, from process start until RQ's own handlers take over."""

    def __init__(self) -> None:
        self.requested = False
        self.worker: StoppableWorker | None = None
        self._pid = os.getpid()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        scheduler = self.worker.scheduler if self.worker else None
        if os.getpid() != self._pid and scheduler is not None:
            scheduler.request_stop()  # the forked scheduler, before it installed its handlers
            return
        self.requested = True


class LeavesChannelPromptly(Worker):
    """An RQ worker whose exit never waits a minute on its Redis channel (also for an
    in-process SimpleWorker: `class W(LeavesChannelPromptly, SimpleWorker)`)."""

    def unsubscribe(self) -> None:
        # RQ sends UNSUBSCRIBE, then stops its listening thread, and redis-py 8's stop() waits
        # for that thread. When the thread read the reply before the stop (a busy machine), it
        # went on to wait up to RQ's 60 s for a subscription that would never come, and the
        # worker's exit with it (CI: exit -9, SIGKILLed after 60 s). So the thread is told to
        # stop first, without waiting: the reply then wakes it and it leaves.
        listening = self.pubsub_thread
        if listening is not None and listening.is_alive():
            listening.stop(timeout=0)
        super().unsubscribe()


class StoppableWorker(LeavesChannelPromptly):
    """RQ's Worker, told about a stop asked for before its handlers, with a bounded scheduler
    stop and a prompt unsubscribe. The overrides are of RQ's private methods (rq 2.x and 3.x):
    tests/resilience/test_worker_stops.py fails if RQ moves them."""

    def __init__(self, *args: object, early: EarlyStop, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._early = early
        early.worker = self

    def _install_signal_handlers(self) -> None:
        super()._install_signal_handlers()
        if self._early.requested:
            self.log.info("Worker %s: stop asked for while starting", self.name)
            self._stop_requested = True  # the work loop checks it before its first dequeue

    def stop_scheduler(self) -> None:
        process = self.scheduler._process if self.scheduler else None
        if process is None or not process.pid:
            return
        with contextlib.suppress(OSError):  # already gone
            os.kill(process.pid, signal.SIGTERM)
        process.join(SCHEDULER_STOP_SECONDS)
        if process.is_alive():
            log.warning(
                "the scheduler (PID %s) did not stop in %s s; killed",
                process.pid,
                SCHEDULER_STOP_SECONDS,
            )
            process.kill()
            process.join()
