"""Ada shapes her categories (two levels) and tags."""

from __future__ import annotations

import re

from tests.integration.web.story import form_errors, rows_in

from finance_tracker.store.models import Category, Tag


def add_category(ada, name: str, parent: int | str = ""):  # type: ignore[no-untyped-def]
    return ada.browser.submit("/categories/", {"category-name": name, "category-parent_id": parent})


def test_new_people_start_with_a_tree_and_can_grow_it(ada, db):
    page = ada.page("/categories/")
    assert "<strong>Food</strong>" in page and "<span>Groceries</span>" in page
    before = rows_in(db, Category)

    assert add_category(ada, "Pets").status_code == 302
    pets = ada.category("Pets")
    assert add_category(ada, "Vet", pets).status_code == 302
    assert rows_in(db, Category) == before + 2
    page = ada.page("/categories/")
    assert "Category “Vet” added." in page
    assert re.search(r"<strong>Pets</strong>.*?<span>Vet</span>", page, re.S)
    # The transaction form offers the new category by its full name.
    ada.open_account("Checking")
    assert "Pets › Vet</option>" in ada.page("/transactions/new")


def test_renaming_and_moving_a_category(ada):
    coffee = ada.category("Food › Coffee")
    leisure = ada.category("Leisure")
    form = ada.page(f"/categories/{coffee}/edit")
    assert 'value="Coffee"' in form and f'<option selected value="{ada.category("Food")}">' in form

    response = ada.browser.submit(
        f"/categories/{coffee}/edit", {"category-name": "Cafés", "category-parent_id": leisure}
    )
    assert response.status_code == 302
    assert ada.category("Leisure › Cafés") == coffee

    response = ada.browser.submit(
        f"/categories/{coffee}/edit", {"category-name": "Cafés", "category-parent_id": ""}
    )
    assert response.status_code == 302
    assert ada.category("Cafés") == coffee


def test_category_mistakes_are_explained(ada, db):
    before = rows_in(db, Category)
    food, groceries = ada.category("Food"), ada.category("Food › Groceries")
    for response, message in [
        (add_category(ada, ""), "enter a name"),
        (add_category(ada, "Food"), "a category with this name already exists here"),
        (add_category(ada, "Organic", groceries), "categories have two levels"),
        (add_category(ada, "x" * 81), "use at most 80 characters"),
        (
            ada.browser.submit(
                f"/categories/{food}/edit", {"category-name": "Food", "category-parent_id": food}
            ),
            "a category with subcategories must stay top-level",
        ),
    ]:
        assert response.status_code == 422
        errors = form_errors(response.get_data(as_text=True))
        assert any(message in e for e in errors), (message, errors)
    assert rows_in(db, Category) == before


def test_deleting_a_category_keeps_its_transactions_uncategorised(ada, db):
    checking = ada.open_account("Checking")
    ada.add_ok(
        account_id=checking, amount="4", payee="Cafe", category_id=ada.category("Food › Coffee")
    )
    food = ada.category("Food")
    page = ada.page("/categories/")
    assert "Delete “Food” and its 3 subcategories?" in page

    response = ada.browser.submit("/categories/", {}, action=f"/categories/{food}/delete")
    assert response.status_code == 302
    assert "<strong>Food</strong>" not in ada.page("/categories/")
    listing = ada.page("/transactions/")
    assert "Cafe" in listing and '<span class="muted">Uncategorised</span>' in listing


def test_tags_are_added_renamed_and_deleted(ada, db):
    before = rows_in(db, Tag)
    response = ada.browser.submit(
        "/categories/", {"tag-name": "Business Trip"}, action="/categories/tags"
    )
    assert response.status_code == 302
    assert '<span class="tag">business trip</span>' in ada.page("/categories/")

    tag_id = int(
        re.search(r'/categories/tags/(\d+)/edit">Rename</a>', ada.page("/categories/")).group(1)
    )
    response = ada.browser.submit(f"/categories/tags/{tag_id}/edit", {"tag-name": "work-trip"})
    assert response.status_code == 302
    assert '<span class="tag">work-trip</span>' in ada.page("/categories/")

    for data, message in [
        ({"tag-name": "a,b"}, "tags have at most 40 characters and no commas"),
        ({"tag-name": ""}, "enter a tag name"),
        ({"tag-name": "vacation"}, "this tag already exists"),
    ]:
        response = ada.browser.submit("/categories/", data, action="/categories/tags")
        assert response.status_code == 422
        assert message in form_errors(response.get_data(as_text=True))

    response = ada.browser.submit("/categories/", {}, action=f"/categories/tags/{tag_id}/delete")
    assert response.status_code == 302
    assert "work-trip" not in ada.page("/categories/")
    assert rows_in(db, Tag) == before
