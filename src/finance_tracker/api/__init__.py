"""JSON API under /api/v1 (being built)."""

from flask import Flask


def register(app: Flask) -> None:
    return None
