"""The resource group policy: Spiderweb's own group per region, made once; a named group used as it is."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from drivers.azure import AzureConnection, AzureDriver
from drivers.errors import FieldError, ProviderError
from tests.drivers.azure.fake import FakeAzure, error, resource_groups


def test_spiderwebs_group_is_created_once_on_first_use(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    session = azure._session
    assert session.resource_group() == "spiderweb-koreacentral"
    assert session.resource_group() == "spiderweb-koreacentral"
    group = resource_groups.find(fake_azure, "spiderweb-koreacentral")
    assert group is not None
    assert group["location"] == "koreacentral"
    assert group["tags"] == {"created-by": "spiderweb"}
    assert len(fake_azure.requests("GET", "/resourcegroups/")) == 1
    assert len(fake_azure.requests("PUT", "/resourcegroups/")) == 1


def test_another_connection_finds_the_group_and_creates_nothing(
    azure: AzureConnection, fake_azure: FakeAzure, azure_driver: AzureDriver
) -> None:
    azure._session.resource_group()
    other = azure_driver.connect(fake_azure.connection_info())
    try:
        assert other._session.resource_group() == "spiderweb-koreacentral"
    finally:
        other.close()
    assert len(fake_azure.requests("PUT", "/resourcegroups/")) == 1


def test_each_region_has_its_own_group(fake_azure: FakeAzure, azure_driver: AzureDriver) -> None:
    conn = azure_driver.connect(fake_azure.connection_info(region="westeurope"))
    try:
        assert conn._session.resource_group() == "spiderweb-westeurope"
    finally:
        conn.close()
    group = resource_groups.find(fake_azure, "spiderweb-westeurope")
    assert group is not None and group["location"] == "westeurope"


def test_threads_of_one_connection_make_the_group_once(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        names = set(pool.map(lambda _: azure._session.resource_group(), range(8)))
    assert names == {"spiderweb-koreacentral"}
    assert len(fake_azure.requests("PUT", "/resourcegroups/")) == 1


def test_a_named_group_is_used_and_never_created(fake_azure: FakeAzure, azure_driver: AzureDriver) -> None:
    resource_groups.seed(fake_azure, "Team-RG", location="eastus", tags={"owner": "team"})
    conn = azure_driver.connect(fake_azure.connection_info(ResourceGroup="team-rg"))
    try:
        assert conn._session.resource_group() == "team-rg"
        assert conn._session.resource_group() == "team-rg"
    finally:
        conn.close()
    assert len(fake_azure.requests("GET", "/resourcegroups/team-rg")) == 1
    assert fake_azure.requests("PUT", "/resourcegroups/") == []
    assert fake_azure.requests("DELETE", "/resourcegroups/") == []
    # Left as it was: location and tags untouched.
    assert resource_groups.find(fake_azure, "team-rg") == {
        "id": f"/subscriptions/{fake_azure.subscription_id}/resourceGroups/Team-RG",
        "name": "Team-RG",
        "type": "Microsoft.Resources/resourceGroups",
        "location": "eastus",
        "properties": {"provisioningState": "Succeeded"},
        "tags": {"owner": "team"},
    }


def test_a_missing_named_group_is_a_field_error(fake_azure: FakeAzure, azure_driver: AzureDriver) -> None:
    conn = azure_driver.connect(fake_azure.connection_info(ResourceGroup="team-rg"))
    try:
        with pytest.raises(FieldError) as caught:
            conn._session.resource_group()
    finally:
        conn.close()
    assert caught.value.field == "ResourceGroup"
    assert "could not be found" in caught.value.provider_message
    assert fake_azure.requests("PUT", "/resourcegroups/") == []


def test_a_failed_check_is_tried_again_by_the_next_use(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    fake_azure.inject("GET", "/resourcegroups/", error(500, "InternalServerError", "Something went wrong."))
    with pytest.raises(ProviderError):
        azure._session.resource_group()
    assert azure._session.resource_group() == "spiderweb-koreacentral"
    assert len(fake_azure.requests("PUT", "/resourcegroups/")) == 1
