"""Categories (a two-level tree) and tags: add, rename or move, delete."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from finance_tracker.services import categories, tags
from finance_tracker.services.errors import InvalidInput
from finance_tracker.web import choices
from finance_tracker.web.forms import CategoryForm, TagForm
from finance_tracker.web.helpers import apply_errors, private_blueprint, unit_of_work, user_id

blueprint = private_blueprint("categories", __name__, "/categories")


def _tree(rows):  # type: ignore[no-untyped-def]
    """[(parent, [children])] from the parents-then-children list the service returns."""
    tree = []
    for category in rows:
        if category.parent_id is None:
            tree.append((category, []))
        elif tree:
            tree[-1][1].append(category)
    return tree


def _index_page(category_form: CategoryForm, tag_form: TagForm, status: int = 200):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        category_form.parent_id.choices = choices.parent_choices(session, user_id())
        html = render_template(
            "categories/index.html",
            tree=_tree(categories.list_all(session, user_id())),
            tags=tags.list_all(session, user_id()),
            category_form=category_form,
            tag_form=tag_form,
        )
    return html, status


@blueprint.get("/")
def index():  # type: ignore[no-untyped-def]
    return _index_page(CategoryForm(formdata=None), TagForm(formdata=None))


@blueprint.post("/")
def create():  # type: ignore[no-untyped-def]
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as session:
                categories.create(session, user_id(), form.name.data or "", form.parent_id.data)
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Category “%(name)s” added.", name=form.name.data.strip()), "success")
            return redirect(url_for(".index"))
    return _index_page(form, TagForm(formdata=None), 422)


@blueprint.route("/<int:category_id>/edit", methods=["GET", "POST"])
def edit(category_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        category = categories.get(session, user_id(), category_id)  # someone else's: 404
        parents = choices.parent_choices(session, user_id(), exclude=category_id)
        full_name = category.full_name
    form = CategoryForm()
    form.parent_id.choices = parents
    if request.method == "GET":
        form.name.data, form.parent_id.data = category.name, category.parent_id
    if form.validate_on_submit():
        try:
            with unit_of_work() as session:
                categories.update(
                    session, user_id(), category_id, form.name.data or "", form.parent_id.data
                )
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Category saved."), "success")
            return redirect(url_for(".index"))
    status = 422 if form.errors or form.form_errors else 200
    page = render_template("categories/edit.html", form=form, full_name=full_name)
    return page, status


@blueprint.post("/<int:category_id>/delete")
def delete(category_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        categories.delete(session, user_id(), category_id)
    flash(_("Category deleted; its transactions are now uncategorised."), "success")
    return redirect(url_for(".index"))


@blueprint.post("/tags")
def create_tag():  # type: ignore[no-untyped-def]
    form = TagForm()
    if form.validate_on_submit():
        try:
            with unit_of_work() as session:
                tag = tags.create(session, user_id(), form.name.data or "")
                name = tag.name
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Tag “%(name)s” added.", name=name), "success")
            return redirect(url_for(".index"))
    return _index_page(CategoryForm(formdata=None), form, 422)


@blueprint.route("/tags/<int:tag_id>/edit", methods=["GET", "POST"])
def edit_tag(tag_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        tag = tags.get(session, user_id(), tag_id)
    form = TagForm()
    if request.method == "GET":
        form.name.data = tag.name
    if form.validate_on_submit():
        try:
            with unit_of_work() as session:
                tags.rename(session, user_id(), tag_id, form.name.data or "")
        except InvalidInput as error:
            apply_errors(form, error)
        else:
            flash(_("Tag renamed."), "success")
            return redirect(url_for(".index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("categories/edit_tag.html", form=form, tag=tag), status


@blueprint.post("/tags/<int:tag_id>/delete")
def delete_tag(tag_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        tags.delete(session, user_id(), tag_id)
    flash(_("Tag deleted."), "success")
    return redirect(url_for(".index"))
