"""Outgoing email over SMTP (the standard library's smtplib): sign-up links, password resets.

Mail goes out from a job (the worker when there is Redis, a thread otherwise), so a slow or
down mail server never holds a request, and a form answers as fast whether a mail is sent or not.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from functools import cache

import jinja2

from finance_tracker import catalogs
from finance_tracker.settings import MailSecurity, Settings

log = logging.getLogger(__name__)


class MailError(Exception):
    """The mail server could not be reached or refused the message."""


@cache
def _templates(language: str) -> jinja2.Environment:
    # Plain text: nothing to escape, and a missing value is a bug, not an empty line. One
    # environment per language: its gettext is the language's catalog.
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("finance_tracker.mail", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),  # .txt bodies are plain text
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        catalogs.translations(language), newstyle=True
    )
    return environment


def render(template: str, language: str = "en", **context: object) -> str:
    """The body of a mail from `mail/templates/<template>.txt` in `language`, without Flask
    (the worker renders some)."""
    return _templates(language).get_template(f"{template}.txt").render(**context)


def subject(language: str, english: str) -> str:
    """A subject line (marked with N_ where it is written) in `language`."""
    return catalogs.translations(language).gettext(english)


def compose(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="finance-tracker")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    message.set_content(body)
    return message


def send(settings: Settings, to: str, subject: str, body: str) -> None:
    if settings.smtp_host is None:
        raise MailError("no mail server is configured (SMTP_HOST)")
    message = compose(settings, to, subject, body)
    context = ssl.create_default_context()
    timeout = settings.smtp_timeout_seconds
    try:
        if settings.smtp_security is MailSecurity.tls:
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=timeout, context=context
            )
        else:
            server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        with server:
            if settings.smtp_security is MailSecurity.starttls:
                server.starttls(context=context)
            if settings.smtp_username:
                server.login(settings.smtp_username, settings.smtp_password or "")
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"{settings.smtp_host}:{settings.smtp_port}: {error}") from error
    log.info("mail sent", extra={"subject": subject})
