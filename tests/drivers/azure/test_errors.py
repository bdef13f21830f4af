"""Azure's failures -> the driver error tree, each through an HTTP answer of the fake (or a transport
failure under it), with Azure's own message kept in `provider_message`."""

from __future__ import annotations

import pytest
import requests

from drivers.azure import AzureConnection, AzureDriver
from drivers.azure._errors import error_code
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
from drivers.types import ConnectionInfo
from tests.drivers.azure.fake import FakeAzure, Response, error, ok

LOCATIONS = r"/subscriptions/[^/]+/locations\?"
GROUP = r"/resourcegroups/spiderweb-koreacentral\?"


@pytest.mark.parametrize(
    ("status", "code", "message", "expected"),
    [
        (401, "InvalidAuthenticationToken", "The access token is invalid.", AuthError),
        (401, "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current.", AuthError),
        (403, "AuthorizationFailed", "The client does not have authorization to perform action.", AuthError),
        (404, "ResourceNotFound", "The Resource 'x' under resource group 'y' was not found.", NotFoundError),
        (400, "InvalidParameter", "The value of parameter location is invalid.", InvalidRequestError),
        (400, "BadRequest", "The request is malformed.", InvalidRequestError),
        (400, "InvalidResourceName", "Resource name 'a b' is invalid.", InvalidRequestError),
        (429, "SubscriptionRequestsThrottled", "Number of read requests exceeded the limit.", ThrottlingError),
        (500, "InternalServerError", "Encountered internal server error.", ProviderError),
        (503, "ServiceUnavailable", "The service is unavailable.", ProviderError),
        (504, "GatewayTimeout", "The gateway did not receive a response within the specified time.", ProviderError),
    ],
)
def test_error_answers_of_a_read(
    azure: AzureConnection,
    fake_azure: FakeAzure,
    status: int,
    code: str,
    message: str,
    expected: type[DriverError],
) -> None:
    fake_azure.inject("GET", LOCATIONS, error(status, code, message))
    with pytest.raises(expected) as caught:
        azure.region_zone().list_region_zones()
    assert type(caught.value) is expected
    assert caught.value.provider_message == message
    assert error_code(caught.value) == code
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("status", "code", "message", "expected"),
    [
        (409, "ResourceAlreadyExists", "The resource already exists.", AlreadyExistsError),
        (
            400,
            "InUseSubnetCannotBeDeleted",
            "Subnet default is in use by nic-1 and cannot be deleted.",
            DependencyError,
        ),
        (
            400,
            "InUseNetworkSecurityGroupCannotBeDeleted",
            "Network security group sg-1 cannot be deleted because it is in use by subnet default.",
            DependencyError,
        ),
        (
            409,
            "AnotherOperationInProgress",
            "Another operation on this or dependent resource is in progress.",
            TransientError,
        ),
        (
            409,
            "ResourceGroupBeingDeleted",
            "The resource group 'spiderweb-koreacentral' is in deprovisioning state.",
            InvalidStateError,
        ),
        (
            409,
            "OperationNotAllowed",
            "Operation 'start' is not allowed on VM 'vm-1' since the VM is deallocating.",
            InvalidStateError,
        ),
        (
            409,
            "OperationNotAllowed",
            "Operation could not be completed as it results in exceeding approved Total Regional Cores quota.",
            QuotaError,
        ),
        (
            409,
            "OperationNotAllowed",
            "Operation is not allowed because there's an in progress create managed cluster operation on managed "
            "cluster 'k8s-01' started at 2026-12-04T16:00:00Z. Please wait for it to finish before starting a new "
            "operation.",
            TransientError,
        ),
        (
            400,
            "PublicIPAddressCannotBeDeleted",
            "Public IP address /subscriptions/s/resourceGroups/g/providers/Microsoft.Network/publicIPAddresses/vm-1-ip "
            "can not be deleted since it is still allocated to resource /subscriptions/s/resourceGroups/g/providers/"
            "Microsoft.Network/networkInterfaces/vm-1-nic/ipConfigurations/ipconfig1. In order to delete the public "
            "IP, disassociate/detach the Public IP address from the resource.",
            DependencyError,
        ),
        (400, "QuotaExceeded", "Operation results in exceeding quota limits of Core.", QuotaError),
        (
            400,
            "PublicIPCountLimitReached",
            "Cannot create more than 10 public IP addresses for this subscription.",
            QuotaError,
        ),
        (409, "ScopeLocked", "The scope cannot perform write operation because it is locked.", InvalidStateError),
        (400, "AllocationFailed", "Allocation failed. We do not have sufficient capacity.", ProviderError),
    ],
)
def test_error_answers_of_a_write(
    azure: AzureConnection,
    fake_azure: FakeAzure,
    status: int,
    code: str,
    message: str,
    expected: type[DriverError],
) -> None:
    fake_azure.inject("PUT", GROUP, error(status, code, message))
    with pytest.raises(expected) as caught:
        azure._session.resource_group()
    assert type(caught.value) is expected
    assert caught.value.provider_message == message


