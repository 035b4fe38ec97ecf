"""(being built) accounts pages."""

from flask import Blueprint
from flask_login import login_required

blueprint = Blueprint(
    "accounts", __name__, url_prefix="/" if "accounts" == "dashboard" else "/accounts"
)


@blueprint.get("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    return "accounts"


@blueprint.get("/new")
@login_required
def new():  # type: ignore[no-untyped-def]
    return "new account"
