"""Log in (with optional TOTP second step), log out. Signing up is `web.signup`.

Failed logins are throttled per account (then locked for a while) and per IP with Flask-Limiter;
only failures count, so people who type their password right are never slowed down. Messages
never say whether an email has an account. Login starts a fresh session (no fixation) that ends
after an idle time and after an absolute time (`web.security`).
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from finance_tracker.domain.text import N_
from finance_tracker.ops import metrics
from finance_tracker.services import audit, two_factor, users
from finance_tracker.web.helpers import SignedInUser, unit_of_work
from finance_tracker.web.security import limiter

blueprint = Blueprint("auth", __name__)

WRONG = N_("Email or password is wrong.")
PENDING_2FA_SECONDS = 300  # between a right password and its second factor


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=40)],
    )


def _settings():  # type: ignore[no-untyped-def]
    return current_app.extensions["finance_tracker"].settings


def client_ip() -> str:
    return request.remote_addr or "unknown"


def _failed(response) -> bool:  # type: ignore[no-untyped-def]
    """Only a refused attempt counts against the limits (a redirect is a success). An answer
    of ours that is not about the credentials (the database down: 503) refuses nobody: an
    outage must not lock people out once it is over."""
    return response.status_code not in (301, 302, 303) and response.status_code < 500


def _account_key() -> str:
    return "login-account:" + users.normalise_email(request.form.get("email", ""))[:254]


def _second_factor_key() -> str:
    return f"login-2fa:{session.get('pending_user_id', 'none')}"


def _per_account() -> str:
    return f"{_settings().login_failures_per_account} per 15 minutes"


def _per_ip() -> str:
    return f"{_settings().login_failures_per_ip} per 15 minutes"


def _locked(limit) -> None:  # type: ignore[no-untyped-def]
    """Record the lockout (for any email, known or not: the response is the same)."""
    with unit_of_work() as db:
        user = users.find_by_email(db, request.form.get("email", ""))
        audit.record(
            db, audit.LOGIN_LOCKED, user.id if user else None, ip=client_ip(),
            detail=f"limit {limit.limit}",
        )  # fmt: skip


def safe_next(target: str | None) -> str:
    """Only a path on this site: `next=https://evil.example` must not become a redirect."""
    if not target:
        return url_for("dashboard.index")
    target = target.strip()
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return url_for("dashboard.index")
    return target


def sign_in(user) -> None:  # type: ignore[no-untyped-def]
    if hasattr(session, "sid"):  # Flask-Session: throw the old id away, not only its data
        session["rotate"] = True  # regenerate() skips an empty session
        current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]
    session.clear()  # a fresh session on login: no fixation
    login_user(SignedInUser.of(user))
    session["credentials"] = users.credentials_fingerprint(user)  # see helpers.load_user
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _per_ip, methods=["POST"], key_func=client_ip, deduct_when=_failed, scope="login-ip",
    error_message=N_("Too many failed logins from here; try again later."),
)  # fmt: skip
@limiter.limit(
    _per_account, methods=["POST"], key_func=_account_key, deduct_when=_failed,
    scope="login-account", on_breach=_locked,
    error_message=N_("Too many failed logins for this account; try again in 15 minutes."),
)  # fmt: skip
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        with unit_of_work() as db:
            user = users.authenticate(db, form.email.data, form.password.data)
            if user is not None and two_factor.enabled(user):
                pending = user.id
            elif user is not None:
                pending = None
                audit.record(db, audit.LOGIN, user.id, ip=client_ip())
            else:
                known = users.find_by_email(db, form.email.data)
                audit.record(
                    db, audit.LOGIN_FAILED, known.id if known else None, ip=client_ip(),
                    detail=None if known else "unknown email",
                )  # fmt: skip
        if user is not None and pending is not None:
            session.clear()
            session["pending_user_id"] = pending
            session["pending_at"] = int(time.time())
            session["pending_next"] = safe_next(request.args.get("next"))
            return redirect(url_for("auth.second_factor"))
        if user is not None:
            metrics.LOGINS.labels("success").inc()
            sign_in(user)
            return redirect(safe_next(request.args.get("next")))
        metrics.LOGINS.labels("failure").inc()
        form.form_errors.append(_(WRONG))
    return render_template(
        "auth/login.html", form=form
    ), 422 if form.errors or form.form_errors else 200


@blueprint.route("/login/2fa", methods=["GET", "POST"])
@limiter.limit(
    _per_account, methods=["POST"], key_func=_second_factor_key, deduct_when=_failed,
    scope="login-2fa", error_message=N_("Too many wrong codes; try again in 15 minutes."),
)  # fmt: skip
def second_factor():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    pending = session.get("pending_user_id")
    started = int(session.get("pending_at", 0))
    if pending is None or time.time() - started > PENDING_2FA_SECONDS:
        for key in ("pending_user_id", "pending_at", "pending_next"):
            session.pop(key, None)
        flash(_("Log in again."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        with unit_of_work() as db:
            user = users.get(db, int(pending))
            how = two_factor.verify(db, user, form.code.data or "") if user else None
            if user is not None and how is not None:
                event = audit.RECOVERY_CODE_USED if how == "recovery" else audit.LOGIN
                audit.record(db, event, user.id, ip=client_ip(), detail=f"2fa {how}")
            elif user is not None:
                audit.record(db, audit.LOGIN_FAILED, user.id, ip=client_ip(), detail="2fa")
        if user is not None and how is not None:
            target = session.get("pending_next") or url_for("dashboard.index")
            metrics.LOGINS.labels("success").inc()
            sign_in(user)
            if how == "recovery":
                flash(_("You used a recovery code; it will not work again."), "info")
            return redirect(safe_next(target))
        metrics.LOGINS.labels("failure").inc()
        form.form_errors.append(_("That code is wrong or has expired."))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/second_factor.html", form=form), status


@blueprint.post("/logout")
@login_required
def logout():  # type: ignore[no-untyped-def]
    with unit_of_work() as db:
        audit.record(db, audit.LOGOUT, int(current_user.id), ip=client_ip())
    logout_user()
    session.clear()  # server-side (Redis) sessions: an empty session is deleted from the store
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
