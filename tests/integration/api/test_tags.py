"""Tags: list, create, rename, delete."""

from __future__ import annotations

from .helpers import assert_problem


def test_a_new_user_has_the_default_tags(api):
    listed = api.get("/api/v1/tags").get_json()
    assert [t["name"] for t in listed["items"]] == ["reimbursable", "tax-deductible", "vacation"]


def test_create_rename_and_delete_a_tag(api):
    tag = api.create("/api/v1/tags", {"name": "Gifts"})
    assert tag["name"] == "gifts"
    renamed = api.put(f"/api/v1/tags/{tag['id']}", json={"name": "presents"})
    assert renamed.get_json() == {"id": tag["id"], "name": "presents"}
    assert api.patch(f"/api/v1/tags/{tag['id']}", json={"name": "gifts"}).status_code == 200
    assert api.delete(f"/api/v1/tags/{tag['id']}").status_code == 204
    assert_problem(api.get(f"/api/v1/tags/{tag['id']}"), 404)


def test_renaming_a_tag_renames_it_on_transactions(api):
    checking = api.account("Checking")
    expense = api.transaction(
        kind="expense", account_id=checking["id"], date="2026-01-05", amount="1.00", tags=["trip"]
    )
    tag = next(t for t in api.get("/api/v1/tags").get_json()["items"] if t["name"] == "trip")
    api.put(f"/api/v1/tags/{tag['id']}", json={"name": "journey"})
    assert api.get(f"/api/v1/transactions/{expense['id']}").get_json()["tags"] == ["journey"]


def test_duplicate_and_malformed_tags_are_refused(api):
    assert_problem(api.post("/api/v1/tags", json={"name": "VACATION"}), 422, "name")
    assert_problem(api.post("/api/v1/tags", json={"name": "a,b"}), 422, "name")
    assert_problem(api.post("/api/v1/tags", json={"name": "x" * 41}), 422, "name")
