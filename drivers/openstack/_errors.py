"""openstacksdk's and keystoneauth's exceptions mapped onto the driver error tree.

The SDK raises `HttpException` subclasses carrying the status code and the service's own message
(Nova's `{"itemNotFound": {"message": ...}}`, Neutron's `NeutronError`, Octavia's `faultstring`,
Glance's HTML page); keystoneauth raises its own classes for the token request and for transport
failures. The class is chosen from the status, refined by the message where one status means
several things (Neutron's 409 is "in use", "over quota" or "already exists").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from keystoneauth1 import exceptions as ks_exc
from openstack import exceptions as os_exc

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

_QUOTA = re.compile(r"quota|overquota|over quota|limit exceeded|exceeded", re.IGNORECASE)
_IN_USE = re.compile(r"in use|inuse|still has|has (?:ports|dependent)|attached|being used", re.IGNORECASE)
_EXISTS = re.compile(r"already exists|duplicate", re.IGNORECASE)


def _detail(exc: Exception) -> str:
    details = getattr(exc, "details", None)
    if details:
        return str(details)
    message = getattr(exc, "message", "") or str(exc)
    return str(message)


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    header = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(header) if header is not None else None
    except ValueError:
        return None


def from_http(status: int, provider: str, exc: Exception) -> DriverError:
    if status == 401:
        return AuthError("OpenStack refused the credential (401).", provider_message=provider)
    if status == 403:
        if _QUOTA.search(provider):
            return QuotaError("An OpenStack quota would be exceeded.", provider_message=provider)
        return AuthError("The OpenStack user may not do that (403).", provider_message=provider)
    if status == 404:
        return NotFoundError("OpenStack has no such resource.", provider_message=provider)
    if status == 409:
        if _QUOTA.search(provider):
            return QuotaError("An OpenStack quota would be exceeded.", provider_message=provider)
        if _EXISTS.search(provider):
            return AlreadyExistsError("It already exists in OpenStack.", provider_message=provider)
        if _IN_USE.search(provider):
            return DependencyError("It is still in use in OpenStack.", provider_message=provider)
        return InvalidStateError("OpenStack refused it in the resource's current state.", provider_message=provider)
    if status == 413 or (status == 400 and _QUOTA.search(provider) and "quota" in provider.lower()):
        if "retry" in provider.lower() or _retry_after(exc) is not None:
            return ThrottlingError(
                "OpenStack is rate limiting.", retry_after=_retry_after(exc), provider_message=provider
            )
        return QuotaError("An OpenStack quota would be exceeded.", provider_message=provider)
    if status == 429:
        return ThrottlingError("OpenStack is rate limiting.", retry_after=_retry_after(exc), provider_message=provider)
    if 400 <= status < 500:
        return InvalidRequestError("OpenStack refused the request.", provider_message=provider)
    if status in (502, 503, 504):
        return ProviderError(f"OpenStack is unavailable ({status}).", provider_message=provider)
    return ProviderError(f"OpenStack failed ({status}).", provider_message=provider)


def map_exception(exc: Exception) -> DriverError:
    if isinstance(exc, DriverError):
        return exc
    if isinstance(exc, os_exc.HttpException):
        return from_http(int(exc.status_code or 0), _detail(exc), exc)
    if isinstance(exc, ks_exc.EndpointNotFound):
        return NotFoundError(
            "The OpenStack service catalogue has no such service in this region.", provider_message=str(exc)
        )
    if isinstance(exc, ks_exc.HttpError):
        return from_http(int(exc.http_status or 0), str(exc.message or exc), exc)
    if isinstance(exc, ks_exc.ConnectionError | ks_exc.DiscoveryFailure):
        return UnreachableError("OpenStack cannot be reached.", provider_message=str(exc))
    if isinstance(exc, os_exc.ResourceTimeout):
        return TransientError("OpenStack took too long.", provider_message=str(exc))
    if isinstance(exc, os_exc.SDKException | ks_exc.ClientException):
        return DriverError("OpenStack call failed.", provider_message=str(exc))
    raise exc


@contextmanager
def translate() -> Iterator[None]:
    """Run SDK calls, raising any failure as a `DriverError`."""
    try:
        yield
    except DriverError:
        raise
    except (os_exc.SDKException, ks_exc.ClientException) as exc:
        raise map_exception(exc) from exc
