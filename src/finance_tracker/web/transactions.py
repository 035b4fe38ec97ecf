"""(being built) transactions pages."""

from flask import Blueprint
from flask_login import login_required

blueprint = Blueprint(
    "transactions", __name__, url_prefix="/" if "transactions" == "dashboard" else "/transactions"
)


@blueprint.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    return "transactions"
