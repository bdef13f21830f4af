"""The one error tree every driver raises.

Each cloud package maps its SDK's exceptions into these classes and keeps the provider's own
message in `provider_message`. Callers switch on the class (or its `code`, which is what the API
shows); only `TransientError` and its subclasses are worth retrying.
"""

from __future__ import annotations

from typing import Any


class DriverError(Exception):
    """A cloud call failed. `str()` is a human message that includes the provider's message."""

    code = "driver_error"

    def __init__(self, message: str, *, provider_message: str = "", field: str = "") -> None:
        self.message = message
        self.provider_message = provider_message
        self.field = field
        super().__init__(message)

    def __str__(self) -> str:
        if self.provider_message and self.provider_message not in self.message:
            return f"{self.message} (cloud said: {self.provider_message})"
        return self.message

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": str(self)}
        if self.field:
            data["field"] = self.field
        return data


class AuthError(DriverError):
    code = "auth_failed"


class NotFoundError(DriverError):
    code = "not_found"


class AlreadyExistsError(DriverError):
    code = "already_exists"


class InvalidRequestError(DriverError):
    """The request is wrong; `field` names the offending input when one is to blame."""

    code = "invalid_request"


class InvalidStateError(InvalidRequestError):
    """The request is valid in general but not in the resource's current state (e.g. resume a running VM)."""

    code = "invalid_state"


class FieldError(InvalidRequestError):
    """A credential, region or option value failed validation against its `FieldSpec`."""


class DependencyError(DriverError):
    """The resource is still used by others (e.g. a VPC with VMs in it)."""

    code = "in_use"


class QuotaError(DriverError):
    code = "quota_exceeded"


class NotSupportedError(DriverError):
    """This driver cannot do that; fails fast, before any cloud call."""

    code = "not_supported"


class TransientError(DriverError):
    """A failure that may go away by itself; the only kind callers retry."""

    code = "transient"


class ThrottlingError(TransientError):
    code = "throttled"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        provider_message: str = "",
        field: str = "",
    ) -> None:
        super().__init__(message, provider_message=provider_message, field=field)
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.retry_after is not None:
            data["retry_after"] = self.retry_after
        return data


class ProviderError(TransientError):
    """The cloud failed internally (a 5xx); a retry later may succeed."""

    code = "provider_error"


class UnreachableError(DriverError):
    """The endpoint or region cannot be reached.

    Deliberately not transient: an outage of a whole region outlasts any sensible retry loop,
    so callers report it (and keep the last known state) instead of hammering it.
    """

    code = "unreachable"
