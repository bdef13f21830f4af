"""API plumbing shared by every app: pagination and the one error format.

Every error answer is `{"error": {"code", "message", "field", ...}}`; driver errors keep the
provider's message and get the status DESIGN §6 gives their kind.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.fields import Field
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import set_rollback

from drivers import errors as driver_errors
from spiderweb.errors import CloudFailure, ServiceError

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def page_of(item: type[Serializer], *, name: str = "", extra: dict[str, Field] | None = None) -> Serializer:
    """The schema of a page of `item`s as `Pagination` answers it (plus `extra` fields)."""
    return inline_serializer(
        name=f"Paginated{name or item.__name__.removesuffix('Out')}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
            **(extra or {}),
        },
    )


# One status per error code, for driver errors, service errors and failed operations alike.
STATUS_BY_CODE: dict[str, int] = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "invalid_request": status.HTTP_400_BAD_REQUEST,
    "not_found": status.HTTP_404_NOT_FOUND,
    "already_exists": status.HTTP_409_CONFLICT,
    "in_use": status.HTTP_409_CONFLICT,
    "invalid_state": status.HTTP_409_CONFLICT,
    # The cloud refused our credential: not the caller's own authentication, so not 401.
    "auth_failed": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "quota_exceeded": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "throttled": status.HTTP_429_TOO_MANY_REQUESTS,
    "misconfigured": status.HTTP_500_INTERNAL_SERVER_ERROR,
    "not_supported": status.HTTP_501_NOT_IMPLEMENTED,
    "provider_error": status.HTTP_502_BAD_GATEWAY,
    "unreachable": status.HTTP_502_BAD_GATEWAY,
    "driver_error": status.HTTP_502_BAD_GATEWAY,
    "transient": status.HTTP_504_GATEWAY_TIMEOUT,
    "worker_lost": status.HTTP_504_GATEWAY_TIMEOUT,
}


def status_for_code(code: str) -> int:
    return STATUS_BY_CODE.get(code, status.HTTP_500_INTERNAL_SERVER_ERROR)


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
        code = status_for_code(exc.code) if isinstance(exc, CloudFailure) else exc.status
        return Response(error_body(exc.code, exc.message, exc.field, details=exc.details), status=code)
    if isinstance(exc, driver_errors.DriverError):
        set_rollback()
        extra: dict[str, Any] = {}
        if isinstance(exc, driver_errors.ThrottlingError) and exc.retry_after is not None:
            extra["retry_after"] = exc.retry_after
        return Response(error_body(exc.code, str(exc), exc.field, **extra), status=status_for_code(exc.code))
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
        codes = exc.get_codes()
        return Response(
            error_body(codes if isinstance(codes, str) else "error", str(exc.detail)),
            status=exc.status_code,
            headers=headers,
        )
    return None
