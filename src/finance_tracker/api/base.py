"""The API's building blocks.

`ApiBlueprint`: every resource blueprint gets the body limit, token auth, the JSON-only rule and
the service-error mapping from its constructor, so a new resource cannot forget one of them.
`accepts`: the one way an operation takes another body (a multipart upload, a larger JSON
document); the limit and the media type stay checked by the same hooks.
`ProblemApi`: flask-smorest's Api, documenting errors as problem JSON and answering them as such
under /api/ while leaving the web's HTML error pages alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar

import flask_smorest
from flask import Flask, Response, current_app, request
from flask_smorest.utils import prepare_response
from webargs.flaskparser import is_json_request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, UnsupportedMediaType

from finance_tracker.api import auth, session
from finance_tracker.api.parsing import ExactJsonParser
from finance_tracker.api.problems import PROBLEM_JSON, from_http_exception, problem
from finance_tracker.api.schemas import Problem
from finance_tracker.services.errors import Conflict, InvalidInput, NotFound
from finance_tracker.settings import Settings

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
BODY_PROBLEMS = (400, 413, 415, 422)
JSON = "application/json"
MULTIPART = "multipart/form-data"
# The parts of a multipart upload around the file itself: boundaries, headers, other fields.
FORM_OVERHEAD_BYTES = 64 * 1024

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class BodyRule:
    """What an operation's body may be: its media type, and at most how many bytes."""

    media_type: str
    max_bytes: Callable[[Settings], int]


DEFAULT_BODY = BodyRule(JSON, lambda settings: settings.api_max_body_bytes)


def accepts(media_type: str = JSON, *, max_bytes: Callable[[Settings], int]) -> Callable[[F], F]:
    """Let one operation take another body than the default (JSON up to API_MAX_BODY_BYTES):
    a multipart upload, or a larger JSON document. The blueprint's hooks read this."""
    rule = BodyRule(media_type, max_bytes)

    def decorate(func: F) -> F:
        func.api_body = rule  # type: ignore[attr-defined]  # functools.wraps carries it outward
        return func

    return decorate


def upload_limit(setting: str) -> Callable[[Settings], int]:
    """A multipart body whose file may be as large as a setting allows, plus the form around it."""
    return lambda settings: int(getattr(settings, setting)) + FORM_OVERHEAD_BYTES


def _body_rule() -> BodyRule:
    view = current_app.view_functions.get(request.endpoint or "")
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    return getattr(handler, "api_body", DEFAULT_BODY)


def _has_body() -> bool:
    if request.content_length is not None:
        return request.content_length > 0
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _limit_body() -> None:
    settings = current_app.extensions["finance_tracker"].settings
    limit = _body_rule().max_bytes(settings)
    too_large = RequestEntityTooLarge(f"The request body is larger than {limit} bytes.")
    if request.content_length is not None:
        if request.content_length > limit:
            raise too_large
        # The app-wide MAX_CONTENT_LENGTH is the web's; an upload's own limit replaces it.
        request.max_content_length = limit
        return
    # A streamed (chunked) body has no length to check up front, and werkzeug's stream stops
    # quietly at max_content_length: read one byte past the limit to tell "too large" apart.
    request.max_content_length = limit + 1
    if len(request.get_data(cache=True)) > limit:
        raise too_large


def _require_media_type() -> None:
    """A body must be of the operation's media type; an action without a body needs none."""
    if request.method not in BODY_METHODS or not _has_body():
        return
    if _body_rule().media_type == MULTIPART:
        if request.mimetype != MULTIPART:
            raise UnsupportedMediaType(
                "Send the file as a multipart upload, with Content-Type: multipart/form-data."
            )
    elif not is_json_request(request):
        raise UnsupportedMediaType("Send the body as JSON, with Content-Type: application/json.")


def _no_store(response: Response) -> Response:
    # Answers hold someone's finances: no shared or browser cache may keep them.
    response.headers["Cache-Control"] = "no-store"
    return response


def _invalid_input(error: InvalidInput) -> Response:
    return problem(422, "Some fields are invalid: see errors.", errors=dict(error.errors))


def _not_found(error: NotFound) -> Response:
    return problem(404, f"No such {error.what}.")


def _conflict(error: Conflict) -> Response:
    return problem(409, str(error))


def _document_problems(doc: dict, doc_info: dict, *, method: str, **_kwargs: Any) -> dict:
    """Every operation may answer 401 (no token, or an unknown, expired or revoked one); every
    write may answer 403 (a read-only token: see `auth.require_token`); every one with a body
    may also answer 400/413/415/422."""
    responses = doc.setdefault("responses", {})
    responses.setdefault(401, HTTPStatus(401).name)
    if method.upper() not in auth.SAFE_METHODS:
        responses.setdefault(403, HTTPStatus(403).name)
    if "requestBody" in doc:
        for status in BODY_PROBLEMS:
            responses.setdefault(status, HTTPStatus(status).name)
    return doc


class ApiBlueprint(flask_smorest.Blueprint):
    """Named in capitals ("Accounts"): the name is the spec's tag, and the web's blueprints
    already use the lower-case names."""

    ARGUMENTS_PARSER = ExactJsonParser()
    # "multipart": form fields and files together, parsed as one schema (see ExactJsonParser).
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": MULTIPART,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The token first: a streamed body is read to measure it, and an upload may be 50 MB;
        # nobody without a token gets that far.
        self.before_request(auth.require_token)
        self.teardown_request(session.end_unused)  # a 401, 403, 413 or 415 before the view
        self.before_request(_limit_body)
        self.before_request(_require_media_type)
        self.after_request(_no_store)
        self.register_error_handler(InvalidInput, _invalid_input)
        self.register_error_handler(NotFound, _not_found)
        self.register_error_handler(Conflict, _conflict)
        self._prepare_doc_cbks.append(_document_problems)

    def not_found(self) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document the 404 of an operation on one object (another user's ids answer it too)."""
        return self.alt_response(404, response=HTTPStatus(404).name)


class ProblemApi(flask_smorest.Api):
    ERROR_SCHEMA = Problem

    def _register_responses(self) -> None:
        """Error responses in the spec are problem JSON, named by status (NOT_FOUND, ...)."""
        for status in HTTPStatus:
            if status >= 400:
                self._register_problem_response(status.name, status.phrase)
        self._register_problem_response(self.DEFAULT_ERROR_RESPONSE_NAME, "Any other error")

    def _register_problem_response(self, name: str, description: str) -> None:
        response = {"description": description, "schema": Problem}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(name, response, lazy=True)

    def _register_pagination_header(self) -> None:
        """Lists answer a page object in the body, so flask-smorest's header is not used."""

    def _register_error_handlers(self) -> None:
        """Replace flask-smorest's app-wide HTTPException handler with one that answers problem
        JSON under /api/ and hands every other path to the handler registered before it (the web's
        HTML error pages). So `api.register` runs after `web.register`."""
        app: Flask = self._app
        html_pages = app.error_handler_spec[None][None].get(HTTPException)

        def handle(error: HTTPException) -> Any:
            if is_api_request():
                return from_http_exception(error)
            return html_pages(error) if html_pages is not None else error

        app.register_error_handler(HTTPException, handle)
