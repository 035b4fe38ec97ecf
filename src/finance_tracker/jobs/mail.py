"""Mail jobs: what the worker (or the web process's job thread) runs to send email.

A password reset is looked up, recorded and mailed here, not in the request: the "forgot
password" page then does the same work for every address, and takes as long whether or not the
address has an account.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from finance_tracker import mail
from finance_tracker.domain.text import N_
from finance_tracker.jobs import queue
from finance_tracker.settings import Settings, load_settings

if TYPE_CHECKING:
    import redis

    from finance_tracker.store.database import Database

log = logging.getLogger(__name__)
TOKEN_SLOT = "token-goes-here"  # noqa: S105 - where the reset link takes its token


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
        run_inline=lambda *_args: send_email(to, subject, body, settings=settings),
    )


def send_password_reset(
    email: str,
    ip: str | None,
    link_template: str,
    *,
    settings: Settings | None = None,
    database: Database | None = None,
    secret_key: str | None = None,
) -> None:
    """Mail a reset link to `email` if it has an account; nothing otherwise. `link_template` is
    the absolute reset URL with TOKEN_SLOT where the token goes."""
    from finance_tracker.services import audit, email_links, users
    from finance_tracker.store.database import Database

    settings = settings or load_settings()
    own_database = database is None
    database = database or Database(settings.effective_database_url)
    try:
        with database.session() as session:
            user = users.find_by_email(session, email)
            if user is None:
                return
            # Replaces the user's earlier reset links: only the newest one works.
            token = email_links.new_reset_token(secret_key or settings.effective_secret_key(), user)
            audit.record(session, audit.PASSWORD_RESET_REQUESTED, user.id, ip=ip)
            language = users.language_for(user)  # theirs, whoever's browser asked
    finally:
        if own_database:
            database.dispose()
    body = mail.render(
        "reset_password",
        language,
        link=link_template.replace(TOKEN_SLOT, token),
        minutes=email_links.RESET_MINUTES,
    )
    subject = mail.subject(language, N_("Reset your password"))
    send_email(email, subject, body, settings=settings)


def enqueue_password_reset(
    client: redis.Redis | None,
    settings: Settings,
    database: Database,
    secret_key: str,
    email: str,
    ip: str | None,
    link_template: str,
) -> None:
    queue.submit(
        client,
        "finance_tracker.jobs.mail.send_password_reset",
        email,
        ip,
        link_template,
        run_inline=lambda *args: send_password_reset(
            *args, settings=settings, database=database, secret_key=secret_key
        ),
    )
