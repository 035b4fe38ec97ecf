"""Signing up and resetting a password never tell a stranger whether an address has an account.

With mail set up, the sign-up and "forgot password" pages answer the same for every address and
the rest happens in the inbox (a real SMTP server here, aiosmtpd). Without mail, the sign-up form
is there for the first user only; later accounts come from the command line.
"""

from __future__ import annotations

import re
import socket
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from finance_tracker.services import users
from finance_tracker.settings import SettingsError, load_settings
from finance_tracker.store.models import AuditEvent
from tests.conftest import Browser, csrf_from
from tests.security.conftest import PASSWORD, log_in

PUBLIC_URL = "https://money.example.com"
NEW_PASSWORD = "a brand new long passphrase"


class Mailbox:
    """What an SMTP server on 127.0.0.1 received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages

    def link_in(self, message: EmailMessage) -> str:
        body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        match = re.search(re.escape(PUBLIC_URL) + r"(/\S+)", body)
        assert match, body
        return match.group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox():  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port  # type: ignore[attr-defined]
    yield box
    controller.stop()


@pytest.fixture
def mail_app(make_app, mailbox):  # type: ignore[no-untyped-def]
    def make(**overrides: object):  # type: ignore[no-untyped-def]
        return make_app(
            registration=None, smtp_host="127.0.0.1", smtp_port=mailbox.port,
            smtp_security="none", public_url=PUBLIC_URL,
            mail_from="Finance Tracker <money@example.com>", **overrides,
        )  # fmt: skip

    return make


def _ask_to_sign_up(client, email: str):  # type: ignore[no-untyped-def]
    return Browser(client).submit("/register", {"email": email})


def _visible(html: str) -> str:
    """The page without its CSRF token (which differs on every request)."""
    return re.sub(r'value="[^"]{40,}"', "", html)


def test_with_mail_sign_up_answers_the_same_for_known_and_unknown_addresses(mail_app, mailbox):
    app = mail_app()
    with app.extensions["finance_tracker"].database.session() as session:
        users.register(session, "ada@example.com", PASSWORD)

    known = _ask_to_sign_up(app.test_client(), "ada@example.com")
    unknown = _ask_to_sign_up(app.test_client(), "bob@example.com")

    assert known.status_code == unknown.status_code == 200
    page = _visible(known.get_data(as_text=True)).replace("ada@", "X@")
    assert page == _visible(unknown.get_data(as_text=True)).replace("bob@", "X@")
    assert "Check your inbox" in page
    # The inbox tells each owner what they need, and only them.
    by_recipient = {m["To"]: m for m in mailbox.wait_for(2)}
    assert "has an account already" in by_recipient["ada@example.com"].get_content()
    assert by_recipient["bob@example.com"]["Subject"] == "Finish creating your account"
    assert by_recipient["bob@example.com"]["From"] == "Finance Tracker <money@example.com>"


def test_the_emailed_link_finishes_signing_up_once(mail_app, mailbox):
    app = mail_app()
    client = app.test_client()
    _ask_to_sign_up(client, "Bob@Example.com")
    link = mailbox.link_in(mailbox.wait_for(1)[0])
    assert link.startswith("/register/")

    page = client.get(link)
    assert page.status_code == 200
    assert "bob@example.com" in page.get_data(as_text=True)
    weak = Browser(client).submit(
        link, {"password": "password", "confirm": "password", "default_currency": "EUR"}
    )
    assert weak.status_code == 422  # password rules apply here too

    done = Browser(client).submit(
        link, {"password": PASSWORD, "confirm": PASSWORD, "default_currency": "CHF"}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("/accounts/new")
    assert client.get("/").status_code == 200  # signed in
    with app.extensions["finance_tracker"].database.session() as session:
        bob = users.find_by_email(session, "bob@example.com")
        assert bob is not None and bob.default_currency == "CHF"
        detail = session.scalar(select(AuditEvent.detail).where(AuditEvent.event == "register"))
        assert detail == "email verified"

    # The same link again (someone who read the mail later) makes nothing.
    again = app.test_client()
    reused = Browser(again).submit(
        link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "default_currency": "EUR"}
    )
    assert reused.status_code == 302 and "/login" in reused.headers["Location"]
    assert log_in(app.test_client(), "bob@example.com", NEW_PASSWORD).status_code == 422


def test_a_forged_or_foreign_sign_up_link_does_not_work(mail_app, mailbox):
    app = mail_app()
    client = app.test_client()
    _ask_to_sign_up(client, "bob@example.com")
    link = mailbox.link_in(mailbox.wait_for(1)[0])
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert client.get(tampered).status_code == 400
    assert client.get("/register/not-a-token").status_code == 400
    # A link signed by another server's key is refused too.
    other = mail_app(secret_key="another-secret-key-that-is-long-enough-123456")
    assert other.test_client().get(link).status_code == 400


def test_forgot_password_answers_the_same_and_the_link_resets_once(mail_app, mailbox):
    app = mail_app()
    client = app.test_client()
    Browser(client).submit(
        "/register", {"email": "carol@example.com"}
    )  # a sign-up mail, to see that only resets follow
    mailbox.wait_for(1)
    with app.extensions["finance_tracker"].database.session() as session:
        users.register(session, "ada@example.com", PASSWORD)

    known = Browser(app.test_client()).submit("/forgot-password", {"email": "ada@example.com"})
    unknown = Browser(app.test_client()).submit("/forgot-password", {"email": "zed@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert _visible(known.get_data(as_text=True)).replace("ada@", "X@") == _visible(
        unknown.get_data(as_text=True)
    ).replace("zed@", "X@")

    reset_mail = mailbox.wait_for(2)[1]
    assert reset_mail["To"] == "ada@example.com" and reset_mail["Subject"] == "Reset your password"
    time.sleep(0.3)
    assert len(mailbox.messages) == 2  # nothing is sent for an unknown address
    link = mailbox.link_in(reset_mail)
    assert link.startswith("/reset-password/")

    # Ada is signed in elsewhere; the reset signs that session out.
    elsewhere = app.test_client()
    assert log_in(elsewhere, "ada@example.com").status_code == 302
    assert elsewhere.get("/").status_code == 200

    reset = Browser(client).submit(link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert reset.status_code == 302 and reset.headers["Location"].endswith("/login")
    assert log_in(app.test_client(), "ada@example.com", PASSWORD).status_code == 422
    assert log_in(app.test_client(), "ada@example.com", NEW_PASSWORD).status_code == 302
    assert elsewhere.get("/").status_code == 302  # back to the login page
    # Used once: the link now fails, the new password stays.
    assert client.get(link).status_code == 400
    with app.extensions["finance_tracker"].database.session() as session:
        recorded = list(session.scalars(select(AuditEvent.event)))
    assert "password_reset_requested" in recorded and "password_reset" in recorded


def test_asking_again_replaces_the_earlier_reset_link(mail_app, mailbox):
    """Ada asks twice (the first mail seemed lost): only the newest link works. The earlier one
    is refused with the same page as a used link, before and after the reset."""
    app = mail_app()
    with app.extensions["finance_tracker"].database.session() as session:
        users.register(session, "ada@example.com", PASSWORD)
    client = app.test_client()
    Browser(app.test_client()).submit("/forgot-password", {"email": "ada@example.com"})
    first = mailbox.link_in(mailbox.wait_for(1)[0])
    form = client.get(first)
    assert form.status_code == 200  # it works until Ada asks again
    Browser(app.test_client()).submit("/forgot-password", {"email": "ada@example.com"})
    second = mailbox.link_in(mailbox.wait_for(2)[1])
    assert second != first

    replaced = client.get(first)
    assert replaced.status_code == 400
    assert "replaced by a newer link" in replaced.get_data(as_text=True)
    # The form opened from the first link, sent now, sets no password.
    refused = client.post(
        first,
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
              "csrf_token": csrf_from(form.get_data(as_text=True))},
    )  # fmt: skip
    assert refused.status_code == 400
    assert log_in(app.test_client(), "ada@example.com", PASSWORD).status_code == 302

    reset = Browser(client).submit(second, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert reset.status_code == 302 and reset.headers["Location"].endswith("/login")
    assert log_in(app.test_client(), "ada@example.com", NEW_PASSWORD).status_code == 302
    used = app.test_client().get(second)
    assert used.status_code == 400
    assert _visible(used.get_data(as_text=True)) == _visible(
        app.test_client().get(first).get_data(as_text=True)
    )  # replaced, used: one page, which does not say which
    with app.extensions["finance_tracker"].database.session() as session:
        ada = users.find_by_email(session, "ada@example.com")
        assert ada is not None and ada.reset_link_id is None  # nothing left to use


def test_changing_the_password_ends_an_outstanding_reset_link(mail_app, mailbox):
    """Ada asked for a link, then remembered her password and changed it in Settings: the link
    in her inbox is dead, though it is the newest one."""
    app = mail_app()
    with app.extensions["finance_tracker"].database.session() as session:
        users.register(session, "ada@example.com", PASSWORD)
    Browser(app.test_client()).submit("/forgot-password", {"email": "ada@example.com"})
    link = mailbox.link_in(mailbox.wait_for(1)[0])
    here = app.test_client()
    assert log_in(here, "ada@example.com").status_code == 302
    changed = Browser(here).submit(
        "/settings/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert app.test_client().get(link).status_code == 400


def test_a_reset_link_without_a_link_id_is_refused(mail_app):
    """Links mailed before the upgrade that added `reset_link_id` carry none: they are refused
    (their owners ask again), even though they are signed, in time and the password is the same."""
    from finance_tracker.services import email_links

    app = mail_app()
    secret = app.config["SECRET_KEY"]
    with app.extensions["finance_tracker"].database.session() as session:
        ada = users.register(session, "ada@example.com", PASSWORD)
        old_style = email_links._serializer(secret, "password-reset").dumps(
            {"user": ada.id, "password": users.credentials_fingerprint(ada)}
        )
        current = email_links.new_reset_token(secret, ada)
    client = app.test_client()
    assert client.get(f"/reset-password/{old_style}").status_code == 400
    assert client.get(f"/reset-password/{current}").status_code == 200


def test_mail_to_one_address_is_limited(mail_app, mailbox):
    app = mail_app()
    answers = [
        Browser(app.test_client()).submit("/forgot-password", {"email": "ada@example.com"})
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]


def test_without_mail_only_the_first_user_signs_up(make_app):
    app = make_app(registration=None)
    first = Browser(app.test_client())
    first.register("owner@example.com")

    client = app.test_client()
    closed = client.get("/register")
    assert closed.status_code == 200 and "Sign-up is closed" in closed.get_data(as_text=True)
    assert "users create" in closed.get_data(as_text=True)
    token = csrf_from(client.get("/login").get_data(as_text=True))
    refused = client.post(
        "/register",
        data={
            "email": "owner@example.com", "password": PASSWORD, "confirm": PASSWORD,
            "default_currency": "EUR", "csrf_token": token,
        },
    )  # fmt: skip
    assert refused.status_code == 403
    assert "Sign-up is closed" in refused.get_data(as_text=True)  # the same for any address
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/register"' not in login_page
    # No mail: "forgot password" points to the administrator's command instead.
    forgot = client.get("/forgot-password").get_data(as_text=True)
    assert "users set-password" in forgot


def test_closed_sign_up_even_on_an_empty_server(make_app):
    app = make_app(registration="closed")
    assert "Sign-up is closed" in app.test_client().get("/register").get_data(as_text=True)


def test_open_sign_up_is_the_documented_exception(make_app):
    """REGISTRATION=open signs people up at once, so it has to say when an address is taken."""
    app = make_app(registration="open")
    Browser(app.test_client()).register("ada@example.com")
    again = Browser(app.test_client()).submit(
        "/register",
        {"email": "ada@example.com", "password": PASSWORD, "confirm": PASSWORD,
         "default_currency": "EUR"},
    )  # fmt: skip
    assert again.status_code == 422


def test_changing_the_password_signs_out_other_sessions(make_app):
    app = make_app()
    here = app.test_client()
    Browser(here).register("ada@example.com")
    there = app.test_client()
    assert log_in(there, "ada@example.com").status_code == 302

    wrong = Browser(here).submit(
        "/settings/password",
        {"current_password": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 422
    assert "not your current password" in wrong.get_data(as_text=True)
    changed = Browser(here).submit(
        "/settings/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert here.get("/").status_code == 200  # this session stays
    assert there.get("/").status_code == 302  # the other one is signed out
    assert log_in(app.test_client(), "ada@example.com", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"registration": "email"}, "REGISTRATION=email needs SMTP_HOST"),
        ({"smtp_host": "mail.example.com"}, "PUBLIC_URL is required"),
        ({"smtp_host": "m", "public_url": "money.example.com"}, "absolute http"),
        ({"mail_from": ""}, "MAIL_FROM: must be an email address"),
    ],
)
def test_mail_settings_that_cannot_work_stop_start_up(values, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(**values)


def test_links_in_mail_use_public_url_not_the_host_header(mail_app, mailbox):
    """A forged Host header must not turn a reset link into one pointing at an attacker."""
    app = mail_app()
    with app.extensions["finance_tracker"].database.session() as session:
        users.register(session, "ada@example.com", PASSWORD)
    client = app.test_client()
    page = client.get("/forgot-password", headers={"Host": "evil.example"})
    client.post(
        "/forgot-password",
        data={"email": "ada@example.com", "csrf_token": csrf_from(page.get_data(as_text=True))},
        headers={"Host": "evil.example"},
    )
    body = mailbox.wait_for(1)[0].get_content()
    assert "evil.example" not in body and PUBLIC_URL + "/reset-password/" in body


def test_with_redis_the_worker_looks_up_and_mails_the_reset(
    mail_app, mailbox, redis_url, database_url, monkeypatch
):
    """The page only queues the job; an RQ worker, configured from the environment as in
    production, finds the account, records the request and sends a link the web app accepts."""
    from rq import Queue, SimpleWorker

    from finance_tracker.jobs.queue import QUEUE_NAME
    from finance_tracker.jobs.worker import LeavesChannelPromptly
    from tests.conftest import SECRET

    app = mail_app(redis_url=redis_url)
    with app.extensions["finance_tracker"].database.session() as session:
        users.register(session, "ada@example.com", PASSWORD)
    answer = Browser(app.test_client()).submit("/forgot-password", {"email": "ada@example.com"})
    assert answer.status_code == 200
    time.sleep(0.3)
    assert mailbox.messages == []  # nothing happens in the web process

    for name, value in {
        "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port), "SMTP_SECURITY": "none", "PUBLIC_URL": PUBLIC_URL,
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    client = app.extensions["finance_tracker"].redis

    class InProcessWorker(LeavesChannelPromptly, SimpleWorker):
        """In this process, so that the environment above is its own (RQ's SimpleWorker left
        this test waiting 60 s on its channel at every run: jobs/worker.py)."""

    InProcessWorker([Queue(QUEUE_NAME, connection=client)], connection=client).work(burst=True)

    link = mailbox.link_in(mailbox.wait_for(1)[0])
    reset = Browser(app.test_client()).submit(
        link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert reset.status_code == 302
    assert log_in(app.test_client(), "ada@example.com", NEW_PASSWORD).status_code == 302


def test_mail_is_written_in_the_readers_language(mail_app, mailbox):
    """A sign-up mail in the language of the page that asked for it; a mail to someone who has
    an account (the reminder, a password reset) in that person's language, whoever asked."""
    app = mail_app()
    german = {"Accept-Language": "de-DE,de;q=0.9"}
    french = {"Accept-Language": "fr-FR"}
    with app.extensions["finance_tracker"].database.session() as session:
        users.register(session, "ada@example.com", PASSWORD, locale="es_ES")

    Browser(app.test_client()).submit("/register", {"email": "bob@example.com"}, headers=german)
    sign_up = mailbox.wait_for(1)[0]
    assert sign_up["Subject"] == "Schließen Sie die Registrierung ab"
    body = sign_up.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.startswith("Hallo,") and "Stunden" in body

    # Ada chose Spanish; a French browser asks on her behalf.
    Browser(app.test_client()).submit("/register", {"email": "ada@example.com"}, headers=french)
    reminder = mailbox.wait_for(2)[1]
    assert reminder["Subject"] == "Ya tienes una cuenta"
    Browser(app.test_client()).submit(
        "/forgot-password", {"email": "ada@example.com"}, headers=french
    )
    reset = mailbox.wait_for(3)[2]
    assert reset["To"] == "ada@example.com"
    assert reset["Subject"] == "Restablece tu contraseña"
    assert "contraseña" in reset.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    # Signing up from the German mail: the new person's locale is their browser's, preselected.
    link = mailbox.link_in(sign_up)
    client = app.test_client()
    form = client.get(link, headers=german).get_data(as_text=True)
    assert re.search(r'<option selected value="de_DE"|<option value="de_DE" selected', form), form
    done = Browser(client).submit(
        link, {"password": PASSWORD, "confirm": PASSWORD, "default_currency": "EUR",
               "locale": "de_DE"}, headers=german,
    )  # fmt: skip
    assert done.status_code == 302
    with app.extensions["finance_tracker"].database.session() as session:
        bob = users.find_by_email(session, "bob@example.com")
        assert bob is not None and (bob.locale, users.language_for(bob)) == ("de_DE", "de")
