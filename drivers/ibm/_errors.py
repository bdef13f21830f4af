"""IBM Cloud failures -> the driver error tree, keeping IBM's own message.

Every handler wraps its SDK calls in `translate()`. The VPC API answers an error with an HTTP status
and `{"errors": [{"code", "message", "more_info", "target"}], "trace"}`; the IAM token service with
`{"errorCode": "BXNIM...", "errorMessage"}`; the Global Tagging API with `{"errors": [{"code",
"message"}]}`. The SDK raises all of them as `ApiException` (status and the first message); the codes
are read from the answer's body. The mapping goes by code first and by status for codes it does not
know, as IBM documents the codes as open-ended ("code defensively").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from ibm_cloud_sdk_core import ApiException

from drivers.errors import (
    AlreadyExistsError,
    AuthError,
    DependencyError,
    DriverError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
    ProviderError,
    QuotaError,
    ThrottlingError,
    TransientError,
    UnreachableError,
)

DEFAULT_RETRY_AFTER = 1.0

_ALREADY_EXISTS = frozenset({"validation_unique_failed", "conflict_name", "name_conflict"})
_QUOTA = frozenset({"quota_exceeded", "over_quota", "insufficient_quota"})
_INVALID_STATE = frozenset(
    {"instance_invalid_state", "volume_attachment_exists", "volume_in_use_by_another_instance", "invalid_state"}
)
_AUTH = frozenset({"not_authorized", "forbidden", "unauthorized"})
_NOT_FOUND_SUFFIX = "_not_found"
_IN_USE_SUFFIX = "_in_use"


def codes_of(exc: ApiException) -> list[str]:
    """The error codes of an IBM answer ("not_found", "BXNIM0415E"...)."""
    body = _body(exc)
    codes: list[str] = []
    errors = body.get("errors")
    if isinstance(errors, list):
        codes.extend(str(item.get("code", "")) for item in errors if isinstance(item, dict))
    if "errorCode" in body:
        codes.append(str(body["errorCode"]))
    if "incidentID" in body and "code" in body:  # IKS: {"code", "description", "incidentID", "type"}
        codes.append(str(body["code"]))
    return [code for code in codes if code]


def _body(exc: ApiException) -> dict[str, Any]:
    response = exc.http_response
    if response is None:
        return {}
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _what(exc: ApiException) -> str:
    request = getattr(exc.http_response, "request", None)
    method, url = getattr(request, "method", None), getattr(request, "url", None)
    if not method or not url:
        return "the request"
    path = str(url).split("?", 1)[0].split("://", 1)[-1]
    return f"{method} {path.split('/', 1)[-1]}"


def _retry_after(exc: ApiException) -> float:
    headers = getattr(exc.http_response, "headers", None) or {}
    try:
        return float(headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def from_api_exception(exc: ApiException, *, field: str = "") -> DriverError:
    """The driver error for one error answer of an IBM Cloud API."""
    status = int(exc.status_code or 0)
    codes = codes_of(exc)
    body = _body(exc)
    # The SDK does not read IKS's "description"; without it the message is the HTTP phrase.
    message = str(body.get("description") or "") if "incidentID" in body else ""
    message = message or str(exc.message or "") or f"HTTP {status}"
    shown = ", ".join(codes) or str(status)
    what = _what(exc)
    refused = f"IBM Cloud refused {what} ({shown})."
    found = set(codes)
    if status == 429 or "rate_limit_exceeded" in found:
        return ThrottlingError(
            f"IBM Cloud is throttling {what} ({shown}).", retry_after=_retry_after(exc), provider_message=message
        )
    if found & _QUOTA:
        return QuotaError(refused, provider_message=message)
    if found & _ALREADY_EXISTS:
        return AlreadyExistsError(refused, provider_message=message, field=field)
    if any(code.endswith(_IN_USE_SUFFIX) for code in found):
        return DependencyError(refused, provider_message=message)
    if status == 404 or "not_found" in found or any(code.endswith(_NOT_FOUND_SUFFIX) for code in found):
        return NotFoundError(refused, provider_message=message, field=field)
    if found & _INVALID_STATE:
        return InvalidStateError(refused, provider_message=message, field=field)
    if any(code.startswith("BXNIM") for code in found) or found & _AUTH or status in (401, 403):
        return AuthError(f"IBM Cloud did not accept the credential for {what} ({shown}).", provider_message=message)
    if status >= 500:
        return ProviderError(f"IBM Cloud failed to answer {what} ({shown}).", provider_message=message)
    if status == 409:
        # A conflict other than "in use" (a resource still settling, a concurrent change): a later try may pass.
        return InvalidStateError(refused, provider_message=message, field=field)
    if status == 400 or found:
        return InvalidRequestError(refused, provider_message=message, field=field)
    return DriverError(refused, provider_message=message)


def from_requests_error(exc: requests.RequestException) -> DriverError:
    """Failures before any answer: no route to the endpoint, timeouts."""
    message = str(exc)
    if isinstance(exc, requests.ConnectTimeout | requests.ConnectionError):
        return UnreachableError(f"The IBM Cloud endpoint cannot be reached: {message}", provider_message=message)
    if isinstance(exc, requests.Timeout):
        return TransientError(f"IBM Cloud did not answer in time: {message}", provider_message=message)
    return DriverError(f"The request to IBM Cloud failed: {message}", provider_message=message)


@contextmanager
def translate(*, field: str = "") -> Iterator[None]:
    """Run IBM Cloud calls, re-raising their failures as `DriverError`s (`field` names the input a bad
    request or a missing resource is about)."""
    try:
        yield
    except ApiException as exc:
        raise from_api_exception(exc, field=field) from exc
    except requests.JSONDecodeError as exc:
        # An answer not in IBM's format: a proxy's error page, worth a later retry.
        raise ProviderError("IBM Cloud answered with something unreadable.", provider_message=str(exc)[:500]) from exc
    except requests.RequestException as exc:
        raise from_requests_error(exc) from exc
