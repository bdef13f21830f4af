"""NCP failures -> the driver error tree, keeping NCP's own message.

Two shapes reach the client (NCP API guide, "Error handling" of the legacy APIs):
- the API gateway's, before the service is reached: an HTTP status with
  `{"error": {"errorCode": "200", "message": "Authentication Failed", "details": "..."}}`; codes 100
  (400 bad request), 200/210 (401 authentication failed / permission denied), 300 (404 no such API),
  400/410/420 (429 quota, throttle, rate), 430 (413), 500/510 (503/504 endpoint error, timeout),
  900 (500 unexpected);
- the service's own: HTTP 400 (or 500) with `{"responseError": {"returnCode": "...", "returnMessage": "..."}}`.
  NCP documents no table of its return codes per condition, so those are read by the message's
  wording (kept in `provider_message` for whoever needs the exact words).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
)

_GATEWAY_AUTH = frozenset({"200", "210"})
_GATEWAY_THROTTLE = frozenset({"410", "420"})

# Wording of service messages, checked in this order (lower case).
_WORDING: tuple[tuple[tuple[str, ...], type[DriverError]], ...] = (
    (("already exist", "duplicate", "already in use by name", "is already used"), AlreadyExistsError),
    (("not found", "does not exist", "not exist", "no such"), NotFoundError),
    (("in use", "being used", "is used by", "cannot be deleted while", "still attached", "dependent"), DependencyError),
    (("quota", "limit exceeded", "exceeded the maximum"), QuotaError),
    (("status", "state", "in progress", "being manipulated", "in operation"), InvalidStateError),
)


def from_answer(action: str, status: int, body: Mapping[str, Any], headers: Mapping[str, str]) -> DriverError:
    gateway = body.get("error")
    if isinstance(gateway, Mapping):
        code = str(gateway.get("errorCode", ""))
        text = " ".join(str(gateway.get(key, "")) for key in ("message", "details") if gateway.get(key)).strip()
        provider = f"{code} {text}".strip()
        if code in _GATEWAY_AUTH or status == 401:
            return AuthError(f"NCP refused the access key for {action}: {text}", provider_message=provider)
        if code in _GATEWAY_THROTTLE or status == 429:
            return ThrottlingError(
                f"NCP throttled {action}.", retry_after=_retry_after(headers), provider_message=provider
            )
        if code == "400":
            return QuotaError(f"NCP's API quota is used up ({action}).", provider_message=provider)
        if status >= 500:
            return ProviderError(f"NCP failed on {action}.", provider_message=provider)
        return InvalidRequestError(f"NCP refused {action}: {text}", provider_message=provider)
    service = body.get("responseError")
    if isinstance(service, Mapping):
        code = str(service.get("returnCode", ""))
        text = str(service.get("returnMessage", "")).strip()
        provider = f"{code} {text}".strip()
        if status >= 500:
            return ProviderError(f"NCP failed on {action}: {text}", provider_message=provider)
        lowered = text.lower()
        for words, cls in _WORDING:
            if any(word in lowered for word in words):
                return cls(f"NCP refused {action}: {text}", provider_message=provider)
        return InvalidRequestError(f"NCP refused {action}: {text}", provider_message=provider)
    if status >= 500:
        return ProviderError(f"NCP failed on {action} (HTTP {status}).")
    return InvalidRequestError(f"NCP gave an answer to {action} that is not an NCP answer (HTTP {status}).")


def from_rest(what: str, status: int, body: Mapping[str, Any], headers: Mapping[str, str]) -> DriverError:
    """A failure of one of NCP's REST APIs (NKS). They answer in the gateway's `error` shape; the HTTP status
    tells a missing object (404) and a conflict (409) apart, the wording the rest."""
    gateway = body.get("error")
    error: Mapping[str, Any] = gateway if isinstance(gateway, Mapping) else body
    code = str(error.get("errorCode", error.get("code", "")))
    if code in _GATEWAY_AUTH or code in _GATEWAY_THROTTLE or status in (401, 429):
        return from_answer(what, status, {"error": error}, headers)
    text = " ".join(str(error.get(key, "")) for key in ("message", "details") if error.get(key)).strip()
    provider = f"{code} {text}".strip()
    if status >= 500:
        return ProviderError(f"NCP failed on {what}: {text}", provider_message=provider)
    if status == 404:
        return NotFoundError(f"NCP found nothing for {what}: {text}", provider_message=provider)
    lowered = text.lower()
    for words, cls in _WORDING:
        if any(word in lowered for word in words):
            return cls(f"NCP refused {what}: {text}", provider_message=provider)
    if status == 409:
        return InvalidStateError(f"NCP refused {what}: {text}", provider_message=provider)
    return InvalidRequestError(f"NCP refused {what}: {text}", provider_message=provider)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        return float(headers.get("Retry-After", ""))
    except (TypeError, ValueError):
        return None
