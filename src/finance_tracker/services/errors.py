"""The errors every caller (form, API, CLI) turns into a 4xx with the same words."""

from __future__ import annotations


class ServiceError(Exception):
    pass


class NotFound(ServiceError):
    """The object does not exist for this user (another user's ids look exactly like this)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")
        self.what = what


class InvalidInput(ServiceError):
    """Field name -> message. Nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class Conflict(ServiceError):
    """The request is valid but clashes with the current state (e.g. deleting a used account)."""
