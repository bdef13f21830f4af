"""VPCs as virtual networks: the requests sent, Azure's naming rules, what blocks a delete, failed and
slow operations, and lists across pages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from drivers.azure import AzureConnection, AzureDriver
from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    InvalidRequestError,
    NotFoundError,
    ProviderError,
    TransientError,
)
from drivers.types import IID, SecurityReqInfo, SubnetReqInfo, VPCReqInfo
from tests.drivers.azure.fake import FakeAzure, vnets

GROUP = "spiderweb-koreacentral"


def _req(name: str = "vpc-01", **changes: Any) -> VPCReqInfo:
    values: dict[str, Any] = {
        "name": name,
        "ipv4_cidr": "10.20.0.0/16",
        "subnets": (SubnetReqInfo(name="subnet-01", ipv4_cidr="10.20.1.0/24"),),
        "tags": {"team": "web"},
    }
    values.update(changes)
    return VPCReqInfo(**values)


def _nic(fake: FakeAzure, name: str, subnet_id: str, nsg_id: str = "") -> None:
    """A network interface in the subnet, as ARM keeps one."""
    group_id = f"/subscriptions/{fake.subscription_id}/resourceGroups/{GROUP}"
    nic_id = f"{group_id}/providers/Microsoft.Network/networkInterfaces/{name}"
    properties: dict[str, Any] = {
        "ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": subnet_id}}}]
    }
    if nsg_id:
        properties["networkSecurityGroup"] = {"id": nsg_id}
    fake.resources[nic_id.lower()] = {
        "id": nic_id,
        "name": name,
        "type": "Microsoft.Network/networkInterfaces",
        "properties": properties,
    }


def test_create_sends_one_vnet_with_its_subnets_and_polls_the_operation(
    azure: AzureConnection, fake_azure: FakeAzure
) -> None:
    created = azure.vpc().create_vpc(req=_req())
    puts = [call for call in fake_azure.calls if call.method == "PUT" and "/virtualNetworks/" in call.path]
    assert [call.path.rsplit("/", 1)[-1] for call in puts] == ["vpc-01"]
    assert puts[0].query["api-version"]
    assert json.loads(puts[0].body) == {
        "location": "koreacentral",
        "tags": {"team": "web"},
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
            "subnets": [{"name": "subnet-01", "properties": {"addressPrefix": "10.20.1.0/24"}}],
        },
    }
    assert len(fake_azure.requests("GET", r"/providers/Microsoft\.Network/locations/koreacentral/operations/")) >= 2
    assert created.iid.system_id == (
        f"/subscriptions/{fake_azure.subscription_id}/resourceGroups/{GROUP}/providers/Microsoft.Network/"
        "virtualNetworks/vpc-01"
    )
    assert created.subnets[0].iid.system_id == f"{created.iid.system_id}/subnets/subnet-01"
    assert created.extra["provisioning_state"] == "Succeeded"


def test_subnets_span_the_region_so_their_zone_is_the_region(azure: AzureConnection) -> None:
    created = azure.vpc().create_vpc(req=_req())
    assert [subnet.zone for subnet in created.subnets] == ["koreacentral"]
    grown = azure.vpc().add_subnet(
        vpc_iid=created.iid, req=SubnetReqInfo(name="s2", ipv4_cidr="10.20.2.0/24", zone="2")
    )
    assert {subnet.zone for subnet in grown.subnets} == {"koreacentral"}


@pytest.mark.parametrize("name", ["-vpc", "vpc-", "vpc.", "has space", "a" * 65, "", "vpc/01"])
def test_names_follow_azures_rules(azure: AzureConnection, fake_azure: FakeAzure, name: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        azure.vpc().create_vpc(req=_req(name))
    assert caught.value.field == "name"
    assert fake_azure.calls == []


def test_names_may_end_with_an_underscore_and_hold_dots(azure: AzureConnection) -> None:
    assert azure.vpc().create_vpc(req=_req("a.b_c-d_")).iid.name_id == "a.b_c-d_"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ipv4_cidr": "10.20.0.1/16"}, "ipv4_cidr"),
        ({"ipv4_cidr": "not-a-cidr"}, "ipv4_cidr"),
        ({"subnets": (SubnetReqInfo(name="s", ipv4_cidr="10.30.1.0/24"),)}, "subnets[0].ipv4_cidr"),
        (
            {
                "subnets": (
                    SubnetReqInfo(name="a", ipv4_cidr="10.20.0.0/23"),
                    SubnetReqInfo(name="b", ipv4_cidr="10.20.1.0/24"),
                )
            },
            "subnets[1].ipv4_cidr",
        ),
        ({"subnets": (SubnetReqInfo(name="s", ipv4_cidr="10.20.1.0/24", tags={"a": "b"}),)}, "subnets[0].tags"),
        ({"subnets": (SubnetReqInfo(name="s", ipv4_cidr="10.20.1.0/24", zone="westeurope"),)}, "subnets[0].zone"),
        ({"subnets": (SubnetReqInfo(name="s-", ipv4_cidr="10.20.1.0/24"),)}, "subnets[0].name"),
        ({"tags": {"spiderweb-vpc": "x"}}, "tags"),
        ({"tags": {"a/b": "x"}}, "tags"),
    ],
)
def test_bad_requests_name_the_field_before_any_call(
    azure: AzureConnection, fake_azure: FakeAzure, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        azure.vpc().create_vpc(req=_req(**changes))
    assert caught.value.field == field
    assert fake_azure.calls == []


def test_two_subnets_with_one_name_are_refused(azure: AzureConnection) -> None:
    subnets = (SubnetReqInfo(name="s", ipv4_cidr="10.20.1.0/24"), SubnetReqInfo(name="S", ipv4_cidr="10.20.2.0/24"))
    with pytest.raises(AlreadyExistsError):
        azure.vpc().create_vpc(req=_req(subnets=subnets))


def test_a_create_that_fails_while_running_leaves_no_vnet(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    fake_azure.failing_operations.append(("InternalServerError", "An error occurred."))
    with pytest.raises(ProviderError) as caught:
        azure.vpc().create_vpc(req=_req())
    assert caught.value.provider_message == "An error occurred."
    assert fake_azure.requests("DELETE", "/virtualNetworks/vpc-01")
    assert vnets.find(fake_azure, GROUP, "vpc-01") is None
    assert azure.vpc().create_vpc(req=_req()).iid.name_id == "vpc-01"


def test_an_operation_still_running_at_the_deadline_is_transient(fake_azure: FakeAzure) -> None:
    fake_azure.operation_polls = 10**6
    conn = AzureDriver(polling_interval=0.01, lro_timeout=0.3).connect(fake_azure.connection_info())
    try:
        with pytest.raises(TransientError) as caught:
            conn.vpc().create_vpc(req=_req())
        assert "creating VPC 'vpc-01'" in str(caught.value)
        # Still going on Azure's side: not removed, and a retry is told the name is taken.
        assert vnets.find(fake_azure, GROUP, "vpc-01") is not None
    finally:
        conn.close()


def test_delete_is_refused_while_a_network_interface_uses_a_subnet(
    azure: AzureConnection, fake_azure: FakeAzure
) -> None:
    created = azure.vpc().create_vpc(req=_req())
    _nic(fake_azure, "vm-01-nic", created.subnets[0].iid.system_id)
    with pytest.raises(DependencyError) as caught:
        azure.vpc().delete_vpc(iid=created.iid)
    assert "vm-01-nic" in str(caught.value)
    assert not fake_azure.requests("DELETE", "/virtualNetworks/")
    # Azure itself refuses removing the subnet (InUseSubnetCannotBeDeleted).
    with pytest.raises(DependencyError) as refused:
        azure.vpc().remove_subnet(vpc_iid=created.iid, subnet_iid=IID(name_id="subnet-01"))
    assert "in use" in refused.value.provider_message


def test_delete_is_refused_while_a_security_group_belongs_to_the_vpc(
    azure: AzureConnection, fake_azure: FakeAzure
) -> None:
    created = azure.vpc().create_vpc(req=_req())
    azure.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=created.iid))
    with pytest.raises(DependencyError) as caught:
        azure.vpc().delete_vpc(iid=created.iid)
    assert "sg-01" in str(caught.value)
    azure.security_group().delete_security_group(iid=IID(name_id="sg-01"))
    azure.vpc().delete_vpc(iid=created.iid)
    assert vnets.find(fake_azure, GROUP, "vpc-01") is None


def test_lookups_by_id_stay_in_the_connections_group(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    created = azure.vpc().create_vpc(req=_req())
    assert azure.vpc().get_vpc(iid=IID(name_id="", system_id=created.iid.system_id)).iid == created.iid
    elsewhere = created.iid.system_id.replace(GROUP, "other-group")
    with pytest.raises(NotFoundError):
        azure.vpc().get_vpc(iid=IID(name_id="vpc-01", system_id=elsewhere))
    with pytest.raises(NotFoundError):
        azure.vpc().get_vpc(iid=IID(name_id="", system_id="/not/an/arm/id"))


def test_list_follows_next_links(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    for index in range(4):
        azure.vpc().create_vpc(req=_req(f"vpc-{index}", ipv4_cidr=f"10.{index}.0.0/16", subnets=()))
    assert [vpc.iid.name_id for vpc in azure.vpc().list_vpcs()] == ["vpc-0", "vpc-1", "vpc-2", "vpc-3"]
    assert any("skiptoken" in url for url in fake_azure.requests("GET", r"/virtualNetworks\?"))


def test_add_subnet_checks_the_address_space_and_sends_one_subnet(
    azure: AzureConnection, fake_azure: FakeAzure
) -> None:
    created = azure.vpc().create_vpc(req=_req())
    with pytest.raises(InvalidRequestError) as caught:
        azure.vpc().add_subnet(vpc_iid=created.iid, req=SubnetReqInfo(name="s2", ipv4_cidr="10.20.1.128/25"))
    assert caught.value.field == "ipv4_cidr"
    azure.vpc().add_subnet(vpc_iid=created.iid, req=SubnetReqInfo(name="s2", ipv4_cidr="10.20.2.0/24"))
    [put] = [call for call in fake_azure.calls if call.method == "PUT" and "/subnets/" in call.path]
    assert put.path.endswith("/virtualNetworks/vpc-01/subnets/s2")
    assert json.loads(put.body) == {"properties": {"addressPrefix": "10.20.2.0/24"}}
