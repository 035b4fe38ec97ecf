"""Free-form tags; transactions name them, so renaming one renames it everywhere."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.schemas import ID_PATH, PageQuery, Text, page_of, page_schema
from finance_tracker.api.session import unit_of_work
from finance_tracker.services import tags
from finance_tracker.store.models import Tag as TagRow

blp = ApiBlueprint("Tags", __name__, url_prefix="/api/v1/tags", description="Free-form tags.")


class Tag(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"example": "vacation"})


class TagInput(ma.Schema):
    name = Text(
        required=True, metadata={"description": "stored in lower case", "example": "vacation"}
    )


TagPage = page_schema(Tag, "TagPage")


def present(tag: TagRow) -> dict:
    return {"id": tag.id, "name": tag.name}


@blp.route("")
class Tags(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, TagPage)
    def get(self, query: dict) -> dict:
        """List tags, alphabetically"""
        with unit_of_work() as session:
            items = [present(tag) for tag in tags.list_all(session, current_user_id())]
        return page_of(items, query["page"], query["per_page"])

    @blp.arguments(TagInput)
    @blp.response(201, Tag)
    def post(self, body: dict) -> dict:
        """Create a tag"""
        with unit_of_work() as session:
            return present(tags.create(session, current_user_id(), body["name"]))


@blp.route(f"/<{ID_PATH}:tag_id>")
class TagItem(MethodView):
    @blp.response(200, Tag)
    @blp.not_found()
    def get(self, tag_id: int) -> dict:
        """One tag"""
        with unit_of_work() as session:
            return present(tags.get(session, current_user_id(), tag_id))

    @blp.arguments(TagInput)
    @blp.response(200, Tag)
    @blp.not_found()
    def put(self, body: dict, tag_id: int) -> dict:
        """Rename a tag"""
        return self._rename(tag_id, body["name"])

    @blp.arguments(TagInput)
    @blp.response(200, Tag)
    @blp.not_found()
    def patch(self, body: dict, tag_id: int) -> dict:
        """Rename a tag (the same as PUT: a tag has only its name)"""
        return self._rename(tag_id, body["name"])

    @staticmethod
    def _rename(tag_id: int, name: str) -> dict:
        with unit_of_work() as session:
            return present(tags.rename(session, current_user_id(), tag_id, name))

    @blp.response(204)
    @blp.not_found()
    def delete(self, tag_id: int) -> None:
        """Delete a tag; it disappears from the transactions that had it"""
        with unit_of_work() as session:
            tags.delete(session, current_user_id(), tag_id)
