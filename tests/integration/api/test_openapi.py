"""The API describes itself: a valid OpenAPI document that covers every route, and docs to read."""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate

from .spec import operations, resolve

PROBLEM = "application/problem+json"
BODY_TYPES = {"application/json", "multipart/form-data"}
NOT_OPERATIONS = {"api-docs.openapi_json"}  # the document itself


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")  # no token needed to read the docs
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_the_spec_is_valid_openapi_3(spec):
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_every_operation_needs_a_bearer_token(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "personal API token",
    }
    assert spec["security"] == [{"bearerAuth": []}]


def test_every_operation_documents_its_answers(spec):
    for path, method, operation in operations(spec):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        responses = resolve(spec, operation["responses"])
        successes = [code for code in responses if code.startswith("2")]
        assert len(successes) == 1, where
        if successes[0] != "204":
            content = responses[successes[0]]["content"]
            assert content, where
            assert all("schema" in media for media in content.values()), where
        errors = {code for code in responses if code[0] in "45"}
        assert "401" in errors, where
        if re.search(r"\{\w+_id\}", path):
            assert "404" in errors, where
        if "requestBody" in operation:
            (media_type, body), *others = operation["requestBody"]["content"].items()
            assert not others and media_type in BODY_TYPES, where
            assert body["schema"], where
            assert {"400", "413", "415", "422"} <= errors, where
        if operation.get("parameters"):
            assert "422" in errors, where
        for code in [*errors, "default"]:
            problem = responses[code]["content"][PROBLEM]["schema"]
            assert {"type", "title", "status", "detail"} <= set(problem["required"]), (where, code)


def test_reports_answer_json_or_csv_and_say_so(spec):
    reports = [(p, o) for p, m, o in operations(spec) if p.startswith("/api/v1/reports/")]
    assert len(reports) == 5
    for path, operation in reports:
        content = operation["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv"}, path
        assert "format" in {p["name"] for p in operation["parameters"]}, path
    export = spec["paths"]["/api/v1/exports/transactions.csv"]["get"]
    assert set(export["responses"]["200"]["content"]) == {"text/csv"}


def test_uploads_are_multipart_with_a_binary_file(spec):
    for path in ("/api/v1/imports", "/api/v1/transactions/{transaction_id}/receipts"):
        body = resolve(spec, spec["paths"][path]["post"]["requestBody"])
        schema = body["content"]["multipart/form-data"]["schema"]
        assert schema["properties"]["file"] == {
            "type": "string",
            "format": "binary",
            "description": schema["properties"]["file"]["description"],
        }
        assert "file" in schema["required"]
    download = spec["paths"]["/api/v1/receipts/{receipt_id}"]["get"]["responses"]["200"]
    assert {"image/png", "image/jpeg", "application/pdf"} <= set(download["content"])
    assert all(m["schema"]["format"] == "binary" for m in download["content"].values())


def test_money_is_never_a_number_in_the_spec(spec):
    """Amounts are decimal strings and minor-unit integers; a float type would invite rounding."""
    assert '"number"' not in json.dumps(spec)


def test_every_api_route_is_in_the_spec(app, spec):
    documented = {
        (re.sub(r"\{(\w+)\}", r"<\1>", path), method.upper())
        for path, method, _ in operations(spec)
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in NOT_OPERATIONS:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?(\w+)>", r"<\1>", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {rule.rule} is not in the OpenAPI spec"


def test_flask_smorest_s_cdn_based_uis_are_off(app):
    for rule in app.url_map.iter_rules():
        assert not re.search("swagger|redoc|rapidoc", rule.rule), rule.rule


def test_the_docs_page_uses_the_vendored_swagger_ui_without_inline_script(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert scripts and all(body.strip() == "" for body in scripts), "inline script"
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert not re.search(r"\son\w+=", html), "inline event handler"
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "resource from another host"
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    for asset in re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html):
        assert client.get(asset).status_code == 200, asset
    assert {
        "/static/vendor/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui.css",
        "/static/api-docs.js",
    } <= set(re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html))


def test_the_docs_script_starts_swagger_ui_on_the_spec(client):
    script = client.get("/static/api-docs.js").get_data(as_text=True)
    assert "SwaggerUIBundle(" in script
    assert "dataset.specUrl" in script
