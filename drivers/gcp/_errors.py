"""Google Cloud failures -> the driver error tree, keeping Google's own message.

Every handler wraps its SDK calls in `translate()`. Google answers an error with an HTTP status and
a list of `reason`s (`notFound`, `resourceInUseByAnotherResource`, `rateLimitExceeded`...); a
failed long-running operation carries codes in the same spirit (`RESOURCE_ALREADY_EXISTS`,
`QUOTA_EXCEEDED`...). The mapping goes by reason first and by HTTP status for reasons it does not
know, as the reasons are the stable, documented part of an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import requests
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions
from google.cloud.compute_v1.types import compute
from google.protobuf.json_format import ParseError  # type: ignore[import-untyped]

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

# Google asks clients to back off on throttling but rarely says for how long.
DEFAULT_RETRY_AFTER = 1.0

# Reasons of HTTP error answers (camelCase) and codes of operation errors (UPPER_CASE), by meaning.
_NOT_FOUND = frozenset({"notFound", "RESOURCE_NOT_FOUND", "NOT_FOUND"})
_ALREADY_EXISTS = frozenset({"alreadyExists", "RESOURCE_ALREADY_EXISTS", "ALREADY_EXISTS", "duplicate"})
_DEPENDENCY = frozenset({"resourceInUseByAnotherResource", "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE", "resourceInUse"})
_INVALID_STATE = frozenset(
    {"resourceNotReady", "RESOURCE_NOT_READY", "UNSUPPORTED_OPERATION", "FAILED_PRECONDITION", "failedPrecondition"}
)
# A concurrent change won (ABORTED), or the resource is busy with another operation: a later retry passes.
_CONFLICT = frozenset({"ABORTED"})
_BUSY = re.compile(r"incompatible operation|is currently (?:running|creating|deleting|upgrading|updating)", re.I)
_THROTTLING = frozenset(
    {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED", "RESOURCE_OPERATION_RATE_EXCEEDED"}
)
_QUOTA = frozenset({"quotaExceeded", "QUOTA_EXCEEDED", "limitExceeded", "dailyLimitExceeded"})
# No capacity left in the zone: nothing the request can fix, and it may pass later.
_CAPACITY = frozenset(
    {"ZONE_RESOURCE_POOL_EXHAUSTED", "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS", "resourcePoolExhausted"}
)
_AUTH = frozenset(
    {
        "authError",
        "forbidden",
        "insufficientPermissions",
        "accessNotConfigured",
        "SERVICE_DISABLED",
        "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        "IAM_PERMISSION_DENIED",
        "PERMISSIONS_ERROR",
        "USER_PROJECT_DENIED",
        "CONSUMER_INVALID",
    }
)
_PROVIDER = frozenset({"backendError", "internalError", "INTERNAL_ERROR", "serviceUnavailable"})

_REQUEST_PREFIX = re.compile(r"^(?:GET|POST|PUT|PATCH|DELETE) \S+: ", re.DOTALL)
_API_PATH = re.compile(r"^https?://[^/]+(?:/compute/v1|/v1)?/")


def _retry_after(exc: api_exceptions.GoogleAPICallError) -> float:
    response = exc.response
    headers = getattr(response, "headers", None) or {}
    try:
        return float(headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def _status_name(exc: api_exceptions.GoogleAPICallError) -> str:
    """The canonical status of an error answer (`error.status`: FAILED_PRECONDITION, ABORTED...)."""
    try:
        payload = exc.response.json() if exc.response is not None else {}
    except (AttributeError, TypeError, ValueError):
        return ""
    error = payload.get("error") if isinstance(payload, dict) else None
    status = error.get("status") if isinstance(error, dict) else None
    return status if isinstance(status, str) else ""


def _reasons(exc: api_exceptions.GoogleAPICallError) -> list[str]:
    # HTTP answers of Compute Engine list dicts with a `reason`; an operation's failure, raised by the
    # SDK, lists its error entries with a `code`. The newer APIs (GKE, TPU) send no `errors` list,
    # only the canonical `error.status`, which is then the reason to go by.
    reasons = [
        str(item.get("reason", "")) if isinstance(item, dict) else str(getattr(item, "code", "")) for item in exc.errors
    ]
    if exc.reason:
        reasons.append(str(exc.reason))
    found = [reason for reason in reasons if reason]
    if not found:
        status = _status_name(exc)
        if status:
            found.append(status)
    return found


def _google_message(exc: api_exceptions.GoogleAPICallError) -> str:
    # The SDK prefixes Google's message with the method and URL; the caller sees those elsewhere.
    return _REQUEST_PREFIX.sub("", str(exc.message or "")) or type(exc).__name__


def _request_of(exc: api_exceptions.GoogleAPICallError) -> str:
    request = getattr(exc.response, "request", None)
    method, url = getattr(request, "method", None), getattr(request, "url", None)
    if not method or not url:
        return "the request"
    return f"{method} {_API_PATH.sub('', str(url).split('?', 1)[0])}"


def classify(
    reasons: Iterable[str],
    status: int,
    *,
    what: str,
    google_message: str,
    field: str = "",
    retry_after: float = DEFAULT_RETRY_AFTER,
) -> DriverError:
    """The driver error for one Google error: its reasons (or operation codes) and HTTP status."""
    found = set(reasons)
    shown = ", ".join(sorted(found)) or (str(status) if status else "no reason given")
    refused = f"Google Cloud refused {what} ({shown})."
    if found & _THROTTLING:
        return ThrottlingError(
            f"Google Cloud is throttling {what} ({shown}).", retry_after=retry_after, provider_message=google_message
        )
    if found & _QUOTA:
        return QuotaError(refused, provider_message=google_message)
    if found & _CAPACITY:
        return ProviderError(f"Google Cloud has no capacity for {what} ({shown}).", provider_message=google_message)
    if found & _DEPENDENCY:
        return DependencyError(refused, provider_message=google_message)
    if found & _ALREADY_EXISTS:
        return AlreadyExistsError(refused, provider_message=google_message, field=field)
    if found & _NOT_FOUND or status == 404:
        return NotFoundError(refused, provider_message=google_message, field=field)
    if found & _CONFLICT or (found & _INVALID_STATE and _BUSY.search(google_message)):
        # GKE refuses a change while another operation of the cluster runs, for minutes; so does any
        # read-modify-write that lost a race. Both pass when retried later.
        return TransientError(
            f"Google Cloud is busy with another change: {what} ({shown}).", provider_message=google_message
        )
    if found & _INVALID_STATE:
        return InvalidStateError(refused, provider_message=google_message, field=field)
    if found & _AUTH or status in (401, 403):
        return AuthError(
            f"Google Cloud did not accept the credential for {what} ({shown}).", provider_message=google_message
        )
    if found & _PROVIDER or status >= 500:
        return ProviderError(f"Google Cloud failed to answer {what} ({shown}).", provider_message=google_message)
    if status == 429:
        return ThrottlingError(
            f"Google Cloud is throttling {what} ({shown}).", retry_after=retry_after, provider_message=google_message
        )
    if status == 409:
        return AlreadyExistsError(refused, provider_message=google_message, field=field)
    if status == 412:
        # A fingerprint no longer matches: something changed the resource meanwhile; a retry reads it afresh.
        return TransientError(f"The resource changed during {what}.", provider_message=google_message)
    if status == 400 or found:
        return InvalidRequestError(refused, provider_message=google_message, field=field)
    return DriverError(refused, provider_message=google_message)


def from_api_error(exc: api_exceptions.GoogleAPICallError, *, field: str = "") -> DriverError:
    """The driver error for one HTTP error answer of a Google API."""
    return classify(
        _reasons(exc),
        int(exc.code or 0),
        what=_request_of(exc),
        google_message=_google_message(exc),
        field=field,
        retry_after=_retry_after(exc),
    )


def from_operation(operation: compute.Operation, *, what: str, field: str = "") -> DriverError | None:
    """The driver error of a finished Compute Engine operation, or None when it succeeded."""
    errors = list(operation.error.errors) if "error" in operation else []
    status = int(operation.http_error_status_code or 0)
    if not errors and not status:
        return None
    codes = [str(item.code) for item in errors if item.code]
    message = "; ".join(str(item.message) for item in errors if item.message) or str(operation.http_error_message)
    return classify(codes, status, what=what, google_message=message, field=field)


def from_auth_error(exc: auth_exceptions.GoogleAuthError) -> DriverError:
    """Failures of the token exchange: a refused key, or no way to reach the token endpoint."""
    message = str(exc)
    if isinstance(exc, auth_exceptions.RefreshError):
        if exc.retryable:
            return ProviderError("Google's token endpoint failed to answer.", provider_message=message)
        return AuthError("Google did not accept the service account key.", provider_message=message)
    if isinstance(exc, auth_exceptions.TransportError):
        return UnreachableError("Google's token endpoint cannot be reached.", provider_message=message)
    return AuthError("The service account credential cannot be used.", provider_message=message)


def from_requests_error(exc: requests.RequestException) -> DriverError:
    """Failures before any answer: no route to the endpoint, timeouts."""
    message = str(exc)
    if isinstance(exc, requests.ConnectTimeout | requests.ConnectionError):
        return UnreachableError(f"The Google Cloud endpoint cannot be reached: {message}", provider_message=message)
    if isinstance(exc, requests.Timeout):
        # The request may have been carried out; a retried create is safe because creates look names up first.
        return TransientError(f"Google Cloud did not answer in time: {message}", provider_message=message)
    return DriverError(f"The request to Google Cloud failed: {message}", provider_message=message)


@contextmanager
def translate(*, field: str = "") -> Iterator[None]:
    """Run Google Cloud calls, re-raising their failures as `DriverError`s (`field` names the input a
    bad request or a missing resource is about)."""
    try:
        yield
    except api_exceptions.GoogleAPICallError as exc:
        raise from_api_error(exc, field=field) from exc
    except auth_exceptions.GoogleAuthError as exc:
        raise from_auth_error(exc) from exc
    except requests.RequestException as exc:
        raise from_requests_error(exc) from exc
    except api_exceptions.RetryError as exc:
        raise TransientError("Google Cloud did not finish in time.", provider_message=str(exc)) from exc
    except ParseError as exc:
        # An answer not in Google's format: a proxy's error page, worth a later retry.
        raise ProviderError(
            "Google Cloud answered with something unreadable.", provider_message=str(exc)[:500]
        ) from exc


def reasons_of(exc: BaseException) -> list[str]:
    """The Google reasons behind a translated error ([] for anything else)."""
    cause = exc.__cause__
    if isinstance(cause, api_exceptions.GoogleAPICallError):
        return _reasons(cause)
    return []