def test_throttling_carries_azures_retry_after(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    fake_azure.inject("GET", LOCATIONS, error(429, "TooManyRequests", "Too many requests.", **{"Retry-After": "17"}))
    with pytest.raises(ThrottlingError) as caught:
        azure.region_zone().list_region_zones()
    assert caught.value.retry_after == 17.0
    assert caught.value.to_dict()["retry_after"] == 17.0


def test_throttling_without_a_hint_waits_a_default(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    fake_azure.inject("GET", LOCATIONS, Response(429, "Too Many Requests"))
    with pytest.raises(ThrottlingError) as caught:
        azure.region_zone().list_region_zones()
    assert caught.value.retry_after == 5.0


def _connect(fake: FakeAzure, driver: AzureDriver, **changes: str) -> AzureConnection:
    info = fake.connection_info()
    credential = {**info.credential, **changes}
    return driver.connect(ConnectionInfo(name=info.name, provider="azure", credential=credential, region=info.region))


def test_a_wrong_subscription_is_an_auth_error_naming_it(fake_azure: FakeAzure, azure_driver: AzureDriver) -> None:
    conn = _connect(fake_azure, azure_driver, SubscriptionId="0f0f0f0f-0000-4000-8000-000000000000")
    with pytest.raises(AuthError) as caught:
        conn.region_zone().list_region_zones()
    assert caught.value.field == "SubscriptionId"
    assert "could not be found" in caught.value.provider_message


@pytest.mark.parametrize(
    ("changes", "aadsts"),
    [
        ({"ClientSecret": "wrong-secret"}, "AADSTS7000215"),
        ({"ClientId": "0e0e0e0e-0000-4000-8000-000000000000"}, "AADSTS700016"),
        ({"TenantId": "0d0d0d0d-0000-4000-8000-000000000000"}, ""),
    ],
)
def test_entra_id_refusing_the_service_principal_is_an_auth_error(
    fake_azure: FakeAzure, azure_driver: AzureDriver, changes: dict[str, str], aadsts: str
) -> None:
    conn = _connect(fake_azure, azure_driver, **changes)
    with pytest.raises(AuthError) as caught:
        conn.vm_spec().list_specs()
    assert aadsts in caught.value.provider_message
    assert "wrong-secret" not in str(caught.value)
    assert not fake_azure.requests("GET", "management.azure.com")


def test_an_unreachable_arm_endpoint(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    fake_azure.inject("GET", LOCATIONS, raises=requests.ConnectionError("Failed to resolve management.azure.com"))
    with pytest.raises(UnreachableError) as caught:
        azure.region_zone().list_region_zones()
    assert "management.azure.com" in str(caught.value)


def test_an_unreachable_token_endpoint_is_not_blamed_on_the_credential(
    azure: AzureConnection, fake_azure: FakeAzure
) -> None:
    fake_azure.inject("POST", "/token", raises=requests.ConnectionError("Failed to resolve login.microsoftonline.com"))
    with pytest.raises(UnreachableError) as caught:
        azure.region_zone().list_region_zones()
    assert "Entra ID" in str(caught.value)


def test_an_answer_that_never_comes_is_transient(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    fake_azure.inject("GET", LOCATIONS, raises=requests.ReadTimeout("Read timed out. (read timeout=30)"))
    with pytest.raises(TransientError) as caught:
        azure.region_zone().list_region_zones()
    assert type(caught.value) is TransientError


@pytest.mark.parametrize("read", ["region_zone", "vm_spec"])
def test_an_unreadable_answer_is_a_provider_error(azure: AzureConnection, fake_azure: FakeAzure, read: str) -> None:
    page = Response(200, "<html><body>Gateway</body></html>", {"Content-Type": "text/html"})
    fake_azure.inject("GET", r"/locations\?|/skus\?", page)
    with pytest.raises(ProviderError):
        if read == "region_zone":
            azure.region_zone().list_region_zones()
        else:
            azure.vm_spec().list_specs()


def test_retail_prices_errors(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    fake_azure.inject("GET", "prices.azure.com", Response(429, "Too many requests", {"Retry-After": "60"}))
    with pytest.raises(ThrottlingError) as throttled:
        azure.price().list_prices()
    assert throttled.value.retry_after == 60.0
    fake_azure.inject("GET", "prices.azure.com", ok({"Error": {"Code": "BadRequest", "Message": "Bad filter"}}, 400))
    with pytest.raises(InvalidRequestError) as refused:
        azure.price().list_prices()
    assert "Bad filter" in refused.value.provider_message
    fake_azure.inject("GET", "prices.azure.com", Response(502, "Bad Gateway"))
    with pytest.raises(ProviderError):
        azure.price().list_prices()
