"""Tencent Cloud failures -> the driver error tree, keeping Tencent's own message.

Every API answers a failure as `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`, which the
SDK raises as `TencentCloudSDKException(code, message, requestId)`. Codes are dotted: a common
prefix (`AuthFailure`, `ResourceNotFound`, `InvalidParameterValue`...) and a product-specific
suffix. The mapping goes by the whole code first (the documented per-product ones in each SDK's
`errorcodes.py`) and by prefix for the rest; the common codes are those of
https://www.tencentcloud.com/document/api/213/33281 (CVM "Common Error Codes").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

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

# Tencent limits calls per second per action and says nothing of how long to wait: a second.
DEFAULT_RETRY_AFTER = 1.0

_DEPENDENCY = frozenset(
    {
        "ResourceInUse",
        "ResourceInUse.Address",
        "UnsupportedOperation.DelDefaultSg",
        "InvalidSecurityGroupId.InUse",
        "ResourceInUse.ExistRunningPod",
        "FailedOperation.ClbResourceInUse",
    }
)
_INVALID_STATE = frozenset(
    {
        "InvalidInstanceState",
        "InvalidDisk.Busy",
        "ResourceBusy",
        "OperationDenied.InstanceOperationInProgress",
        "FailedOperation.ResourceBusy",
        "UnsupportedOperation.DiskBusy",
        "ResourceUnavailable.ClusterState",
        "InternalError.ClusterState",
        "FailedOperation.ClusterState",
        "ResourceUnavailable.Attached",
        "UnsupportedOperation.StateError",
        "UnsupportedOperation.InstanceNotStopped",
    }
)
_ALREADY_EXISTS = frozenset(
    {
        "InvalidKeyPairName.Duplicate",
        "InvalidParameterValue.Duplicate",
        "InvalidParameterValue.DuplicateTags",
        "ResourceInUse.ResourceExistAlready",
    }
)


def _is_not_found(code: str) -> bool:
    head, _, tail = code.partition(".")
    return (
        head in ("ResourceNotFound", "ResourceUnavailable.NotFound")
        or tail in ("NotFound",)
        or tail.endswith(("NotExist", "NotFound", "NotExists"))
    )


def map_error(code: str, message: str) -> DriverError:
    """The driver error a Tencent error code stands for."""
    head = code.split(".", 1)[0]
    if head == "RequestLimitExceeded":
        return ThrottlingError(
            f"Tencent Cloud is throttling requests ({code}).",
            retry_after=DEFAULT_RETRY_AFTER,
            provider_message=message,
        )
    if head in ("AuthFailure", "UnauthorizedOperation") or code == "InvalidCredential":
        return AuthError(f"Tencent Cloud refused the credential ({code}).", provider_message=message)
    if code in _DEPENDENCY:
        return DependencyError(f"The resource is in use ({code}).", provider_message=message)
    if code in _INVALID_STATE or code.startswith("UnsupportedOperation.InstanceState"):
        return InvalidStateError(f"Not possible in the resource's current state ({code}).", provider_message=message)
    if code in _ALREADY_EXISTS or code.endswith("Duplicate"):
        return AlreadyExistsError(f"The name is taken ({code}).", provider_message=message)
    if _is_not_found(code):
        return NotFoundError(f"Not found ({code}).", provider_message=message)
    if head in ("LimitExceeded",) or code.endswith("LimitExceeded") or code.startswith("InsufficientBalance"):
        return QuotaError(f"A Tencent Cloud quota is exhausted ({code}).", provider_message=message)
    if code == "FailedOperation.ResourceInOperating":
        return TransientError(f"Tencent Cloud is still busy with the resource ({code}).", provider_message=message)
    if head == "ResourceInsufficient" or head == "ResourcesSoldOut":
        return TransientError(f"Tencent Cloud lacks capacity ({code}).", provider_message=message)
    if head in ("InternalError", "ServerNetworkError") or code == "ResourceUnavailable":
        return ProviderError(f"Tencent Cloud failed internally ({code}).", provider_message=message)
    if head == "ClientNetworkError":
        return UnreachableError("Tencent Cloud cannot be reached.", provider_message=message)
    if code == "UnsupportedRegion":
        return InvalidRequestError(
            f"The region is not offered by this Tencent Cloud service ({code}).",
            provider_message=message,
            field="region",
        )
    return InvalidRequestError(f"Tencent Cloud refused the request ({code}).", provider_message=message)


@contextmanager
def translate() -> Iterator[None]:
    """Raise the driver error for any `TencentCloudSDKException` raised inside the block."""
    try:
        yield
    except TencentCloudSDKException as exc:
        raise map_error(str(exc.code or ""), str(exc.message or "")) from None
