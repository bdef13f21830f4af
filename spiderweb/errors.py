"""Errors raised by services; the API and the pages turn them into answers.

Each carries a stable snake_case `code`, a human `message`, the request `field` it concerns (if
any) and the HTTP status the API answers with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ServiceError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, field: str = "", details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = dict(details or {})


class InvalidInput(ServiceError):
    code = "invalid"
    status = 400


class NotFound(ServiceError):
    code = "not_found"
    status = 404


class AlreadyExists(ServiceError):
    code = "already_exists"
    status = 409


class InUse(ServiceError):
    code = "in_use"
    status = 409


class Misconfigured(ServiceError):
    """The deployment cannot do this as configured (e.g. no credential key decrypts a stored credential)."""

    code = "misconfigured"
    status = 500


class CloudFailure(ServiceError):
    """A cloud call failed; `code` is the driver error's code, which decides the answer's status."""

    status = 502

    def __init__(self, code: str, message: str, *, field: str = "") -> None:
        super().__init__(message, field=field)
        self.code = code
