"""Passwords: change yours (Settings), or reset a forgotten one through an emailed link.

"Forgot password" answers the same whether or not the address has an account; asking again
replaces the earlier link (only the newest works, see `email_links`). A reset does not
sign anybody in (two-factor still applies at the next login), and any change of password signs
out every other session of that user (`helpers.load_user` compares a fingerprint).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from finance_tracker.jobs import mail as mail_jobs
from finance_tracker.services import audit, email_links, users
from finance_tracker.services.errors import InvalidInput
from finance_tracker.web.auth import client_ip
from finance_tracker.web.helpers import apply_errors, unit_of_work, user_id
from finance_tracker.web.security import limiter
from finance_tracker.web.signup import (
    MAILS_PER_ADDRESS,
    EmailForm,
    NewPasswordFields,
    address_key,
    public_link,
)

blueprint = Blueprint("passwords", __name__)


class ChangePasswordForm(NewPasswordFields):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1024)]
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=users.MIN_PASSWORD_LENGTH, max=1024)],
    )


def _settings():  # type: ignore[no-untyped-def]
    return current_app.extensions["finance_tracker"].settings


def _requests_per_ip() -> str:
    return f"{_settings().registrations_per_ip} per hour"


@blueprint.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_requests_per_ip, methods=["POST"], key_func=client_ip, scope="forgot")
@limiter.limit(MAILS_PER_ADDRESS, methods=["POST"], key_func=address_key, scope="forgot-address")
def forgot():  # type: ignore[no-untyped-def]
    if not _settings().sends_mail:
        return render_template("auth/forgot_without_mail.html")
    form = EmailForm()
    if form.validate_on_submit():
        email = users.normalise_email(form.email.data)
        state = current_app.extensions["finance_tracker"]
        # Whether the address has an account is found out in the job, never here.
        mail_jobs.enqueue_password_reset(
            state.redis, state.settings, state.database, current_app.config["SECRET_KEY"],
            email, client_ip(), public_link("passwords.reset", token=mail_jobs.TOKEN_SLOT),
        )  # fmt: skip
        return render_template(
            "auth/check_inbox.html", email=email, purpose="reset",
            minutes=email_links.RESET_MINUTES,
        )  # fmt: skip
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@blueprint.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_requests_per_ip, methods=["POST"], key_func=client_ip, scope="forgot")
def reset(token: str):  # type: ignore[no-untyped-def]
    form = NewPasswordFields()
    changed = False
    with unit_of_work() as db:
        user = email_links.user_of_reset(db, current_app.config["SECRET_KEY"], token)
        if user is None:
            page = render_template(
                "auth/link_not_valid.html", again=url_for(".forgot"), replaceable=True
            )
            return page, 400
        if form.validate_on_submit():
            try:
                users.set_password(db, user, form.password.data)
            except InvalidInput as error:
                apply_errors(form, error)
            else:
                email_links.revoke_reset_links(user)  # used (the new hash ends it as well)
                audit.record(db, audit.PASSWORD_RESET, user.id, ip=client_ip())
                changed = True
    if changed:
        flash(_("Your password is changed. Log in with it."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 422 if form.errors else 200


@blueprint.route("/settings/password", methods=["GET", "POST"])
@login_required
def change():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as db:
                user = users.get(db, user_id())
                users.change_password(db, user, form.current_password.data, form.password.data)
                audit.record(db, audit.PASSWORD_CHANGED, user.id, ip=client_ip())
                session["credentials"] = users.credentials_fingerprint(user)  # stay signed in
        except InvalidInput as error:
            if "new_password" in error.errors:
                error.errors["password"] = error.errors.pop("new_password")
            apply_errors(form, error)
        else:
            flash(_("Your password is changed; other sessions are signed out."), "success")
            return redirect(url_for("settings.index"))
    return render_template("settings/password.html", form=form), 422 if form.errors else 200
