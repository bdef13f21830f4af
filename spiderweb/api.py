"""API plumbing shared by every app: pagination and the one error format.

Every error answer is `{"error": {"code", "message", "field", ...}}`; driver errors keep the
provider's message and get the status DESIGN §6 gives their kind.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import set_rollback

from drivers import errors as driver_errors
from spiderweb.errors import ServiceError

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


# Most specific first: the first matching class decides the status.
DRIVER_ERROR_STATUS: list[tuple[type[driver_errors.DriverError], int]] = [
    (driver_errors.ThrottlingError, status.HTTP_429_TOO_MANY_REQUESTS),
    (driver_errors.ProviderError, status.HTTP_502_BAD_GATEWAY),
    (driver_errors.TransientError, status.HTTP_504_GATEWAY_TIMEOUT),
    (driver_errors.UnreachableError, status.HTTP_502_BAD_GATEWAY),
    (driver_errors.NotFoundError, status.HTTP_404_NOT_FOUND),
    (driver_errors.AlreadyExistsError, status.HTTP_409_CONFLICT),
    (driver_errors.DependencyError, status.HTTP_409_CONFLICT),
    (driver_errors.InvalidRequestError, status.HTTP_400_BAD_REQUEST),
    (driver_errors.NotSupportedError, status.HTTP_501_NOT_IMPLEMENTED),
    # The cloud refused our credential: not the caller's own authentication, so not 401.
    (driver_errors.AuthError, status.HTTP_422_UNPROCESSABLE_ENTITY),
    (driver_errors.QuotaError, status.HTTP_422_UNPROCESSABLE_ENTITY),
    (driver_errors.DriverError, status.HTTP_502_BAD_GATEWAY),
]


def driver_error_status(exc: driver_errors.DriverError) -> int:
    for cls, code in DRIVER_ERROR_STATUS:
        if isinstance(exc, cls):
            return code
    return status.HTTP_502_BAD_GATEWAY


def error_body(code: str, message: str, field: str = "", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    body.update({key: value for key, value in extra.items() if value not in (None, {}, [])})
    return {"error": body}


def _first_validation_error(detail: Any, prefix: str = "") -> tuple[str, str]:
    """Return (field path, message) of the first problem in a DRF validation detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            return _first_validation_error(value, path)
    if isinstance(detail, list) and detail:
        for index, item in enumerate(detail):
            if item:
                nested = f"{prefix}[{index}]" if isinstance(item, (dict, list)) and prefix else prefix
                return _first_validation_error(item, nested)
    return prefix, str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, exc.field, details=exc.details), status=exc.status)
    if isinstance(exc, driver_errors.DriverError):
        set_rollback()
        extra: dict[str, Any] = {}
        if isinstance(exc, driver_errors.ThrottlingError) and exc.retry_after is not None:
            extra["retry_after"] = exc.retry_after
        return Response(error_body(exc.code, str(exc), exc.field, **extra), status=driver_error_status(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_validation_error(exc.detail)
        text = f"{field}: {message}" if field else message
        return Response(error_body("invalid", text, field, details=exc.detail), status=exc.status_code)
    if isinstance(exc, exceptions.APIException):
        headers: dict[str, str] = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(exc.wait)  # type: ignore[attr-defined]
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        return Response(error_body(str(code), str(exc.detail)), status=exc.status_code, headers=headers)
    return None
