"""Reading request bodies: JSON numbers arrive exactly (0.1 is Decimal("0.1"), never a float);
a multipart upload's fields and files are read together, as one schema."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, NoReturn

from flask import Request
from flask_smorest import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict


def _no_constants(name: str) -> NoReturn:
    # Python's json accepts NaN and Infinity, which are not JSON and not money.
    raise ValueError(f"{name} is not valid JSON")


def loads_exact(body: bytes) -> Any:
    return json.loads(body, parse_float=Decimal, parse_constant=_no_constants)


class ExactJsonParser(FlaskParser):
    """webargs' Flask parser with exact numbers and a 400 for any body that is not JSON, plus a
    "multipart" location: the form fields and the files of an upload in one schema."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: Request, schema: Any) -> MultiDictProxy:
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing  # the blueprint already answered 415 for a body of another type
        body = req.get_data(cache=True)
        if not body.strip():
            abort(400, message="The request body is empty: send a JSON object.")
        try:
            return loads_exact(body)
        # ValueError covers JSONDecodeError, bad UTF-8 and over-long integers; deep nesting
        # raises RecursionError. All are the client's malformed JSON, never a 500.
        except (ValueError, RecursionError):
            abort(400, message="The request body is not valid JSON.")
