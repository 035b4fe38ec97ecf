"""Settings: the profile and personal API tokens (created, shown once, revoked)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from finance_tracker.ops import metrics
from finance_tracker.services import tokens, users
from finance_tracker.services.errors import InvalidInput
from finance_tracker.web.forms import TokenForm
from finance_tracker.web.helpers import apply_errors, private_blueprint, unit_of_work, user_id

blueprint = private_blueprint("settings", __name__, "/settings")


def _page(form: TokenForm, status: int = 200, new_token: str | None = None):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        html = render_template(
            "settings/index.html",
            user=users.get(session, user_id()),
            tokens=tokens.list_all(session, user_id()),
            form=form,
            new_token=new_token,
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
