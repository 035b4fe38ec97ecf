"""Two-level categories (Food › Groceries), listed as a tree."""

from __future__ import annotations

from collections.abc import Sequence

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields
from sqlalchemy.orm import Session

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.schemas import (
    ID_PATH,
    Id,
    PageQuery,
    Text,
    page_of,
    page_schema,
    patch_schema,
)
from finance_tracker.api.session import unit_of_work
from finance_tracker.services import categories
from finance_tracker.store.models import Category as CategoryRow

blp = ApiBlueprint(
    "Categories",
    __name__,
    url_prefix="/api/v1/categories",
    description="Two-level categories: top-level ones (Food) and their subcategories (Groceries).",
)


class Category(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"example": "Groceries"})
    parent_id = fields.Integer(allow_none=True, required=True)
    full_name = fields.String(required=True, metadata={"example": "Food › Groceries"})


class CategoryNode(Category):
    children = fields.List(
        fields.Nested(Category),
        required=True,
        metadata={"description": "subcategories (always empty for a subcategory)"},
    )


class CategoryInput(ma.Schema):
    name = Text(required=True)
    parent_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "a top-level category; null makes this one top-level"},
    )


CategoryTree = page_schema(CategoryNode, "CategoryTree")


def present(category: CategoryRow, children: Sequence[CategoryRow] = ()) -> dict:
    return {
        "id": category.id,
        "name": category.name,
        "parent_id": category.parent_id,
        "full_name": category.full_name,
        "children": [present(child) for child in children],
    }


def _present_node(session: Session, user_id: int, category: CategoryRow) -> dict:
    children = [c for c in categories.list_all(session, user_id) if c.parent_id == category.id]
    return present(category, children)


@blp.route("")
class Categories(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, CategoryTree)
    def get(self, query: dict) -> dict:
        """The category tree: top-level categories (paginated), each with its subcategories"""
        with unit_of_work() as session:
            rows = categories.list_all(session, current_user_id())
            tops = [
                present(top, [c for c in rows if c.parent_id == top.id])
                for top in rows
                if top.parent_id is None
            ]
        return page_of(tops, query["page"], query["per_page"])

    @blp.arguments(CategoryInput)
    @blp.response(201, CategoryNode)
    def post(self, body: dict) -> dict:
        """Create a category, top-level or under a parent"""
        user_id = current_user_id()
        with unit_of_work() as session:
            category = categories.create(session, user_id, body["name"], body["parent_id"])
            return present(category)


@blp.route(f"/<{ID_PATH}:category_id>")
class CategoryItem(MethodView):
    @blp.response(200, CategoryNode)
    @blp.not_found()
    def get(self, category_id: int) -> dict:
        """One category with its subcategories"""
        user_id = current_user_id()
        with unit_of_work() as session:
            return _present_node(session, user_id, categories.get(session, user_id, category_id))

    @blp.arguments(CategoryInput)
    @blp.response(200, CategoryNode)
    @blp.not_found()
    def put(self, body: dict, category_id: int) -> dict:
        """Rename or move a category (parent_id left out makes it top-level)"""
        return _update(category_id, body)

    @blp.arguments(patch_schema(CategoryInput, "CategoryPatch"))
    @blp.response(200, CategoryNode)
    @blp.not_found()
    def patch(self, changes: dict, category_id: int) -> dict:
        """Rename or move a category, keeping what the body leaves out"""
        return _update(category_id, changes)

    @blp.response(204)
    @blp.not_found()
    def delete(self, category_id: int) -> None:
        """Delete a category and its subcategories; their transactions become uncategorised"""
        with unit_of_work() as session:
            categories.delete(session, current_user_id(), category_id)


def _update(category_id: int, changes: dict) -> dict:
    user_id = current_user_id()
    with unit_of_work() as session:
        current = categories.get(session, user_id, category_id)
        category = categories.update(
            session,
            user_id,
            category_id,
            changes.get("name", current.name),
            changes.get("parent_id", current.parent_id),
        )
        return _present_node(session, user_id, category)
