"""Security groups as network security groups: the rules sent (priorities, directions, prefixes, the
deny-all outbound rule), rules Spiderweb cannot express, idempotent changes and what blocks a delete."""

from __future__ import annotations

import json
from typing import Any

import pytest

from drivers.azure import AzureConnection
from drivers.errors import DependencyError, InvalidRequestError, NotFoundError, ProviderError
from drivers.types import IID, SecurityReqInfo, SecurityRule, VPCInfo, VPCReqInfo
from tests.drivers.azure.fake import FakeAzure, error, nsgs

GROUP = "spiderweb-koreacentral"
SSH = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="0.0.0.0/0")
WEB = SecurityRule(direction="inbound", protocol="TCP", from_port=80, to_port=90, cidr="10.0.0.0/8")
DNS_OUT = SecurityRule(direction="outbound", protocol="UDP", from_port=53, to_port=53, cidr="10.1.2.3/32")
PING = SecurityRule(direction="inbound", protocol="ICMP", cidr="0.0.0.0/0")


@pytest.fixture
def vpc(azure: AzureConnection) -> VPCInfo:
    return azure.vpc().create_vpc(req=VPCReqInfo(name="vpc-01", ipv4_cidr="10.20.0.0/16"))


def _puts(fake: FakeAzure) -> list[dict[str, Any]]:
    return [
        json.loads(call.body) for call in fake.calls if call.method == "PUT" and "/networkSecurityGroups/" in call.path
    ]


def _rules(body: dict[str, Any]) -> list[tuple[str, str, int, str, str, str, str]]:
    return [
        (
            rule["name"],
            rule["properties"]["direction"],
            rule["properties"]["priority"],
            rule["properties"]["protocol"],
            rule["properties"]["destinationPortRange"],
            rule["properties"]["sourceAddressPrefix"],
            rule["properties"]["destinationAddressPrefix"],
        )
        for rule in body["properties"]["securityRules"]
    ]


def test_create_sends_the_rules_in_order_and_denies_other_outbound_traffic(
    azure: AzureConnection, fake_azure: FakeAzure, vpc: VPCInfo
) -> None:
    created = azure.security_group().create_security_group(
        req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH, WEB, DNS_OUT, PING), tags={"env": "dev"})
    )
    [body] = _puts(fake_azure)
    assert body["location"] == "koreacentral"
    assert body["tags"] == {"env": "dev", "spiderweb-vpc": "vpc-01"}
    assert _rules(body) == [
        ("spiderweb-inbound-100", "Inbound", 100, "Tcp", "22", "0.0.0.0/0", "*"),
        ("spiderweb-inbound-101", "Inbound", 101, "Tcp", "80-90", "10.0.0.0/8", "*"),
        ("spiderweb-outbound-100", "Outbound", 100, "Udp", "53", "*", "10.1.2.3/32"),
        ("spiderweb-inbound-102", "Inbound", 102, "Icmp", "*", "0.0.0.0/0", "*"),
        ("spiderweb-deny-all-outbound", "Outbound", 4096, "*", "*", "*", "*"),
    ]
    assert {rule["properties"]["access"] for rule in body["properties"]["securityRules"]} == {"Allow", "Deny"}
    assert created.rules == (SSH, WEB, PING, DNS_OUT)
    assert created.tags == {"env": "dev"}
    assert created.vpc_iid == vpc.iid
    assert created.iid.system_id.endswith("/providers/Microsoft.Network/networkSecurityGroups/sg-01")


def test_added_rules_take_the_next_priorities_and_removed_ones_go(
    azure: AzureConnection, fake_azure: FakeAzure, vpc: VPCInfo
) -> None:
    handler = azure.security_group()
    handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH,)))
    handler.add_rules(sg_iid=IID(name_id="sg-01"), rules=[WEB, SSH])
    assert [(name, priority) for name, _, priority, *_ in _rules(_puts(fake_azure)[-1])] == [
        ("spiderweb-inbound-100", 100),
        ("spiderweb-deny-all-outbound", 4096),
        ("spiderweb-inbound-101", 101),
    ]
    removed = handler.remove_rules(sg_iid=IID(name_id="sg-01"), rules=[SSH])
    assert removed.rules == (WEB,)
    assert [name for name, *_ in _rules(_puts(fake_azure)[-1])] == [
        "spiderweb-deny-all-outbound",
        "spiderweb-inbound-101",
    ]


def test_unchanged_rules_send_nothing(azure: AzureConnection, fake_azure: FakeAzure, vpc: VPCInfo) -> None:
    handler = azure.security_group()
    handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH,)))
    assert handler.add_rules(sg_iid=IID(name_id="sg-01"), rules=[SSH]).rules == (SSH,)
    assert handler.remove_rules(sg_iid=IID(name_id="sg-01"), rules=[WEB]).rules == (SSH,)
    assert len(_puts(fake_azure)) == 1


def test_icmp_rules_cover_every_type_and_protocols_read_case_insensitively(
    azure: AzureConnection, vpc: VPCInfo
) -> None:
    asked = SecurityRule(direction="INBOUND", protocol="icmp", from_port=8, to_port=0, cidr="10.1.2.3/8")  # type: ignore[arg-type]
    created = azure.security_group().create_security_group(
        req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(asked,))
    )
    assert created.rules == (SecurityRule(direction="inbound", protocol="ICMP", cidr="10.0.0.0/8"),)


