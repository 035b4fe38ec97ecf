"""(being built) dashboard pages."""

from flask import Blueprint
from flask_login import login_required

blueprint = Blueprint(
    "dashboard", __name__, url_prefix="/" if "dashboard" == "dashboard" else "/dashboard"
)


@blueprint.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    return "dashboard"
