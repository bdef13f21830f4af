"""azure-core exceptions -> the driver error tree, keeping Azure's own message.

Every handler wraps its SDK calls in `translate()`. ARM answers carry an error `code` that is more
precise than the HTTP status (a 409 is a name clash, a resource in use or a quota, depending on
it), so the mapping goes by code first, then by exception class, then by status.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    DecodeError,
    DeserializationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)

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

# Azure sends Retry-After with nearly every 429; this is the wait when it does not.
DEFAULT_RETRY_AFTER = 5.0

# Codes compare lower-cased: ARM is not consistent about their case across resource providers.
_AUTH = frozenset(
    {
        "authorizationfailed",
        "linkedauthorizationfailed",
        "authenticationfailed",
        "invalidauthenticationtoken",
        "invalidauthenticationtokentenant",
        "invalidauthenticationtokenaudience",
        "expiredauthenticationtoken",
        "readonlydisabledsubscription",
        "subscriptionnotfound",
        "invalidsubscriptionid",
    }
)
_SUBSCRIPTION = frozenset({"subscriptionnotfound", "invalidsubscriptionid"})
_THROTTLING = frozenset(
    {
        "toomanyrequests",
        "subscriptionrequeststhrottled",
        "tenantrequeststhrottled",
        "resourcerequeststhrottled",
        "operationthrottled",
        "requestthrottled",
    }
)
_QUOTA = frozenset({"quotaexceeded", "resourcequotaexceeded", "publicipcountlimitreached", "resourcecountexceeded"})
# Worth a retry as they are: another change of the same resource is still running, or ARM gave up on it.
_TRANSIENT = frozenset({"anotheroperationinprogress", "retryableerror", "operationpreempted", "conflictingoperation"})
_INVALID_STATE = frozenset(
    {
        "operationnotallowed",
        "conflict",
        "scopelocked",
        "resourcegroupbeingdeleted",
        "invalidresourcestate",
        "resourcenotready",
    }
)
# What stands on the resource: Azure's code for a public IP still attached to a NIC or a load balancer
# (https://learn.microsoft.com/en-us/azure/virtual-network/ip-services/remove-public-ip-address-vm).
_DEPENDENCY = frozenset({"publicipaddresscannotbedeleted"})
# AKS's words for "another operation of this cluster runs" in a 409 OperationNotAllowed
# (https://learn.microsoft.com/en-us/troubleshoot/azure/azure-kubernetes/create-upgrade-delete/error-code-operationnotallowed).
_IN_PROGRESS = re.compile(r"in progress|another operation|is being (?:created|updated|upgraded|scaled|deleted)", re.I)
_NOT_FOUND = frozenset({"resourcenotfound", "resourcegroupnotfound", "notfound", "parentresourcenotfound"})
_ALREADY_EXISTS = frozenset({"resourceexists", "alreadyexists", "conflictingresource"})
# Capacity, not the caller: the same request may pass later or in another zone.
_PROVIDER = frozenset(
    {
        "internalservererror",
        "internalerror",
        "internaloperationerror",
        "serviceunavailable",
        "gatewaytimeout",
        "allocationfailed",
        "zonalallocationfailed",
        "overconstrainedallocationrequest",
        "overconstrainedzonalallocationrequest",
    }
)
_INVALID = frozenset(
    {
        "badrequest",
        "invalidparameter",
        "invalidresourcename",
        "invalidrequestformat",
        "invalidrequestcontent",
        "invalidtemplate",
        "missingapiversionparameter",
        "noregisteredproviderfound",
        "locationnotavailableforresourcetype",
        "skunotavailable",
        "propertychangenotallowed",
        "linkedinvalidpropertyid",
        "requestdisallowedbypolicy",
        "missingsubscriptionregistration",
    }
)


def error_code(exc: BaseException) -> str:
    """Azure's error code of an SDK exception, or of the one behind a translated error ('' if none)."""
    if isinstance(exc, DriverError) and exc.__cause__ is not None:
        exc = exc.__cause__
    if isinstance(exc, HttpResponseError) and exc.error is not None and exc.error.code:
        return str(exc.error.code)
    return ""


def _message(exc: AzureError) -> str:
    if isinstance(exc, HttpResponseError):
        if exc.error is not None and exc.error.message:
            return str(exc.error.message)
        body = _body(exc)
        if body:
            return body
    text = str(exc.message or exc)
    return text.splitlines()[0] if text else type(exc).__name__


def _body(exc: HttpResponseError) -> str:
    """The start of an error answer that is not in ARM's format (a proxy's page, another API's JSON)."""
    if exc.response is None:
        return ""
    try:
        return " ".join(exc.response.text().split())[:500]
    except Exception:  # an answer without a readable body has nothing to add
        return ""


def _status(exc: AzureError) -> int:
    if isinstance(exc, HttpResponseError):
        if exc.status_code:
            return int(exc.status_code)
        if exc.response is not None and exc.response.status_code:
            return int(exc.response.status_code)
    return 0


