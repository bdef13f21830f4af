"""Alibaba Cloud failures -> the driver error tree, keeping Alibaba's own message.

Every OpenAPI error answer carries a `Code` (`InvalidVpcId.NotFound`, `DependencyViolation.VSwitch`,
`Throttling.User`...), a `Message` and a `RequestId`. The codes are the documented, stable part of an
answer, so the mapping goes by code first (its shape: `*.NotFound`, `*.Duplicate`...) and by HTTP
status for codes it does not know. Codes taken from the ECS, VPC, SLB, CS and CMS API references'
error-code tables (https://api.aliyun.com/document/Ecs/2014-05-26/errorCode and the products' pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from alibabacloud_tea_openapi import exceptions as openapi_exceptions
from darabonba.exceptions import DaraException, RetryError, UnretryableException

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
    UnreachableError,
)

# Alibaba's throttling answers rarely say how long to wait (only gateways that send
# x-acs-retry-after do); one second is the back-off its SDKs start with.
DEFAULT_RETRY_AFTER = 1.0

_AUTH = frozenset(
    {
        "InvalidAccessKeyId",
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidSecurityToken.Expired",
        "Forbidden",
        "Forbidden.RAM",
        "Forbidden.AccessKeyDisabled",
        "NoPermission",
        "ErrorAccountNotAuth",
        "InvalidApi.NotPurchase",
    }
)
_THROTTLING = re.compile(r"^(Throttling|ServiceUnavailable\.Throttling|RequestLimitExceeded|Throttling\..*)$")
_PROVIDER = frozenset({"InternalError", "UnknownError", "ServiceUnavailable", "InternalServerError"})
_INVALID_STATE = re.compile(
    r"(IncorrectStatus|IncorrectInstanceStatus|IncorrectDiskStatus|IncorrectVpcStatus|IncorrectVSwitchStatus"
    r"|OperationConflict|TaskConflict|ClusterStateNotSupport|ErrorClusterState|InvalidStatus|LastTokenProcessing"
    r"|Operation\.Conflict|DiskStatus|InstanceStatus)"
)
_DEPENDENCY = re.compile(r"(DependencyViolation|InUse|IsInUse|HasAttached|\.Dependency|ResourceInUse)")
_ALREADY = re.compile(r"(\.Duplicate|AlreadyExist|\.Exist$|NameExist|Duplicated|DuplicatedName)")
_QUOTA = re.compile(r"(QuotaExceed|Quota\.|\.LimitExceed|LimitExceeded)")
# The zone has no stock of the instance type left: nothing the request can fix, and it may pass later.
_NO_STOCK = re.compile(r"(NoStock|ResourceNotAvailable|Zone\.NotOnSale)")
_NOT_FOUND = re.compile(r"(NotFound|NotExist|Not\.Exist|Nonexist|ErrorClusterNotFound)")


def _message(exc: openapi_exceptions.AlibabaCloudException) -> str:
    """The `Message` of Alibaba's answer, without the SDK's "code: 400, ... request id:" wrapping."""
    data = exc.data if isinstance(exc.data, dict) else {}
    message = data.get("Message") or data.get("message") or exc.message or ""
    return str(message)


def from_exception(exc: openapi_exceptions.AlibabaCloudException) -> DriverError:
    """The driver error for one Alibaba error answer."""
    code = str(exc.code or "")
    status = int(exc.status_code or 0)
    cloud = _message(exc)
    provider = f"{code}: {cloud}" if code else cloud
    text = f"Alibaba Cloud refused the request ({code or status}): {cloud}"
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(exc, openapi_exceptions.ThrottlingException) or _THROTTLING.match(code):
        # The SDK reads x-acs-retry-after in milliseconds (it sleeps that long itself when retrying).
        wait = retry_after / 1000 if isinstance(retry_after, int | float) and retry_after > 0 else DEFAULT_RETRY_AFTER
        return ThrottlingError(text, retry_after=wait, provider_message=provider)
    if code in _AUTH or code.startswith("Forbidden"):
        return AuthError(text, provider_message=provider)
    if code in _PROVIDER or status >= 500:
        return ProviderError(text, provider_message=provider)
    if _NO_STOCK.search(code):
        return ProviderError(f"Alibaba Cloud has no stock for the request ({code}): {cloud}", provider_message=provider)
    # ECS answers many refusals with 403 (a wrong state, a dependency, a value it does not sell), so
    # the code decides; only Forbidden* codes and a 401 mean the caller may not.
    if _INVALID_STATE.search(code):
        return InvalidStateError(text, provider_message=provider)
    if _DEPENDENCY.search(code):
        return DependencyError(text, provider_message=provider)
    if _ALREADY.search(code):
        return AlreadyExistsError(text, provider_message=provider)
    if _QUOTA.search(code):
        return QuotaError(text, provider_message=provider)
    if _NOT_FOUND.search(code) or status == 404:
        return NotFoundError(text, provider_message=provider)
    if status == 401:
        return AuthError(text, provider_message=provider)
    return InvalidRequestError(text, provider_message=provider)


@contextmanager
def translate() -> Iterator[None]:
    """Raise every SDK failure inside the block as the driver error it means."""
    try:
        yield
    except DriverError:
        raise
    except openapi_exceptions.AlibabaCloudException as exc:
        raise from_exception(exc) from exc
    except (RetryError, UnretryableException) as exc:
        # The SDK wraps a connection failure (no route, DNS, TLS, timeout) in these.
        raise UnreachableError(f"Alibaba Cloud could not be reached: {exc}") from exc
    except DaraException as exc:
        raise InvalidRequestError(f"The Alibaba Cloud SDK refused the request: {exc}") from exc
