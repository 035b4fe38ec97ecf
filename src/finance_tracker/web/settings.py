"""Settings: the profile (the language and the locale of amounts and dates), two-factor auth,
personal API tokens (scoped, expiring, shown once, revoked), recent security events, and a full
backup to download or to restore into an empty profile."""

from __future__ import annotations

import datetime as dt
import json

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from finance_tracker.domain.locales import LANGUAGES, language_of
from finance_tracker.domain.text import Text
from finance_tracker.ops import metrics
from finance_tracker.services import accounts, audit, exports, tokens, two_factor, users
from finance_tracker.services.errors import Conflict, InvalidInput
from finance_tracker.store.models import utcnow
from finance_tracker.web import i18n
from finance_tracker.web.forms import PageForm, RestoreForm, TokenForm
from finance_tracker.web.helpers import (
    accept_uploads,
    apply_errors,
    file_size,
    localize,
    message_of,
    private_blueprint,
    unit_of_work,
    upload_limit,
    user_id,
)

blueprint = private_blueprint("settings", __name__, "/settings")
# A backup is as large as a history: allow what a bank file may be.
accept_uploads(blueprint, {"settings.restore": "import_max_bytes"})


EVENTS = {
    audit.LOGIN: _l("logged in"),
    audit.LOGIN_FAILED: _l("login failed"),
    audit.LOGIN_LOCKED: _l("logins locked after failures"),
    audit.LOGOUT: _l("logged out"),
    audit.REGISTER: _l("registered"),
    audit.PASSWORD_CHANGED: _l("password changed"),
    audit.PASSWORD_RESET_REQUESTED: _l("password reset asked for"),
    audit.PASSWORD_RESET: _l("password reset"),
    audit.TOKEN_CREATED: _l("API token created"),
    audit.TOKEN_REVOKED: _l("API token revoked"),
    audit.TWO_FACTOR_ENABLED: _l("two-factor authentication turned on"),
    audit.TWO_FACTOR_DISABLED: _l("two-factor authentication turned off"),
    audit.RECOVERY_CODE_USED: _l("recovery code used"),
    audit.EXPORT: _l("export"),
    audit.RESTORE: _l("backup restored"),
}
SCOPES = {"read": _l("read only"), "read-write": _l("read and write")}


class LocaleForm(PageForm):
    """How amounts and dates are written, and the language of the pages."""

    locale = SelectField(_l("Numbers and dates"), validate_choice=False)
    language = SelectField(_l("Language"), validate_choice=False)

    def offer_choices(self) -> None:
        self.locale.choices = i18n.locale_choices()
        self.language.choices = [
            SelectChoice("", _("As the numbers and dates: %(language)s",
                               language=i18n.LANGUAGE_NAMES[language_of(self.locale.data or "")])),
            *(SelectChoice(code, i18n.LANGUAGE_NAMES[code]) for code in LANGUAGES),
        ]  # fmt: skip


def _page(  # type: ignore[no-untyped-def]
    form: TokenForm, status: int = 200, new_token: str | None = None,
    restore_form: RestoreForm | None = None, two_factor_setup: dict | None = None,
    recovery_codes: list[str] | None = None, two_factor_error: str | None = None,
    locale_form: LocaleForm | None = None,
):  # fmt: skip
    with unit_of_work() as db:
        user = users.get(db, user_id())
        assert user is not None  # signed in: the row exists
        if locale_form is None:
            locale_form = LocaleForm(formdata=None)
            locale_form.locale.data, locale_form.language.data = user.locale, user.language or ""
        locale_form.offer_choices()
        html = render_template(
            "settings/index.html",
            user=user,
            locale_form=locale_form,
            event_names=EVENTS,
            scope_names=SCOPES,
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


@blueprint.post("/locale")
def save_locale():  # type: ignore[no-untyped-def]
    form = LocaleForm()
    try:
        with unit_of_work() as db:
            user = users.get(db, user_id())
            assert user is not None
            users.set_locale(db, user, form.locale.data or "", form.language.data or None)
            language = users.language_for(user)
    except InvalidInput as error:
        apply_errors(form, error)
        return _page(TokenForm(formdata=None), 422, locale_form=form)
    with force_locale(language):  # said in the language just chosen
        flash(_("Your language and formats are saved."), "success")
    return redirect(url_for(".index"))


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
    flash(_("Token revoked; programs using it can no longer sign in."), "success")
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
            two_factor_error=localize(next(iter(error.errors.values()), _("wrong code"))),
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
            two_factor_error=localize(next(iter(error.errors.values()), _("wrong code"))),
        )  # fmt: skip
    flash(_("Two-factor authentication is off."), "success")
    return redirect(url_for(".index"))


@blueprint.post("/restore")
def restore():  # type: ignore[no-untyped-def]
    """Load a backup into a profile that has no accounts yet: all of it, or nothing."""
    form = RestoreForm()
    try:
        if form.file.data is None:
            raise InvalidInput(
                {"file": Text("choose a backup file (.json) made on this settings page")}
            )
        try:
            data = json.load(form.file.data.stream)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            raise InvalidInput({"file": Text("this is not a Finance Tracker backup")}) from None
        with unit_of_work() as session:
            restored = exports.restore(session, user_id(), data, ip=request.remote_addr)
    except InvalidInput as error:
        apply_errors(form, error)
        return _page(TokenForm(formdata=None), 422, restore_form=form)
    except Conflict as error:
        form.form_errors.append(_("Not restored: %(reason)s.", reason=message_of(error)))
        return _page(TokenForm(formdata=None), 409, restore_form=form)
    records = ngettext("%(num)s transaction record", "%(num)s transaction records", restored)
    flash(
        ngettext(
            "Backup restored: %(num)s account and %(records)s.",
            "Backup restored: %(num)s accounts and %(records)s.",
            len(data["accounts"]),
            records=records,
        ),
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
    form.file.errors = [
        _("the file is larger than %(limit)s, the most a backup may be", limit=limit)
    ]
    return _page(TokenForm(formdata=None), 413, restore_form=form)
