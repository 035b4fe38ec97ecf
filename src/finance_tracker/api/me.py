"""Who the token belongs to."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from marshmallow import fields

from finance_tracker.api.auth import current_user_id
from finance_tracker.api.base import ApiBlueprint
from finance_tracker.api.schemas import UtcDateTime
from finance_tracker.api.session import unit_of_work
from finance_tracker.services import users
from finance_tracker.services.errors import NotFound

blp = ApiBlueprint("Me", __name__, url_prefix="/api/v1/me", description="The token's owner.")


class Me(ma.Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    default_currency = fields.String(required=True)
    created_at = UtcDateTime(required=True)


@blp.route("")
class MeResource(MethodView):
    @blp.response(200, Me)
    def get(self) -> dict:
        """The user the API token belongs to"""
        with unit_of_work() as session:
            user = users.get(session, current_user_id())
            if user is None:  # deleted since the token was checked
                raise NotFound("user")
            return {
                "id": user.id,
                "email": user.email,
                "default_currency": user.default_currency,
                "created_at": user.created_at,
            }
