"""Settings: the profile, two-factor auth, personal API tokens (scoped, expiring, shown once,
revoked), recent security events, and a full backup to download or to restore into an empty
profile."""

from __future__ import annotations

import datetime as dt
import json

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from finance_tracker.ops import metrics
from finance_tracker.services import accounts, audit, exports, tokens, two_factor, users
from finance_tracker.services.errors import Conflict, InvalidInput
from finance_tracker.store.models import utcnow
from finance_tracker.web.forms import RestoreForm, TokenForm
from finance_tracker.web.helpers import (
    accept_uploads,
    apply_errors,
    file_size,
    private_blueprint,
    unit_of_work,
    upload_limit,
    user_id,
)

blueprint = private_blueprint("settings", __name__, "/settings")
# A backup is as large as a history: allow what a bank file may be.
accept_uploads(blueprint, {"settings.restore": "import_max_bytes"})


def _page(  # type: ignore[no-untyped-def]
    form: TokenForm, status: int = 200, new_token: str | None = None,
    restore_form: RestoreForm | None = None, two_factor_setup: dict | None = None,
    recovery_codes: list[str] | None = None, two_factor_error: str | None = None,
):  # fmt: skip
    with unit_of_work() as db:
        user = users.get(db, user_id())
        assert user is not None  # signed in: the row exists
        html = render_template(
            "settings/index.html",
            user=user,
            two_factor_on=two_factor.enabled(user),
            recovery_codes_left=two_factor.recovery_codes_left(user),
            two_factor_setup=two_factor_setup,
            recovery_codes=recovery_codes,
            two_factor_error=two_factor_error,
            events=audit.recent(db, user_id()),
            now=utcnow(),
            tokens=tokens.list_all(db, user_id()),
            form=form,
            new_token=new_token,
            can_restore=not accounts.list_with_balances(db, user_id()),
            restore_form=restore_form or RestoreForm(formdata=None),
            restore_limit=upload_limit("import_max_bytes"),
        )
    return html, status


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    return _page(TokenForm(formdata=None))


@blueprint.post("/tokens")
def create_token():  # type: ignore[no-untyped-def]
    """The plaintext exists only in this response: never in the session, a URL or a log."""
    form = TokenForm()
    if form.validate_on_submit():
        try:
            days = form.expires_in_days.data
            with unit_of_work() as db:
                token, plaintext = tokens.create(
                    db, user_id(), form.name.data or "", form.scope.data or "",
                    int(days) if days and days.isdigit() else None,
                )  # fmt: skip
                audit.record(
                    db, audit.TOKEN_CREATED, user_id(), ip=request.remote_addr,
                    detail=f"{token.prefix}… {token.scope}",
                )  # fmt: skip
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            metrics.API_TOKENS_CREATED.inc()
            return _page(TokenForm(formdata=None), 201, new_token=plaintext)
    return _page(form, 422)


@blueprint.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as db:
        tokens.revoke(db, user_id(), token_id)
        audit.record(
            db, audit.TOKEN_REVOKED, user_id(), ip=request.remote_addr, detail=f"id {token_id}"
        )
    flash("Token revoked; programs using it can no longer sign in.", "success")
    return redirect(url_for(".index"))


@blueprint.get("/backup")
def backup():  # type: ignore[no-untyped-def]
    """Everything of this person as one JSON file, which a restore turns back into the same."""
    with unit_of_work() as db:
        data = exports.backup(db, user_id(), ip=request.remote_addr)
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    name = f"finance-tracker-backup-{dt.date.today().isoformat()}.json"
    return body, 200, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
    }  # fmt: skip


SETUP_SECRET = "two_factor_setup_secret"  # noqa: S105 - a session key


@blueprint.post("/2fa/start")
def start_two_factor():  # type: ignore[no-untyped-def]
    """A new secret, kept in the (server-side or signed) session until a first code confirms it."""
    secret = two_factor.new_secret()
    session[SETUP_SECRET] = secret
    setup = {"secret": secret, "uri": two_factor.provisioning_uri(secret, current_user.email)}
    return _page(TokenForm(formdata=None), two_factor_setup=setup)


@blueprint.post("/2fa/confirm")
def confirm_two_factor():  # type: ignore[no-untyped-def]
    secret = session.get(SETUP_SECRET, "")
    try:
        with unit_of_work() as db:
            user = users.get(db, user_id())
            codes = two_factor.confirm(db, user, secret, request.form.get("code", "")[:40])
            audit.record(db, audit.TWO_FACTOR_ENABLED, user_id(), ip=request.remote_addr)
    except InvalidInput as error:
        setup = (
            {"secret": secret, "uri": two_factor.provisioning_uri(secret, current_user.email)}
            if secret
            else None
        )
        return _page(
            TokenForm(formdata=None), 422, two_factor_setup=setup,
            two_factor_error=next(iter(error.errors.values()), "wrong code"),
        )  # fmt: skip
    session.pop(SETUP_SECRET, None)
    return _page(TokenForm(formdata=None), 201, recovery_codes=codes)


@blueprint.post("/2fa/disable")
def disable_two_factor():  # type: ignore[no-untyped-def]
    try:
        with unit_of_work() as db:
            user = users.get(db, user_id())
            was_on = two_factor.enabled(user)
            two_factor.disable(db, user, request.form.get("code", "")[:40])
            if was_on:
                audit.record(db, audit.TWO_FACTOR_DISABLED, user_id(), ip=request.remote_addr)
    except InvalidInput as error:
        return _page(
            TokenForm(formdata=None), 422,
            two_factor_error=next(iter(error.errors.values()), "wrong code"),
        )  # fmt: skip
    flash("Two-factor authentication is off.", "success")
    return redirect(url_for(".index"))


@blueprint.post("/restore")
def restore():  # type: ignore[no-untyped-def]
    """Load a backup into a profile that has no accounts yet: all of it, or nothing."""
    form = RestoreForm()
    try:
        if form.file.data is None:
            raise InvalidInput({"file": "choose a backup file (.json) made on this settings page"})
        try:
            data = json.load(form.file.data.stream)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise InvalidInput({"file": "this is not a Finance Tracker backup"}) from None
        with unit_of_work() as session:
            restored = exports.restore(session, user_id(), data, ip=request.remote_addr)
    except InvalidInput as error:
        apply_errors(form, error)
        return _page(TokenForm(formdata=None), 422, restore_form=form)
    except Conflict as error:
        form.form_errors.append(f"Not restored: {error}.")
        return _page(TokenForm(formdata=None), 409, restore_form=form)
    accounts_restored = len(data["accounts"])
    flash(
        f"Backup restored: {accounts_restored} account{'s' if accounts_restored != 1 else ''} "
        f"and {restored} transaction record{'s' if restored != 1 else ''}.",
        "success",
    )
    return redirect(url_for(".index"))


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
    """Raised while the form is read, before any view or login check: say it on the form."""
    if request.endpoint != "settings.restore" or not current_user.is_authenticated:
        return render_template("errors/error.html", error=error), 413
    form = RestoreForm(formdata=None)
    limit = file_size(upload_limit("import_max_bytes"))
    form.file.errors = [f"the file is larger than {limit}, the most a backup may be"]
    return _page(TokenForm(formdata=None), 413, restore_form=form)
