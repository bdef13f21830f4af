"""KT Cloud classic failures -> the driver error tree, keeping KT Cloud's `errortext`.

A failed call answers an HTTP status equal to CloudStack's `errorcode` and the body
`{"<command>response": {"errorcode": 431, "cserrorcode": 9999, "errortext": "..."}}`; a failed
asynchronous job carries the same two fields in its `jobresult`. The codes are CloudStack's
`org.apache.cloudstack.api.ApiErrorCode`: 401 unauthorized (a wrong key or signature), 405 method
not allowed, 429 API limit exceeded, 430 malformed parameter, 431 parameter error (also an unknown
id: "entity does not exist"), 432 unsupported action (also a command not available to the
account), 530 internal error, 531 account error, 532 account resource limit, 533 insufficient
capacity, 534 resource unavailable, 535 resource allocation error, 536 resource in use, 537 network
rule conflict.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests

from drivers.errors import (
    AuthError,
    DependencyError,
    DriverError,
    InvalidRequestError,
    NotFoundError,
    ProviderError,
    QuotaError,
    ThrottlingError,
    TransientError,
    UnreachableError,
)

# KT Cloud does not say how long to back off after a 429.
DEFAULT_RETRY_AFTER = 1.0
_MISSING = ("entity does not exist", "does not exist", "not found", "unable to find")


def classify(code: int, text: str, *, what: str, field: str = "") -> DriverError:
    """The driver error for one KT Cloud error code and text; `what` names the call in messages."""
    refused = f"KT Cloud refused {what} (error {code})."
    lowered = text.lower()
    if code == 401:
        return AuthError(
            f"KT Cloud did not accept the API key or the request signature for {what}.", provider_message=text
        )
    if code == 432:
        return AuthError(f"{what} is not available to this KT Cloud account (error 432).", provider_message=text)
    if code == 531:
        return AuthError(f"KT Cloud refused the account for {what} (error 531).", provider_message=text)
    if code == 429:
        return ThrottlingError(
            f"KT Cloud is throttling {what} (error 429).", retry_after=DEFAULT_RETRY_AFTER, provider_message=text
        )
    if code == 532:
        return QuotaError(refused, provider_message=text)
    if code == 536:
        return DependencyError(refused, provider_message=text)
    if code in (530, 533, 534, 535) or code >= 500:
        return ProviderError(f"KT Cloud failed to carry out {what} (error {code}).", provider_message=text)
    if code in (430, 431) and any(marker in lowered for marker in _MISSING):
        return NotFoundError(refused, provider_message=text, field=field)
    if code in (405, 430, 431, 537) or 400 <= code < 500:
        return InvalidRequestError(refused, provider_message=text, field=field)
    return DriverError(refused, provider_message=text)


def from_requests_error(exc: requests.RequestException) -> DriverError:
    """Failures before any answer: no route to the endpoint, timeouts."""
    message = str(exc)
    if isinstance(exc, requests.ConnectTimeout | requests.ConnectionError):
        return UnreachableError(f"The KT Cloud endpoint cannot be reached: {message}", provider_message=message)
    if isinstance(exc, requests.Timeout):
        # The call may have been carried out; a retried create is safe because creates look names up first.
        return TransientError(f"KT Cloud did not answer in time: {message}", provider_message=message)
    return DriverError(f"The request to KT Cloud failed: {message}", provider_message=message)


@contextmanager
def translate() -> Iterator[None]:
    """Run HTTP calls, re-raising transport failures as `DriverError`s."""
    try:
        yield
    except requests.RequestException as exc:
        raise from_requests_error(exc) from exc
