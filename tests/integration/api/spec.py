"""Reading the app's own OpenAPI document: operations, and response shapes to check answers by."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from openapi_schema_validator import OAS30Validator

METHODS = ("get", "post", "put", "patch", "delete")
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def fill_path(path: str, values: Mapping[str, object], default: object = 1) -> str:
    """`path` with every {parameter} replaced by its value in `values`, or else `default`."""
    return re.sub(r"\{(\w+)\}", lambda match: str(values.get(match.group(1), default)), path)


def resolve(spec: dict, node: Any) -> Any:
    """`node` with every local $ref replaced by what it points to (our schemas do not recurse)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return resolve(spec, target)
        return {key: resolve(spec, value) for key, value in node.items()}
    if isinstance(node, list):
        return [resolve(spec, value) for value in node]
    return node


def documented_response(spec: dict, operation: dict, status: int) -> dict:
    responses = operation["responses"]
    response = responses.get(str(status)) or responses.get("default")
    assert response is not None, f"status {status} is not documented"
    return resolve(spec, response)


def assert_matches_spec(spec: dict, operation: dict, response) -> None:  # type: ignore[no-untyped-def]
    """The answer has a documented status, media type and body shape."""
    documented = documented_response(spec, operation, response.status_code)
    if response.status_code == 204:
        assert not response.get_data()
        return
    media_type = response.mimetype
    assert media_type in documented["content"], (media_type, documented)
    schema = documented["content"][media_type]["schema"]
    if media_type.endswith("json"):
        OAS30Validator(schema).validate(response.get_json())
    else:  # CSV or a file: documented as a string, and there is one
        assert schema["type"] == "string", schema
        assert response.get_data(), f"an empty {media_type} answer"
