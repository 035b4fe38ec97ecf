"""Settings: the profile, personal API tokens (created, shown once, revoked), and a full backup
to download or to restore into an empty profile."""

from __future__ import annotations

import datetime as dt
import json

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from finance_tracker.ops import metrics
from finance_tracker.services import accounts, exports, tokens, users
from finance_tracker.services.errors import Conflict, InvalidInput
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
    restore_form: RestoreForm | None = None,
):  # fmt: skip
    with unit_of_work() as session:
        html = render_template(
            "settings/index.html",
            user=users.get(session, user_id()),
            tokens=tokens.list_all(session, user_id()),
            form=form,
            new_token=new_token,
            can_restore=not accounts.list_with_balances(session, user_id()),
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
            with unit_of_work() as session:
                _, plaintext = tokens.create(session, user_id(), form.name.data or "")
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            metrics.API_TOKENS_CREATED.inc()
            return _page(TokenForm(formdata=None), 201, new_token=plaintext)
    return _page(form, 422)


@blueprint.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        tokens.revoke(session, user_id(), token_id)
    flash("Token revoked; programs using it can no longer sign in.", "success")
    return redirect(url_for(".index"))


@blueprint.get("/backup")
def backup():  # type: ignore[no-untyped-def]
    """Everything of this person as one JSON file, which a restore turns back into the same."""
    with unit_of_work() as session:
        data = exports.backup(session, user_id())
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    name = f"finance-tracker-backup-{dt.date.today().isoformat()}.json"
    return body, 200, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
    }  # fmt: skip


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
            restored = exports.restore(session, user_id(), data)
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
