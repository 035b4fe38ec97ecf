"""Register, log in, log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from finance_tracker.domain.money import known_currencies
from finance_tracker.ops import metrics
from finance_tracker.services import users
from finance_tracker.services.errors import InvalidInput
from finance_tracker.web.helpers import SignedInUser, apply_errors, unit_of_work

blueprint = Blueprint("auth", __name__)

COMMON_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN"]


def currency_choices() -> list[SelectChoice]:
    others = sorted(known_currencies() - set(COMMON_CURRENCIES))
    return [SelectChoice(c) for c in COMMON_CURRENCIES + others]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class RegisterForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=users.MIN_PASSWORD_LENGTH, max=1024)]
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "passwords differ")]
    )
    default_currency = SelectField("Main currency", default="EUR")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: `next=https://evil.example` must not become a redirect."""
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("dashboard.index")
    return target


def _sign_in(user) -> None:  # type: ignore[no-untyped-def]
    session.clear()  # a fresh session on login: no fixation
    login_user(SignedInUser(user.id, user.email, user.default_currency))


@blueprint.route("/register", methods=["GET", "POST"])
def register():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = RegisterForm()
    form.default_currency.choices = currency_choices()
    if form.validate_on_submit():
        try:
            with unit_of_work() as db:
                user = users.register(
                    db, form.email.data, form.password.data, form.default_currency.data
                )
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            metrics.USERS_REGISTERED.inc()
            _sign_in(user)
            flash("Welcome! Start by adding an account.", "success")
            return redirect(url_for("accounts.new"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@blueprint.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        with unit_of_work() as db:
            user = users.authenticate(db, form.email.data, form.password.data)
        if user is not None:
            metrics.LOGINS.labels("success").inc()
            _sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
        metrics.LOGINS.labels("failure").inc()
        form.form_errors.append("Email or password is wrong.")
    return render_template(
        "auth/login.html", form=form
    ), 422 if form.errors or form.form_errors else 200


@blueprint.post("/logout")
@login_required
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
