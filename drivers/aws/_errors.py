"""botocore exceptions -> the driver error tree, keeping AWS's own message.

Every handler wraps its SDK calls in `translate()`. AWS error codes are stable strings
(`InvalidVpcID.NotFound`, `DependencyViolation`, ...), so the mapping goes by code first and by
HTTP status only for codes it does not know.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

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

# AWS sends no Retry-After on throttling; its guidance is to back off from about a second.
DEFAULT_RETRY_AFTER = 1.0

_AUTH = frozenset(
    {
        "AuthFailure",
        "UnauthorizedOperation",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "AccessDenied",
        "AccessDeniedException",
        "ExpiredToken",
        "ExpiredTokenException",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "MissingAuthenticationToken",
        "OptInRequired",
        "Blocked",
    }
)
_THROTTLING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "SlowDown",
        "PriorRequestNotComplete",
    }
)
_NOT_FOUND = frozenset(
    {"ResourceNotFoundException", "NoSuchEntity", "NotFoundException", "NotFound"}
    # ELBv2 names its absent resources without a ".NotFound" suffix.
    | {"LoadBalancerNotFound", "TargetGroupNotFound", "ListenerNotFound", "SubnetNotFound", "RuleNotFound"}
)
_ALREADY_EXISTS = frozenset(
    {"AlreadyExists", "EntityAlreadyExists", "ResourceAlreadyExistsException"}
    | {"DuplicateLoadBalancerName", "DuplicateTargetGroupName", "DuplicateListener"}
)
# EKS answers ResourceInUseException both for a name that is taken and for a resource still in use;
# its create calls turn the first case into AlreadyExistsError themselves.
_DEPENDENCY = frozenset(
    {"DependencyViolation", "ResourceInUse", "ResourceInUseException", "InvalidGroup.InUse", "VolumeInUse"}
)
_INVALID_STATE = frozenset({"IncorrectState", "IncorrectInstanceState", "InvalidStateTransition"})
_INVALID = frozenset(
    {
        "InvalidParameter",
        "InvalidParameterValue",
        "InvalidParameterCombination",
        "InvalidInput",
        "MissingParameter",
        "UnknownParameter",
        "ValidationError",
        "ValidationException",
        "InvalidRequest",
        "InvalidSubnet.Range",
        "InvalidSubnet.Conflict",
        "InvalidVpc.Range",
        "InvalidInstanceType",
        "InvalidPermission.Malformed",
        "InvalidBlockDeviceMapping",
        "InvalidFilter",
        "InvalidPaginationToken",
        "UnsupportedOperation",
    }
)
_QUOTA = frozenset(
    {
        "InstanceLimitExceeded",
        "VpcLimitExceeded",
        "SubnetLimitExceeded",
        "SecurityGroupLimitExceeded",
        "RulesPerSecurityGroupLimitExceeded",
        "KeyPairLimitExceeded",
        "VolumeLimitExceeded",
        "ResourceLimitExceeded",
        "ResourceLimitExceededException",
        "LimitExceededException",
        "LimitExceeded",
        "VcpuLimitExceeded",
        "MaxSpotInstanceCountExceeded",
        "TooManyLoadBalancers",
        "TooManyTargetGroups",
        "TooManyTargets",
        "TooManyListeners",
        "TooManyRegistrationsForTargetId",
        "TooManyTags",
    }
)
_PROVIDER = frozenset(
    {
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "ServerInternal",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ServerException",
        "Unavailable",
        "InsufficientInstanceCapacity",
        "InsufficientCapacity",
    }
)


def from_client_error(exc: ClientError, *, field: str = "") -> DriverError:
    """The driver error for one AWS error answer; `field` names the input a bad request is about."""
    error: dict[str, Any] = dict(exc.response.get("Error", {}))
    code = str(error.get("Code", "")) or "Unknown"
    aws_message = str(error.get("Message", "")) or code
    operation = exc.operation_name or "the request"
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    message = f"AWS refused {operation} ({code})."
    if code in _AUTH:
        return AuthError(f"AWS did not accept the credential for {operation} ({code}).", provider_message=aws_message)
    if code in _THROTTLING:
        return ThrottlingError(
            f"AWS is throttling {operation} ({code}).",
            retry_after=_retry_after(exc) or DEFAULT_RETRY_AFTER,
            provider_message=aws_message,
        )
    if code in _NOT_FOUND or code.endswith(".NotFound") or code.endswith("NotFoundException"):
        return NotFoundError(message, provider_message=aws_message, field=field)
    if code in _ALREADY_EXISTS or code.endswith(".Duplicate"):
        return AlreadyExistsError(message, provider_message=aws_message, field=field)
    if code in _DEPENDENCY:
        return DependencyError(message, provider_message=aws_message)
    if code in _INVALID_STATE or code.startswith("InvalidState"):
        return InvalidStateError(message, provider_message=aws_message, field=field)
    if code in _QUOTA:
        return QuotaError(message, provider_message=aws_message)
    if code in _PROVIDER or status >= 500:
        return ProviderError(f"AWS failed to answer {operation} ({code}).", provider_message=aws_message)
    if code in _INVALID or code.endswith(".Malformed") or code.startswith("Invalid") or status == 400:
        return InvalidRequestError(message, provider_message=aws_message, field=field)
    return DriverError(message, provider_message=aws_message)


def _retry_after(exc: ClientError) -> float | None:
    headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    try:
        return float(headers.get("retry-after", ""))
    except ValueError:
        return None


def from_botocore_error(exc: BotoCoreError) -> DriverError:
    """Failures before any answer: no route to the endpoint, timeouts, missing credentials."""
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        return UnreachableError(f"The AWS endpoint cannot be reached: {exc}", provider_message=str(exc))
    if isinstance(exc, ReadTimeoutError):
        # The request may have been carried out; a retry of a create is safe because creates look names up first.
        return TransientError(f"AWS did not answer in time: {exc}", provider_message=str(exc))
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return AuthError(f"The AWS credential is incomplete: {exc}")
    return DriverError(f"The AWS SDK failed: {exc}", provider_message=str(exc))


@contextmanager
def translate(*, field: str = "") -> Iterator[None]:
    """Run AWS calls, re-raising their failures as `DriverError`s (`field` as in `from_client_error`)."""
    try:
        yield
    except ClientError as exc:
        raise from_client_error(exc, field=field) from exc
    except BotoCoreError as exc:
        raise from_botocore_error(exc) from exc
    except ResponseParserError as exc:
        # An answer not in AWS's format: a proxy's or emulator's error page, worth a later retry.
        raise ProviderError("AWS answered with something unreadable.", provider_message=str(exc)[:500]) from exc


def error_code(exc: BaseException) -> str:
    """The AWS error code behind a translated error ('' for anything else)."""
    cause = exc.__cause__
    if isinstance(cause, ClientError):
        return str(cause.response.get("Error", {}).get("Code", ""))
    return ""
