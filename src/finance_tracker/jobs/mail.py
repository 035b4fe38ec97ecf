"""The mail job: what the worker (or the web process's job thread) runs to send one email."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from finance_tracker import mail
from finance_tracker.jobs import queue
from finance_tracker.settings import Settings, load_settings

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)


def send_email(to: str, subject: str, body: str, settings: Settings | None = None) -> None:
    """Send, or raise (RQ then retries the job). The address is not logged: it is personal."""
    try:
        mail.send(settings or load_settings(), to, subject, body)
    except mail.MailError as error:
        log.error("mail not sent", extra={"subject": subject, "error": str(error)})
        raise


def enqueue(
    client: redis.Redis | None, settings: Settings, to: str, subject: str, body: str
) -> None:
    """Hand one email to the worker (Redis), or to this process's job thread (no Redis)."""
    queue.submit(
        client,
        "finance_tracker.jobs.mail.send_email",
        to,
        subject,
        body,
        run_inline=lambda *args: send_email(*args, settings=settings),
    )
