"""Rules that categorise: the ordered list, new, edit, delete, move up or down, and applying a
rule to existing transactions after a preview of what it would change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import Session

from finance_tracker.domain.money import format_plain
from finance_tracker.services import accounts, categories, rules
from finance_tracker.services.errors import InvalidInput
from finance_tracker.services.rules import RuleInput
from finance_tracker.web import choices
from finance_tracker.web.helpers import (
    apply_errors,
    localize,
    private_blueprint,
    unit_of_work,
    user_id,
)
from finance_tracker.web.planning_forms import RuleForm

if TYPE_CHECKING:
    from finance_tracker.services.transactions import TransactionInput
    from finance_tracker.store.models import Rule, Transaction

blueprint = private_blueprint("rules", __name__, "/rules")


def _bounds_currency(session: Session, rule: Rule) -> str:
    """Amount bounds are in the rule's account currency, else in the user's main currency."""
    if rule.account_id is not None:
        return accounts.get(session, user_id(), rule.account_id).currency
    return str(current_user.default_currency)


def input_of(session: Session, rule: Rule) -> RuleInput:
    """The input that would recreate `rule`, amounts as decimal strings."""
    currency = _bounds_currency(session, rule)

    def bound(minor: int | None) -> str | None:
        return None if minor is None else format_plain(minor, currency)

    return RuleInput(
        name=rule.name, pattern=rule.pattern, match_field=rule.match_field,
        match_type=rule.match_type, amount_min=bound(rule.amount_min_minor),
        amount_max=bound(rule.amount_max_minor), account_id=rule.account_id,
        set_category_id=rule.set_category_id,
        set_tags=[t for t in rule.set_tags.split(",") if t], set_payee=rule.set_payee,
        active=rule.active, position=rule.position,
    )  # fmt: skip


def _names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    account_names = {
        a.account.id: a.account.name for a in accounts.list_with_balances(session, user_id())
    }
    category_names = {c.id: c.full_name for c in categories.list_all(session, user_id())}
    return account_names, category_names


def what_rules_changed(entered: TransactionInput, saved: Transaction) -> str | None:
    """'Rule applied: …' when a rule filled in the category, tags or payee of a new transaction,
    by comparing what the person entered with what was saved (in the same unit of work)."""
    changes = []
    if entered.category_id is None and saved.category_id is not None and saved.category:
        changes.append(_("category set to %(category)s", category=saved.category.full_name))
    if saved.payee != (entered.payee or "").strip():
        changes.append(_("payee set to “%(payee)s”", payee=saved.payee))
    typed = {t.strip().lower() for t in entered.tags}
    added = [t.name for t in saved.tags if t.name not in typed]
    if added:
        changes.append(_("tags added: %(tags)s", tags=", ".join(added)))
    return _("Rule applied: %(changes)s.", changes="; ".join(changes)) if changes else None


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        rows = rules.list_all(session, user_id())
        account_names, category_names = _names(session)
        return render_template(
            "rules/index.html",
            rows=rows,
            currencies={r.id: _bounds_currency(session, r) for r in rows},
            account_names=account_names,
            category_names=category_names,
        )


def _render_form(form: RuleForm, rule_id: int | None, status: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        form.account_id.choices = choices.account_choices(session, user_id(), _("Any account"))
        form.set_category_id.choices = choices.category_choices(
            session, user_id(), _("Leave the category")
        )
        html = render_template("rules/form.html", form=form, rule_id=rule_id)
    return html, status


def _submit(form: RuleForm, rule_id: int | None):  # type: ignore[no-untyped-def]
    if form.validate_on_submit():
        try:
            with unit_of_work() as session:
                if rule_id is None:
                    rule = rules.create(session, user_id(), form.to_input())
                else:
                    rule = rules.update(session, user_id(), rule_id, form.to_input())
                saved_id = rule.id
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(
                _("Rule saved.")
                if rule_id
                else _(
                    "Rule added. It applies to new transactions; "
                    "“Apply to existing” updates those you already have."
                ),
                "success",
            )
            if "save_and_preview" in request.form:
                return redirect(url_for(".preview", rule_id=saved_id))
            return redirect(url_for(".index"))
    return _render_form(form, rule_id, 422)


@blueprint.route("/new", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    form = RuleForm()
    if request.method == "POST":
        return _submit(form, None)
    payee = request.args.get("payee", "").strip()[:200]  # "make a rule for this payee"
    if payee:
        form.pattern.data, form.name.data = payee, payee
    return _render_form(form, None, 200)


@blueprint.route("/<int:rule_id>/edit", methods=["GET", "POST"])
def edit(rule_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        current = input_of(session, rules.get(session, user_id(), rule_id))  # another's: 404
    form = RuleForm()
    if request.method == "POST":
        return _submit(form, rule_id)
    form.fill_from(current)
    return _render_form(form, rule_id, 200)


@blueprint.post("/<int:rule_id>/delete")
def delete(rule_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        rules.delete(session, user_id(), rule_id)
    flash(_("Rule deleted; transactions it categorised keep their category."), "success")
    return redirect(url_for(".index"))


@blueprint.post("/<int:rule_id>/move")
def move(rule_id: int):  # type: ignore[no-untyped-def]
    """Swap a rule with its neighbour above or below, then number them all 1, 2, 3…"""
    step = -1 if request.form.get("direction") == "up" else 1
    try:
        with unit_of_work() as session:
            rules.get(session, user_id(), rule_id)  # someone else's: 404
            ordered = rules.list_all(session, user_id())
            index = next(i for i, r in enumerate(ordered) if r.id == rule_id)
            other = index + step
            if 0 <= other < len(ordered):
                ordered[index], ordered[other] = ordered[other], ordered[index]
                for position, rule in enumerate(ordered, start=1):
                    if rule.position != position:
                        data = input_of(session, rule)
                        data.position = position
                        rules.update(session, user_id(), rule.id, data)
    except InvalidInput as error:
        problems = "; ".join(localize(message) for message in error.errors.values())
        flash(_("Not moved: a rule needs fixing first (%(problems)s).", problems=problems), "error")
    return redirect(url_for(".index"))


@blueprint.get("/<int:rule_id>/preview")
def preview(rule_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        rule = rules.get(session, user_id(), rule_id)  # someone else's: 404
        sample, total = rules.preview(session, user_id(), rule_id)
        _, category_names = _names(session)
        return render_template(
            "rules/preview.html",
            rule=rule,
            sample=sample,
            total=total,
            category_names=category_names,
        )


@blueprint.post("/<int:rule_id>/apply")
def apply(rule_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        name = rules.get(session, user_id(), rule_id).name  # someone else's: 404
        changed = rules.apply_to_existing(session, user_id(), rule_id)
    flash(ngettext("Rule “%(name)s” applied: %(num)s transaction changed.",
                   "Rule “%(name)s” applied: %(num)s transactions changed.", changed, name=name),
          "success")  # fmt: skip
    return redirect(url_for(".index"))
