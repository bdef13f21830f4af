"""The error tree: codes the API shows, what is retried, and messages that keep the cloud's words."""

from __future__ import annotations

import pytest

from drivers import errors


@pytest.mark.parametrize(
    ("cls", "code", "transient"),
    [
        (errors.DriverError, "driver_error", False),
        (errors.AuthError, "auth_failed", False),
        (errors.NotFoundError, "not_found", False),
        (errors.AlreadyExistsError, "already_exists", False),
        (errors.InvalidRequestError, "invalid_request", False),
        (errors.FieldError, "invalid_request", False),
        (errors.DependencyError, "in_use", False),
        (errors.QuotaError, "quota_exceeded", False),
        (errors.NotSupportedError, "not_supported", False),
        (errors.TransientError, "transient", True),
        (errors.ThrottlingError, "throttled", True),
        (errors.ProviderError, "provider_error", True),
        (errors.UnreachableError, "unreachable", False),
    ],
)
def test_codes_and_what_is_retried(cls: type[errors.DriverError], code: str, transient: bool) -> None:
    error = cls("boom")
    assert error.code == code
    assert isinstance(error, errors.DriverError)
    assert isinstance(error, errors.TransientError) is transient


def test_field_errors_are_invalid_requests() -> None:
    assert issubclass(errors.FieldError, errors.InvalidRequestError)


def test_message_includes_the_provider_message() -> None:
    error = errors.NotFoundError("VPC 'vpc-01' does not exist.", provider_message="InvalidVpcID.NotFound", field="vpc")
    assert str(error) == "VPC 'vpc-01' does not exist. (cloud said: InvalidVpcID.NotFound)"
    assert error.to_dict() == {"code": "not_found", "message": str(error), "field": "vpc"}
    assert str(errors.QuotaError("Too many VMs.")) == "Too many VMs."


def test_throttling_carries_a_retry_hint() -> None:
    error = errors.ThrottlingError("Slow down.", retry_after=2.5)
    assert error.retry_after == 2.5
    assert error.to_dict()["retry_after"] == 2.5
    assert errors.ThrottlingError("Slow down.").retry_after is None
