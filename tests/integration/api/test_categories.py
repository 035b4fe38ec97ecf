"""The category tree: two levels, managed through the API."""

from __future__ import annotations

from finance_tracker.store.models import Category

from .helpers import assert_problem


def test_a_new_user_starts_with_the_default_tree(api):
    tree = api.get("/api/v1/categories?per_page=200").get_json()
    food = next(c for c in tree["items"] if c["name"] == "Food")
    assert food["parent_id"] is None
    assert [c["full_name"] for c in food["children"]] == [
        "Food › Coffee",
        "Food › Groceries",
        "Food › Restaurants",
    ]
    assert all(child["parent_id"] == food["id"] for child in food["children"])


def test_the_tree_is_paginated_by_top_level_category(api):
    first = api.get("/api/v1/categories?per_page=3").get_json()
    assert len(first["items"]) == 3
    assert first["pagination"]["total"] == 10
    assert first["pagination"]["pages"] == 4


def test_create_a_top_level_category_and_a_subcategory(api):
    pets = api.create("/api/v1/categories", {"name": "Pets"})
    assert (pets["parent_id"], pets["full_name"], pets["children"]) == (None, "Pets", [])
    food = api.create("/api/v1/categories", {"name": "Food", "parent_id": pets["id"]})
    assert food["full_name"] == "Pets › Food"
    assert [
        c["name"] for c in api.get(f"/api/v1/categories/{pets['id']}").get_json()["children"]
    ] == ["Food"]


def test_rename_and_move_a_category(api):
    pets = api.create("/api/v1/categories", {"name": "Pets"})
    vet = api.create("/api/v1/categories", {"name": "Vet"})
    moved = api.patch(f"/api/v1/categories/{vet['id']}", json={"parent_id": pets["id"]}).get_json()
    assert moved["full_name"] == "Pets › Vet"
    renamed = api.patch(f"/api/v1/categories/{vet['id']}", json={"name": "Veterinary"}).get_json()
    assert (renamed["full_name"], renamed["parent_id"]) == ("Pets › Veterinary", pets["id"])
    # PUT replaces: leaving parent_id out makes it top-level again.
    top = api.put(f"/api/v1/categories/{vet['id']}", json={"name": "Vet"}).get_json()
    assert (top["full_name"], top["parent_id"]) == ("Vet", None)


def test_three_levels_are_refused(api):
    groceries = api.category_id("Food › Groceries")
    response = api.post("/api/v1/categories", json={"name": "Organic", "parent_id": groceries})
    assert_problem(response, 422, "parent_id")


def test_deleting_a_category_keeps_its_transactions_uncategorised(api, count_rows):
    checking = api.account("Checking")
    food = api.category_id("Food")
    groceries = api.category_id("Food › Groceries")
    expense = api.transaction(
        kind="expense", account_id=checking["id"], date="2026-01-05", amount="1.00",
        category_id=groceries,
    )  # fmt: skip
    before = count_rows(Category)
    assert api.delete(f"/api/v1/categories/{food}").status_code == 204
    assert count_rows(Category) == before - 4  # Food and its three subcategories
    assert api.get(f"/api/v1/transactions/{expense['id']}").get_json()["category_id"] is None


def test_duplicates_and_blank_names_are_refused(api):
    assert_problem(api.post("/api/v1/categories", json={"name": "Food"}), 422, "name")
    assert_problem(api.post("/api/v1/categories", json={"name": "  "}), 422, "name")
