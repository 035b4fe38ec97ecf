"""(being built) categories pages."""

from flask import Blueprint
from flask_login import login_required

blueprint = Blueprint(
    "categories", __name__, url_prefix="/" if "categories" == "dashboard" else "/categories"
)


@blueprint.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    return "categories"
