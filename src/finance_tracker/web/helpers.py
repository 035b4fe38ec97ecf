"""What every page needs: the signed-in user, a unit of work, form errors. Formatting amounts and
dates for the reader is web/i18n.py."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Flask, Response, current_app, g, request, session, url_for
from flask_login import UserMixin, current_user, login_required
from werkzeug.exceptions import Conflict as PageConflict
from werkzeug.exceptions import NotFound as PageNotFound
from wtforms import Form

from finance_tracker.api.session import unit_of_work
from finance_tracker.domain.money import format_plain
from finance_tracker.services import users
from finance_tracker.services.errors import Conflict, InvalidInput, NotFound
from finance_tracker.store.models import User
from finance_tracker.web import i18n
from finance_tracker.web.i18n import localize

file_size = i18n.file_size  # a size as people read it, in their locale: 12 KB, 3,4 MB


@dataclass
class SignedInUser(UserMixin):
    """A plain copy of the user row, safe to keep after the database session closes."""

    id: int
    email: str
    default_currency: str
    locale: str
    language: str | None

    @classmethod
    def of(cls, user: User) -> SignedInUser:
        return cls(user.id, user.email, user.default_currency, user.locale, user.language)


def load_user(user_id: str) -> SignedInUser | None:
    if not user_id.isdigit():
        return None
    with unit_of_work(readonly=True) as db:  # first thing in a view's own unit of work, too
        user = users.get(db, int(user_id))
        if user is None or session.get("credentials") != users.credentials_fingerprint(user):
            return None  # gone, or the password changed since this session logged in
        g.user_id = user.id
        return SignedInUser.of(user)


def chart_amount(minor: int | None, currency: str) -> str | None:
    """An amount as static/charts.js takes it ("12.30"); a converted figure whose rate is
    missing is null, a gap in the chart."""
    return None if minor is None else format_plain(minor, currency)


def user_id() -> int:
    return int(current_user.id)


def apply_errors(form: Form, error: InvalidInput) -> None:
    """Show service errors beside the form fields they belong to (or at the top), in the
    reader's language."""
    for field_name, text in error.errors.items():
        message = localize(text)
        field = getattr(form, field_name.split(".")[0], None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            form.form_errors.append(message)


def private_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint whose every page needs a signed-in user, so a new route cannot forget it.

    A service's NotFound (which is also what another user's ids look like) becomes a plain 404,
    a Conflict a 409 page, and pages are never cached: they hold someone's finances.
    """
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix)
    blueprint.before_request(login_required(lambda: None))

    @blueprint.errorhandler(NotFound)
    def _not_found(error: NotFound):  # type: ignore[no-untyped-def]
        return current_app.handle_http_exception(PageNotFound())

    @blueprint.errorhandler(Conflict)
    def _conflict(error: Conflict):  # type: ignore[no-untyped-def]
        """A safety net: pages that expect a conflict flash it and redirect instead."""
        return current_app.handle_http_exception(PageConflict(message_of(error)))

    @blueprint.after_request
    def _no_store(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    return blueprint


FORM_OVERHEAD_BYTES = 64 * 1024  # the CSRF token and other fields around an uploaded file


def accept_uploads(blueprint: Blueprint, limits: dict[str, str]) -> None:
    """Let some endpoints take a file as large as a setting allows (plus the form around it)
    instead of the app-wide MAX_CONTENT_LENGTH. `limits`: endpoint -> a `Settings` attribute.

    A URL value preprocessor rather than a before_request: the app's own before_request
    functions run first, and CSRFProtect's reads the form, under the app-wide limit, before a
    blueprint's would run. A body over the limit raises RequestEntityTooLarge (413)."""

    @blueprint.url_value_preprocessor
    def _upload_limit(endpoint: str | None, values: dict | None) -> None:
        setting = limits.get(endpoint or "")
        if setting is not None:
            request.max_content_length = upload_limit(setting) + FORM_OVERHEAD_BYTES


def upload_limit(setting: str) -> int:
    return int(getattr(current_app.extensions["finance_tracker"].settings, setting))


def optional_int(value: object) -> int | None:
    """Coerce a select's value: '' means none chosen; anything else must be a whole number."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError("not a valid choice")
    return int(text)


def url_with(**changes: object) -> str:
    """This page's URL with some query arguments changed: sort and page links keep the filters."""
    # url_for reads "_external", "_scheme"... as options: never take those from the query string.
    args: dict[str, object] = {
        k: v for k, v in request.args.items() if v != "" and not k.startswith("_")
    }
    for key, value in changes.items():
        if value in (None, ""):
            args.pop(key, None)
        else:
            args[key] = str(value)
    assert request.endpoint is not None
    return url_for(request.endpoint, **{**args, **(request.view_args or {})})


def message_of(error: Exception) -> str:
    """A service error's message in the reader's language (`str(error)` would lose its Text)."""
    return localize(error.args[0]) if error.args else ""


def install(app: Flask) -> None:
    from finance_tracker.web import downloads
    from finance_tracker.web.forms import ACCOUNT_TYPE_LABELS, KIND_LABELS

    i18n.install(app)
    app.jinja_env.filters["plain_money"] = format_plain
    app.jinja_env.globals["ACCOUNT_TYPES"] = ACCOUNT_TYPE_LABELS
    app.jinja_env.globals["KINDS"] = KIND_LABELS
    app.jinja_env.globals["csv_example"] = downloads.example
    app.jinja_env.globals["app_name"] = "Finance Tracker"
    app.jinja_env.globals["url_with"] = url_with
