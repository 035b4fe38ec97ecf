"""(being built) settings pages."""

from flask import Blueprint
from flask_login import login_required

blueprint = Blueprint(
    "settings", __name__, url_prefix="/" if "settings" == "dashboard" else "/settings"
)


@blueprint.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    return "settings"
