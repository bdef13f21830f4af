"""The Azure driver's description, connect-time validation, capabilities and verify."""

from __future__ import annotations

from typing import Any

import pytest

from drivers import registry
from drivers.azure import CAPABILITIES, AzureConnection, AzureDriver
from drivers.capabilities import FAMILIES
from drivers.errors import AuthError, FieldError, NotSupportedError
from drivers.types import ConnectionInfo
from tests.drivers.azure.fake import CLIENT_SECRET, FakeAzure, resource_groups

OFFERED = {"region_zone", "image", "vm_spec", "price"}


def _info(fake: FakeAzure, *, region: str = "koreacentral", zone: str = "", **changes: Any) -> ConnectionInfo:
    options = changes.pop("options", {})
    credential = {**fake.credential(), **changes}
    return ConnectionInfo(
        name="azure", provider="azure", credential=credential, region=region, zone=zone, options=options
    )


def test_the_form_fields_follow_cb_spider_and_mark_the_secret() -> None:
    fields = {spec.name: spec for spec in AzureDriver.credential_fields}
    assert list(fields) == ["ClientId", "ClientSecret", "TenantId", "SubscriptionId"]
    assert [name for name, spec in fields.items() if spec.secret] == ["ClientSecret"]
    assert all(spec.required for spec in fields.values())
    assert [spec.name for spec in AzureDriver.region_fields] == ["region", "zone"]
    assert [(spec.name, spec.required) for spec in AzureDriver.region_options] == [("ResourceGroup", False)]
    assert AzureDriver.name == "azure" and AzureDriver.label == "Microsoft Azure"


def test_the_registry_hands_out_the_azure_driver() -> None:
    assert isinstance(registry.get_driver("azure"), AzureDriver)


def test_meta_families_are_offered_and_the_rest_refused_with_a_note() -> None:
    assert CAPABILITIES.handlers >= OFFERED
    for family in set(FAMILIES) - CAPABILITIES.handlers:
        assert CAPABILITIES.notes[family]
    assert CAPABILITIES.notes["anycall"] == "The Azure driver does not offer it yet."


def test_an_unsupported_family_is_refused_before_any_call(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    with pytest.raises(NotSupportedError) as caught:
        azure.anycall()
    assert "AnyCall" in str(caught.value) and "does not offer it yet" in str(caught.value)
    assert fake_azure.calls == []


def test_connecting_makes_no_call(fake_azure: FakeAzure, azure_driver: AzureDriver) -> None:
    azure_driver.connect(_info(fake_azure, options={"ResourceGroup": "team-rg"})).close()
    assert fake_azure.calls == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ClientId": "not-a-guid"}, "ClientId"),
        ({"SubscriptionId": "1234"}, "SubscriptionId"),
        ({"TenantId": "not a tenant"}, "TenantId"),
        ({"ClientSecret": ""}, "ClientSecret"),
        ({"region": "Korea Central"}, "region"),
        ({"region": "korea-central"}, "region"),
        ({"zone": "4"}, "zone"),
        ({"zone": "koreacentral-1"}, "zone"),
        ({"options": {"ResourceGroup": "bad/name"}}, "ResourceGroup"),
        ({"options": {"ResourceGroup": "ends-with-dot."}}, "ResourceGroup"),
        ({"options": {"ResourceGroup": "x" * 91}}, "ResourceGroup"),
        ({"options": {"Colour": "blue"}}, "Colour"),
    ],
)
def test_connect_refuses_bad_values_naming_the_field(
    fake_azure: FakeAzure, azure_driver: AzureDriver, changes: dict[str, Any], field: str
) -> None:
    region = changes.pop("region", "koreacentral")
    zone = changes.pop("zone", "")
    with pytest.raises(FieldError) as caught:
        azure_driver.connect(_info(fake_azure, region=region, zone=zone, **changes))
    assert caught.value.field == field
    assert CLIENT_SECRET not in str(caught.value)


@pytest.mark.parametrize("tenant", ["contoso.onmicrosoft.com", "9B1C6F3E-2D4A-4C8B-A7E5-1F0D3C6B8E94"])
def test_a_tenant_is_a_guid_or_a_domain(fake_azure: FakeAzure, azure_driver: AzureDriver, tenant: str) -> None:
    azure_driver.connect(_info(fake_azure, TenantId=tenant)).close()


def test_driver_options_are_checked() -> None:
    with pytest.raises(ValueError):
        AzureDriver(polling_interval=-1)
    with pytest.raises(ValueError):
        AzureDriver(lro_timeout=0)


def test_verify_proves_credential_subscription_and_region(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    azure.verify()
    assert fake_azure.requests("POST", r"/oauth2/v2\.0/token$")
    assert fake_azure.requests("GET", r"/locations\?")
    # Spiderweb's own group is made when a resource needs it, not when a connection is checked.
    assert not fake_azure.requests("PUT", "resourcegroups")


def test_verify_refuses_a_region_the_subscription_lacks(fake_azure: FakeAzure, azure_driver: AzureDriver) -> None:
    conn = azure_driver.connect(_info(fake_azure, region="mars"))
    with pytest.raises(FieldError) as caught:
        conn.verify()
    assert caught.value.field == "region"
    assert "koreacentral" in str(caught.value)


def test_verify_refuses_a_logical_location(fake_azure: FakeAzure, azure_driver: AzureDriver) -> None:
    with pytest.raises(FieldError) as caught:
        azure_driver.connect(_info(fake_azure, region="asia")).verify()
    assert caught.value.field == "region"


@pytest.mark.parametrize(("region", "zone"), [("koreasouth", "1"), ("westus", "2")])
def test_verify_refuses_a_zone_the_region_lacks(
    fake_azure: FakeAzure, azure_driver: AzureDriver, region: str, zone: str
) -> None:
    with pytest.raises(FieldError) as caught:
        azure_driver.connect(_info(fake_azure, region=region, zone=zone)).verify()
    assert caught.value.field == "zone"


def test_verify_accepts_a_zone_of_the_region(fake_azure: FakeAzure, azure_driver: AzureDriver) -> None:
    azure_driver.connect(_info(fake_azure, zone="2")).verify()


def test_verify_checks_a_named_resource_group(fake_azure: FakeAzure, azure_driver: AzureDriver) -> None:
    with pytest.raises(FieldError) as caught:
        azure_driver.connect(_info(fake_azure, options={"ResourceGroup": "team-rg"})).verify()
    assert caught.value.field == "ResourceGroup"
    resource_groups.seed(fake_azure, "team-rg")
    azure_driver.connect(_info(fake_azure, options={"ResourceGroup": "team-rg"})).verify()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"ClientSecret": "wrong"}, ""), ({"SubscriptionId": "0f0f0f0f-0000-4000-8000-000000000000"}, "SubscriptionId")],
)
def test_verify_reports_a_wrong_credential(
    fake_azure: FakeAzure, azure_driver: AzureDriver, changes: dict[str, str], field: str
) -> None:
    with pytest.raises(AuthError) as caught:
        azure_driver.connect(_info(fake_azure, **changes)).verify()
    assert caught.value.field == field
    assert caught.value.provider_message
