"""Google's failures -> the driver error tree: real SDK exceptions built from the fake's HTTP answers."""

from __future__ import annotations

import pytest
import requests
from google.cloud.compute_v1.types import compute

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
from drivers.gcp import GCPConnection
from drivers.gcp._errors import classify, from_operation, reasons_of, translate
from drivers.gcp._session import CALL
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.support import PROJECT

REGION_PATH = f"/projects/{PROJECT}/regions/us-central1"


def _get_region(gcp: GCPConnection, *, field: str = "") -> None:
    clients = gcp._clients
    with translate(field=field):
        clients.regions().get(project=clients.project, region="us-central1", **CALL)


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        (404, "notFound", NotFoundError),
        (409, "alreadyExists", AlreadyExistsError),
        (400, "resourceInUseByAnotherResource", DependencyError),
        (400, "invalid", InvalidRequestError),
        (400, "resourceNotReady", InvalidStateError),
        (403, "forbidden", AuthError),
        (403, "accessNotConfigured", AuthError),
        (403, "insufficientPermissions", AuthError),
        (403, "quotaExceeded", QuotaError),
        (403, "rateLimitExceeded", ThrottlingError),
        (429, "rateLimitExceeded", ThrottlingError),
        (429, "somethingNew", ThrottlingError),
        (412, "conditionNotMet", TransientError),
        (500, "backendError", ProviderError),
        (503, "somethingNew", ProviderError),
    ],
)
def test_error_answers_map_onto_the_tree_keeping_googles_message(
    fake: FakeGCP, gcp: GCPConnection, status: int, reason: str, expected: type[DriverError]
) -> None:
    message = f"Google says no ({reason})."
    fake.fail(REGION_PATH, status=status, reason=reason, message=message)
    with pytest.raises(DriverError) as caught:
        _get_region(gcp, field="region")
    error = caught.value
    assert type(error) is expected
    assert error.provider_message == message  # without the SDK's "GET https://..." prefix
    assert message in str(error) and reason in str(error)
    assert f"GET projects/{PROJECT}/regions/us-central1" in str(error)
    assert reasons_of(error) == [reason]


def test_bad_input_and_missing_resources_name_the_field(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.fail(REGION_PATH, status=400, reason="invalid", message="Invalid value for field 'region'.")
    with pytest.raises(InvalidRequestError) as caught:
        _get_region(gcp, field="region")
    assert caught.value.field == "region"


def test_throttling_carries_googles_retry_hint(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.fail(
        REGION_PATH, status=429, reason="rateLimitExceeded", message="Rate Limit Exceeded", headers={"Retry-After": "7"}
    )
    with pytest.raises(ThrottlingError) as caught:
        _get_region(gcp)
    assert caught.value.retry_after == 7.0
    fake.fail(REGION_PATH, status=429, reason="rateLimitExceeded", message="Rate Limit Exceeded")
    with pytest.raises(ThrottlingError) as caught:
        _get_region(gcp)
    assert caught.value.retry_after and caught.value.retry_after > 0


def test_a_refused_access_token_is_an_auth_error(fake: FakeGCP, gcp: GCPConnection) -> None:
    # google-auth fetches a new token and tries again on a 401, twice; Google keeps refusing.
    fake.fail(REGION_PATH, status=401, reason="authError", message="Invalid Credentials", times=3)
    with pytest.raises(AuthError) as caught:
        _get_region(gcp)
    assert caught.value.provider_message == "Invalid Credentials"
    assert fake.calls.count("POST /token") == 3


def test_an_expired_token_is_renewed_without_failing(fake: FakeGCP, gcp: GCPConnection) -> None:
    _get_region(gcp)
    fake.revoke_tokens()
    _get_region(gcp)
    assert fake.calls.count("POST /token") == 2


def test_a_key_google_refuses_is_an_auth_error(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.answer_raw("/token", 400, '{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}')
    with pytest.raises(AuthError) as caught:
        _get_region(gcp)
    assert "Invalid JWT Signature" in caught.value.provider_message


def test_a_failing_token_endpoint_is_a_provider_error(
    fake: FakeGCP, gcp: GCPConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    # google-auth retries the token endpoint on a 5xx itself (3 attempts, backing off from 1 s),
    # and offers no switch for it; the test skips its pauses.
    monkeypatch.setattr("google.auth._exponential_backoff.time.sleep", lambda _: None)
    fake.answer_raw("/token", 503, '{"error": "temporarily_unavailable"}', times=10)
    with pytest.raises(ProviderError):
        _get_region(gcp)
    assert fake.calls.count("POST /token") == 3


def test_an_unreachable_token_endpoint_is_unreachable(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.break_with("/token", requests.ConnectionError("Name or service not known"), times=10)
    with pytest.raises(UnreachableError):
        _get_region(gcp)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (requests.ConnectionError("Connection refused"), UnreachableError),
        (requests.ConnectTimeout("connect timed out"), UnreachableError),
        (requests.ReadTimeout("read timed out"), TransientError),
    ],
)
def test_no_answer_maps_to_unreachable_or_transient(
    fake: FakeGCP, gcp: GCPConnection, exc: Exception, expected: type[DriverError]
) -> None:
    _get_region(gcp)  # the token is fetched; the API call is what fails
    fake.break_with(REGION_PATH, exc)
    with pytest.raises(DriverError) as caught:
        _get_region(gcp)
    assert type(caught.value) is expected
    assert str(exc) in caught.value.provider_message


def test_an_answer_that_is_not_googles_json_is_a_provider_error(fake: FakeGCP, gcp: GCPConnection) -> None:
    fake.answer_raw(REGION_PATH, 502, "<html><body>Bad Gateway</body></html>")
    with pytest.raises(ProviderError) as caught:
        _get_region(gcp)
    assert "Bad Gateway" in caught.value.provider_message
    fake.answer_raw(REGION_PATH, 200, "<html><body>Welcome to the captive portal</body></html>")
    with pytest.raises(ProviderError):
        _get_region(gcp)


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("RESOURCE_NOT_FOUND", 404, NotFoundError),
        ("RESOURCE_ALREADY_EXISTS", 409, AlreadyExistsError),
        ("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE", 400, DependencyError),
        ("RESOURCE_NOT_READY", 400, InvalidStateError),
        ("QUOTA_EXCEEDED", 403, QuotaError),
        ("ZONE_RESOURCE_POOL_EXHAUSTED", 503, ProviderError),
        ("INVALID_FIELD_VALUE", 400, InvalidRequestError),
        ("PERMISSIONS_ERROR", 403, AuthError),
        ("INTERNAL_ERROR", 500, ProviderError),
    ],
)
def test_operation_error_codes_map_onto_the_tree(code: str, status: int, expected: type[DriverError]) -> None:
    operation = compute.Operation(
        name="operation-1",
        status=compute.Operation.Status.DONE,
        error=compute.Error(errors=[compute.Errors(code=code, message="Google says no.")]),
        http_error_status_code=status,
        http_error_message="ERROR",
    )
    error = from_operation(operation, what="creating vm-1")
    assert type(error) is expected
    assert error.provider_message == "Google says no."


def test_a_successful_operation_has_no_error() -> None:
    assert from_operation(compute.Operation(name="op", status=compute.Operation.Status.DONE), what="x") is None


def test_unknown_reasons_fall_back_on_the_http_status() -> None:
    assert type(classify(["somethingNew"], 404, what="x", google_message="m")) is NotFoundError
    assert type(classify([], 418, what="x", google_message="m")) is DriverError
