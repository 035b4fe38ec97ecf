"""Browsable API docs: the vendored Swagger UI, no CDN and no inline script."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

blueprint = Blueprint("api_docs_page", __name__)


@blueprint.get("/api/docs")
def api_docs() -> str:
    return render_template("api-docs.html", spec_url=url_for("api-docs.openapi_json"))
