"""Exchange rates: the home currency, rates entered by hand, the ECB's files uploaded, and the
rates cross-currency transfers made."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField
from wtforms.validators import Length, Optional

from finance_tracker.services import rates, users
from finance_tracker.services.errors import InvalidInput
from finance_tracker.web.forms import PageForm
from finance_tracker.web.helpers import apply_errors, private_blueprint, unit_of_work, user_id
from finance_tracker.web.locale_fields import AmountField, LocaleDateField
from finance_tracker.web.signup import currency_choices

blueprint = private_blueprint("rates", __name__, "/rates")


class HomeCurrencyForm(PageForm):
    home_currency = SelectField(_l("Home currency"))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, prefix="home", **kwargs)
        self.home_currency.choices = currency_choices()


class RateForm(PageForm):
    base = SelectField(_l("1 unit of"))
    quote = SelectField(_l("buys, in"))
    rate = AmountField(_l("Rate"), validators=[Length(max=40)])
    day = LocaleDateField(_l("On"), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, prefix="rate", **kwargs)
        self.base.choices = self.quote.choices = currency_choices()


class FetchEcbForm(PageForm):
    fetch = BooleanField(_l("Fetch the ECB's rates for me every working day"))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, prefix="fetch", **kwargs)


def server_fetches_ecb() -> bool:
    return bool(current_app.extensions["finance_tracker"].settings.ecb_rates_fetch)


class EcbForm(PageForm):
    file = FileField(_l("ECB reference rates (eurofxref.csv, eurofxref-hist.csv or their zip)"))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, prefix="ecb", **kwargs)


def _page(
    home_form: HomeCurrencyForm | None = None,
    rate_form: RateForm | None = None,
    ecb_form: EcbForm | None = None,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    currency = (request.args.get("currency") or "").strip().upper() or None
    page = request.args.get("page", "1")
    with unit_of_work() as session:
        home = users.home_currency(session, user_id())
        if home_form is None:
            home_form = HomeCurrencyForm(formdata=None, home_currency=home)
        if rate_form is None:
            rate_form = RateForm(formdata=None, base="EUR", quote=home if home != "EUR" else "USD")
        try:
            stored = rates.list_stored(
                session, user_id(), currency, int(page) if page.isdigit() else 1
            )
        except InvalidInput:
            currency = None
            stored = rates.list_stored(session, user_id())
        fetch_form = None
        if server_fetches_ecb():
            user = users.get(session, user_id())
            assert user is not None
            fetch_form = FetchEcbForm(formdata=None, fetch=user.fetch_ecb_rates)
        html = render_template(
            "rates/index.html",
            home=home,
            fetch_form=fetch_form,
            home_form=home_form,
            rate_form=rate_form,
            ecb_form=ecb_form or EcbForm(formdata=None),
            stored=stored,
            learnt=rates.learnt(session, user_id()),
            currency=currency,
        )
    return html, status


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    return _page()


@blueprint.post("/home")
def set_home():  # type: ignore[no-untyped-def]
    form = HomeCurrencyForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as session:
                user = users.get(session, user_id())
                assert user is not None
                users.set_home_currency(session, user, form.home_currency.data or "")
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(
                _("Home currency set to %(currency)s.", currency=form.home_currency.data), "success"
            )
            return redirect(url_for(".index"))
    return _page(home_form=form, status=422)


@blueprint.post("/")
def add():  # type: ignore[no-untyped-def]
    form = RateForm()
    if form.validate_on_submit():
        data = rates.RateInput(
            form.base.data or "", form.quote.data or "", form.day.data, form.rate.data or ""
        )
        try:
            with unit_of_work() as session:
                rates.add(session, user_id(), data)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Rate saved."), "success")
            return redirect(url_for(".index"))
    return _page(rate_form=form, status=422)


@blueprint.post("/ecb")
def upload_ecb():  # type: ignore[no-untyped-def]
    form = EcbForm()
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = [_("Choose a file first.")]
        else:
            try:
                with unit_of_work() as session:
                    result = rates.import_ecb(session, user_id(), upload.read())
            except InvalidInput as error:
                apply_errors(form, error)
            else:
                flash(
                    ngettext(
                        "%(num)s rate read for %(days)s day.",
                        "%(num)s rates read for %(days)s days.",
                        result.rates,
                        days=result.days,
                    ),
                    "success",
                )
                return redirect(url_for(".index"))
    return _page(ecb_form=form, status=422)


@blueprint.post("/ecb/fetch")
def fetch_ecb():  # type: ignore[no-untyped-def]
    """The person's choice, kept as the API's PATCH /api/v1/me keeps it: it takes effect where
    the server fetches the rates (the page offers it only there)."""
    form = FetchEcbForm()
    if form.validate_on_submit():
        with unit_of_work() as session:
            user = users.get(session, user_id())
            assert user is not None
            rates.set_fetch_ecb(session, user, bool(form.fetch.data))
        if form.fetch.data:
            flash(_("The ECB's rates will be fetched for you: the days you lack arrive with the "
                    "next scheduled run."), "success")  # fmt: skip
        else:
            flash(_("The ECB's rates will no longer be fetched for you."), "success")
    return redirect(url_for(".index"))


@blueprint.post("/<int:rate_id>/delete")
def delete(rate_id: int):  # type: ignore[no-untyped-def]
    form = PageForm()
    if form.validate_on_submit():
        with unit_of_work() as session:
            rates.delete_rate(session, user_id(), rate_id)
        flash(_("Rate deleted."), "success")
    return redirect(url_for(".index"))