def _retry_after(exc: AzureError) -> float | None:
    response = exc.response if isinstance(exc, HttpResponseError) else None
    if response is None:
        return None
    headers: Mapping[str, str] = getattr(response, "headers", {}) or {}
    value = headers.get("Retry-After", "")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(tz=UTC)).total_seconds(), 0.0)


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """The first exception of `kind` in `exc`'s chain of causes (azure-identity wraps transport failures)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def from_http_error(exc: HttpResponseError, *, field: str = "") -> DriverError:
    """The driver error for one Azure error answer; `field` names the input a bad request is about."""
    code = error_code(exc)
    key = code.lower()
    status = _status(exc)
    azure_message = _message(exc)
    label = code or (f"HTTP {status}" if status else "no status")
    message = f"Azure refused the request ({label})."
    if key in _AUTH or isinstance(exc, ClientAuthenticationError):
        return AuthError(
            f"Azure did not accept the credential ({label}).",
            provider_message=azure_message,
            field="SubscriptionId" if key in _SUBSCRIPTION else "",
        )
    if key in _THROTTLING or status == 429:
        return ThrottlingError(
            f"Azure is throttling requests ({label}).",
            retry_after=_retry_after(exc) or DEFAULT_RETRY_AFTER,
            provider_message=azure_message,
        )
    if "inuse" in key or key in _DEPENDENCY:
        return DependencyError(message, provider_message=azure_message)
    quota_words = "quota" in azure_message.lower()
    if (
        key in _QUOTA
        or key.endswith(("quotaexceeded", "limitreached", "limitexceeded"))
        or (key == "operationnotallowed" and quota_words)
    ):
        return QuotaError(message, provider_message=azure_message)
    if key in _TRANSIENT or (key == "operationnotallowed" and status == 409 and _IN_PROGRESS.search(azure_message)):
        # AKS answers 409 OperationNotAllowed while another operation of the cluster runs, for minutes
        # after a create or scale and during its own upgrades; it passes once that one is done.
        return TransientError(f"Azure is busy with another change ({label}).", provider_message=azure_message)
    if key in _INVALID_STATE:
        return InvalidStateError(message, provider_message=azure_message, field=field)
    if key in _NOT_FOUND or key.endswith("notfound") or isinstance(exc, ResourceNotFoundError) or status == 404:
        return NotFoundError(message, provider_message=azure_message, field=field)
    if key in _ALREADY_EXISTS or "alreadyexists" in key or isinstance(exc, ResourceExistsError):
        return AlreadyExistsError(message, provider_message=azure_message, field=field)
    if key in _PROVIDER or status >= 500 or isinstance(exc, DecodeError):
        return ProviderError(f"Azure failed to answer ({label}).", provider_message=azure_message)
    if key in _INVALID or key.startswith("invalid") or status == 400:
        return InvalidRequestError(message, provider_message=azure_message, field=field)
    if status in (401, 403):
        return AuthError(f"Azure did not accept the credential ({label}).", provider_message=azure_message)
    if status == 409:
        # A conflict with the resource's current state (a lock, a change under way...).
        return InvalidStateError(message, provider_message=azure_message, field=field)
    return DriverError(message, provider_message=azure_message)


def from_azure_error(exc: AzureError, *, field: str = "") -> DriverError:
    """Any azure-core failure: an error answer, or none at all (no route, timeout, token refused)."""
    if isinstance(exc, ClientAuthenticationError):
        # azure-identity reports a token endpoint it could not reach as an authentication failure.
        unreachable = _cause(exc, ServiceRequestError)
        if unreachable is not None:
            return UnreachableError(f"Microsoft Entra ID cannot be reached: {unreachable}", provider_message=str(exc))
        if _cause(exc, ServiceResponseError) is not None:
            return TransientError("Microsoft Entra ID did not answer in time.", provider_message=str(exc))
    if isinstance(exc, HttpResponseError):
        return from_http_error(exc, field=field)
    if isinstance(exc, ServiceRequestError):
        return UnreachableError(f"The Azure endpoint cannot be reached: {exc}", provider_message=str(exc))
    if isinstance(exc, ServiceResponseError):
        # The request may have been carried out; a retried create is safe because creates look names up first.
        return TransientError(f"Azure did not answer in time: {exc}", provider_message=str(exc))
    return DriverError(f"The Azure SDK failed: {exc}", provider_message=str(exc))


@contextmanager
def translate(*, field: str = "") -> Iterator[None]:
    """Run Azure calls, re-raising their failures as `DriverError`s (`field` as in `from_http_error`)."""
    try:
        yield
    except AzureError as exc:
        raise from_azure_error(exc, field=field) from exc
    except (json.JSONDecodeError, DeserializationError) as exc:
        # An answer not in Azure's format (a proxy's error page...), worth a later retry.
        raise ProviderError("Azure answered with something unreadable.", provider_message=str(exc)[:500]) from exc
