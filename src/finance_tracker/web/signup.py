"""Sign up, as the server's REGISTRATION setting allows (`settings.Registration`).

`email`: the form asks for an address only and always answers "check your inbox"; the address
gets a link to finish (or, when it already has an account, a note saying so), so the page never
tells a stranger whether an address is known. `open` signs people up at once and has to say when
an address is taken: for private networks and demos. `first-user` is open until the first account
exists; after that, as with `closed`, accounts come from `finance-tracker users create`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from finance_tracker import mail
from finance_tracker.domain.locales import DEFAULT_LOCALE
from finance_tracker.domain.money import known_currencies
from finance_tracker.domain.text import N_
from finance_tracker.jobs import mail as mail_jobs
from finance_tracker.ops import metrics
from finance_tracker.services import audit, email_links, users
from finance_tracker.services.errors import InvalidInput
from finance_tracker.settings import Registration
from finance_tracker.web import i18n
from finance_tracker.web.auth import client_ip, sign_in
from finance_tracker.web.helpers import apply_errors, unit_of_work
from finance_tracker.web.security import limiter

blueprint = Blueprint("signup", __name__)

COMMON_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN"]
MAILS_PER_ADDRESS = "3 per hour"  # nobody's inbox is flooded through our forms


def currency_choices() -> list[SelectChoice]:
    others = sorted(known_currencies() - set(COMMON_CURRENCIES))
    return [SelectChoice(c) for c in COMMON_CURRENCIES + others]


class NewPasswordFields(FlaskForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=users.MIN_PASSWORD_LENGTH, max=1024)],
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", _l("passwords differ"))],
    )


class NewProfileFields(NewPasswordFields):
    """What a new person chooses besides the password: the main currency, and the locale of
    amounts and dates, offered as their browser's languages suggest."""

    default_currency = SelectField(_l("Main currency"), default="EUR")
    locale = SelectField(_l("Numbers and dates"), default=DEFAULT_LOCALE)

    def offer_choices(self) -> None:
        self.default_currency.choices = currency_choices()
        self.locale.choices = i18n.locale_choices()
        if not self.is_submitted():
            self.locale.data = i18n.number_locale()


class RegisterForm(NewProfileFields):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class EmailForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class FinishSignUpForm(NewProfileFields):
    pass


def _state():  # type: ignore[no-untyped-def]
    return current_app.extensions["finance_tracker"]


def _mode() -> Registration:
    return _state().settings.registration_mode


def address_key() -> str:
    return "mail-to:" + users.normalise_email(request.form.get("email", ""))[:254]


def _registrations() -> str:
    return f"{_state().settings.registrations_per_ip} per hour"


@blueprint.app_template_global()
def sign_up_available() -> bool:
    """Asked by the page and by its header: one look at the database per request."""
    if "sign_up_available" not in g:
        mode = _mode()
        if mode is Registration.first_user:
            with unit_of_work() as db:
                g.sign_up_available = not users.has_any(db)
        else:
            g.sign_up_available = mode is not Registration.closed
    return bool(g.sign_up_available)


def public_link(endpoint: str, **values: Any) -> str:
    """An absolute link for an email, on PUBLIC_URL: never on the Host header of this request."""
    return _state().settings.public_url + url_for(endpoint, **values)


def send_mail(
    to: str, template: str, subject: str, language: str | None = None, **context: object
) -> None:
    """A mail in `language`, else in the language of this page (`subject` marked with N_)."""
    language = language or i18n.page_language()
    body = mail.render(template, language, **context)
    heading = mail.subject(language, subject)
    mail_jobs.enqueue(_state().redis, _state().settings, to, heading, body)


@blueprint.route("/register", methods=["GET", "POST"])
@limiter.limit(_registrations, methods=["POST"], key_func=client_ip, scope="register")
@limiter.limit(
    MAILS_PER_ADDRESS, methods=["POST"], key_func=address_key, scope="register-address",
    exempt_when=lambda: _mode() is not Registration.email,
)  # fmt: skip
def register():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    if not sign_up_available():
        page = render_template("auth/sign_up_closed.html", mode=_mode().value)
        return page, 403 if request.method == "POST" else 200
    if _mode() is Registration.email:
        return _ask_for_the_address()
    form = RegisterForm()
    form.offer_choices()
    if form.validate_on_submit():
        try:
            with unit_of_work() as db:
                user = users.register(
                    db, form.email.data, form.password.data, form.default_currency.data,
                    form.locale.data or DEFAULT_LOCALE,
                )  # fmt: skip
                audit.record(db, audit.REGISTER, user.id, ip=client_ip())
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            return _welcome(user)
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


def _ask_for_the_address():  # type: ignore[no-untyped-def]
    form = EmailForm()
    if form.validate_on_submit():
        email = users.normalise_email(form.email.data)
        if users.EMAIL.match(email):
            with unit_of_work() as db:
                owner = users.find_by_email(db, email)
                # The owner reads their own language, whoever's browser asked.
                language = users.language_for(owner) if owner is not None else None
            if owner is not None:
                send_mail(
                    email, "already_registered", N_("You already have an account"), language,
                    login=public_link("auth.login"),
                    reset=public_link("passwords.forgot"),
                )  # fmt: skip
            else:
                token = email_links.sign_up_token(current_app.config["SECRET_KEY"], email)
                send_mail(
                    email, "sign_up", N_("Finish creating your account"),
                    link=public_link("signup.finish", token=token),
                    hours=email_links.SIGN_UP_HOURS,
                )  # fmt: skip
            return render_template(
                "auth/check_inbox.html", email=email, hours=email_links.SIGN_UP_HOURS,
                purpose="sign-up",
            )  # fmt: skip
        form.email.errors = [*form.email.errors, _("enter a valid email address")]
    status = 422 if form.errors else 200
    return render_template("auth/register_by_email.html", form=form), status


@blueprint.route("/register/<token>", methods=["GET", "POST"])
@limiter.limit(_registrations, methods=["POST"], key_func=client_ip, scope="register")
def finish(token: str):  # type: ignore[no-untyped-def]
    email = email_links.email_of_sign_up(current_app.config["SECRET_KEY"], token)
    if email is None or _mode() is not Registration.email:
        return render_template("auth/link_not_valid.html", again=url_for(".register")), 400
    form = FinishSignUpForm()
    form.offer_choices()
    if form.validate_on_submit():
        try:
            with unit_of_work() as db:
                user = users.register(
                    db, email, form.password.data, form.default_currency.data,
                    form.locale.data or DEFAULT_LOCALE,
                )  # fmt: skip
                audit.record(db, audit.REGISTER, user.id, ip=client_ip(), detail="email verified")
        except InvalidInput as error:
            if "email" in error.errors:  # the link was used already
                flash(_("This address has an account already: log in."), "info")
                return redirect(url_for("auth.login"))
            apply_errors(form, error)
        else:
            return _welcome(user)
    page = render_template("auth/finish_sign_up.html", form=form, email=email)
    return page, 422 if form.errors else 200


def _welcome(user):  # type: ignore[no-untyped-def]
    metrics.USERS_REGISTERED.inc()
    sign_in(user)
    flash(_("Welcome! Start by adding an account."), "success")
    return redirect(url_for("accounts.new"))
