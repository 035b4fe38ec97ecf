"""One JSON object per line, each with the request id. Never a password or a token."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter


class _RequestContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from flask import g, has_request_context

        if has_request_context():
            record.request_id = g.get("request_id", "-")
        return True


def configure(level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # ISO 8601 in UTC
        )
    )
    handler.addFilter(_RequestContext())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The access log below replaces werkzeug's plain-text one.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Readiness checks the schema revision on every probe; alembic would log each one.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    # Seven "setup plugin …" lines at every migration, and three lines (with the upload's path)
    # for every OFX file parsed: nothing an operator acts on.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("ofxtools").setLevel(logging.WARNING)
    # A Python warning (DeprecationWarning and the like) becomes a JSON line at WARNING instead
    # of plain text on stderr.
    logging.captureWarnings(True)