def test_rules_spiderweb_cannot_express_are_left_out_and_kept(
    azure: AzureConnection, fake_azure: FakeAzure, vpc: VPCInfo
) -> None:
    handler = azure.security_group()
    handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH,)))
    stored = nsgs.find(fake_azure, GROUP, "sg-01")
    assert stored is not None
    stored["properties"]["securityRules"].append(
        {
            "name": "allow-vnet-https",
            "properties": {
                "protocol": "Tcp",
                "sourcePortRange": "*",
                "destinationPortRange": "443",
                "sourceAddressPrefix": "VirtualNetwork",
                "destinationAddressPrefix": "*",
                "access": "Allow",
                "priority": 300,
                "direction": "Inbound",
                "provisioningState": "Succeeded",
            },
        }
    )
    assert handler.get_security_group(iid=IID(name_id="sg-01")).rules == (SSH,)
    handler.add_rules(sg_iid=IID(name_id="sg-01"), rules=[WEB])
    body = _puts(fake_azure)[-1]
    sent = {rule["name"]: rule["properties"] for rule in body["properties"]["securityRules"]}
    assert sent["allow-vnet-https"]["sourceAddressPrefix"] == "VirtualNetwork"
    assert "provisioningState" not in sent["allow-vnet-https"]
    assert sent["spiderweb-inbound-301"]["destinationPortRange"] == "80-90"


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (SecurityRule(direction="sideways", protocol="TCP", from_port=1, to_port=2), "rules[0].direction"),  # type: ignore[arg-type]
        (SecurityRule(direction="inbound", protocol="GRE"), "rules[0].protocol"),  # type: ignore[arg-type]
        (SecurityRule(direction="inbound", protocol="TCP", from_port=0, to_port=22), "rules[0].from_port"),
        (SecurityRule(direction="inbound", protocol="TCP", from_port=90, to_port=80), "rules[0].to_port"),
        (SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="any"), "rules[0].cidr"),
    ],
)
def test_bad_rules_name_the_field_before_any_call(
    azure: AzureConnection, fake_azure: FakeAzure, rule: SecurityRule, field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        azure.security_group().create_security_group(
            req=SecurityReqInfo(name="sg-01", vpc_iid=IID(name_id="vpc-01"), rules=(rule,))
        )
    assert caught.value.field == field
    assert fake_azure.calls == []


def test_a_group_needs_its_vpc(azure: AzureConnection, fake_azure: FakeAzure) -> None:
    with pytest.raises(NotFoundError) as caught:
        azure.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=IID(name_id="nope")))
    assert caught.value.field == "vpc_iid"
    assert _puts(fake_azure) == []


def test_delete_is_refused_while_a_network_interface_uses_the_group(
    azure: AzureConnection, fake_azure: FakeAzure, vpc: VPCInfo
) -> None:
    created = azure.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid))
    group_id = f"/subscriptions/{fake_azure.subscription_id}/resourceGroups/{GROUP}"
    nic_id = f"{group_id}/providers/Microsoft.Network/networkInterfaces/nic-1"
    fake_azure.resources[nic_id.lower()] = {
        "id": nic_id,
        "name": "nic-1",
        "type": "Microsoft.Network/networkInterfaces",
        "properties": {"ipConfigurations": [], "networkSecurityGroup": {"id": created.iid.system_id}},
    }
    with pytest.raises(DependencyError) as caught:
        azure.security_group().delete_security_group(iid=created.iid)
    assert "nic-1" in str(caught.value)
    assert not fake_azure.requests("DELETE", "/networkSecurityGroups/")


def test_azures_in_use_refusal_is_a_dependency_error(
    azure: AzureConnection, fake_azure: FakeAzure, vpc: VPCInfo
) -> None:
    created = azure.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid))
    fake_azure.inject(
        "DELETE",
        "/networkSecurityGroups/sg-01",
        error(400, "InUseNetworkSecurityGroupCannotBeDeleted", "Network security group sg-01 is in use."),
    )
    with pytest.raises(DependencyError) as caught:
        azure.security_group().delete_security_group(iid=created.iid)
    assert caught.value.provider_message == "Network security group sg-01 is in use."


def test_a_create_that_fails_while_running_leaves_no_group(
    azure: AzureConnection, fake_azure: FakeAzure, vpc: VPCInfo
) -> None:
    fake_azure.failing_operations.append(("InternalServerError", "An error occurred."))
    with pytest.raises(ProviderError):
        azure.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid))
    assert nsgs.find(fake_azure, GROUP, "sg-01") is None
    assert azure.security_group().list_security_groups() == []


def test_list_follows_next_links_and_names_each_groups_vpc(
    azure: AzureConnection, fake_azure: FakeAzure, vpc: VPCInfo
) -> None:
    for index in range(4):
        azure.security_group().create_security_group(req=SecurityReqInfo(name=f"sg-{index}", vpc_iid=vpc.iid))
    listed = azure.security_group().list_security_groups()
    assert [(sg.iid.name_id, sg.vpc_iid) for sg in listed] == [(f"sg-{index}", vpc.iid) for index in range(4)]
    assert any("skiptoken" in url for url in fake_azure.requests("GET", r"/networkSecurityGroups\?"))
