"""Security groups as firewall rules for a network tag, through the fake Google Cloud."""

from __future__ import annotations

import json
from typing import Any

import pytest

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError
from drivers.gcp import GCPConnection
from drivers.gcp._net_rules import rule_name
from drivers.types import IID, SecurityReqInfo, SecurityRule, VPCInfo
from tests.drivers.gcp.fake import FakeGCP
from tests.drivers.gcp.net_support import make_vpc, seed_instance
from tests.drivers.gcp.support import PROJECT

SSH = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="0.0.0.0/0")
DNS = SecurityRule(direction="outbound", protocol="UDP", from_port=53, to_port=53, cidr="10.0.0.0/8")
HIGH = SecurityRule(direction="inbound", protocol="UDP", from_port=1000, to_port=2000, cidr="192.168.0.0/16")
ANY_OUT = SecurityRule(direction="outbound", protocol="ALL", cidr="0.0.0.0/0")
PING = SecurityRule(direction="inbound", protocol="ICMP", cidr="0.0.0.0/0")


@pytest.fixture
def vpc(gcp: GCPConnection) -> VPCInfo:
    return make_vpc(gcp)


def firewalls(fake: FakeGCP) -> dict[str, dict[str, Any]]:
    return fake.collection(PROJECT, "global/firewalls")


def test_a_group_is_a_deny_all_egress_marker_and_one_allow_firewall_per_rule(
    fake: FakeGCP, gcp: GCPConnection, vpc: VPCInfo
) -> None:
    req = SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH, DNS, HIGH), tags={"app": "web"})
    created = gcp.security_group().create_security_group(req=req)

    marker = firewalls(fake)["sg-01"]
    network = fake.collection(PROJECT, "global/networks")["vpc-01"]["selfLink"]
    assert (marker["direction"], marker["priority"], marker["denied"], marker["destinationRanges"]) == (
        "EGRESS",
        65535,
        [{"IPProtocol": "all"}],
        ["0.0.0.0/0"],
    )
    assert marker["targetTags"] == ["sg-01"] and marker["network"] == network
    assert json.loads(marker["description"])["tags"] == {"app": "web"}
    ssh = firewalls(fake)[rule_name("sg-01", SSH)]
    assert (ssh["direction"], ssh["priority"], ssh["allowed"], ssh["sourceRanges"], ssh["targetTags"]) == (
        "INGRESS",
        1000,
        [{"IPProtocol": "tcp", "ports": ["22"]}],
        ["0.0.0.0/0"],
        ["sg-01"],
    )
    dns = firewalls(fake)[rule_name("sg-01", DNS)]
    assert (dns["direction"], dns["allowed"], dns["destinationRanges"]) == (
        "EGRESS",
        [{"IPProtocol": "udp", "ports": ["53"]}],
        ["10.0.0.0/8"],
    )
    assert firewalls(fake)[rule_name("sg-01", HIGH)]["allowed"] == [{"IPProtocol": "udp", "ports": ["1000-2000"]}]

    assert created.iid == IID(name_id="sg-01", system_id=marker["id"])
    assert created.vpc_iid == vpc.iid
    assert set(created.rules) == {SSH, DNS, HIGH}
    assert (created.tags, created.extra["network_tag"]) == ({"app": "web"}, "sg-01")
    assert gcp.security_group().get_security_group(iid=IID(name_id="", system_id=marker["id"])) == created


def test_rules_without_ports_and_with_any_protocol(fake: FakeGCP, gcp: GCPConnection, vpc: VPCInfo) -> None:
    req = SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(ANY_OUT, PING))
    created = gcp.security_group().create_security_group(req=req)
    assert firewalls(fake)[rule_name("sg-01", ANY_OUT)]["allowed"] == [{"IPProtocol": "all"}]
    assert firewalls(fake)[rule_name("sg-01", PING)]["allowed"] == [{"IPProtocol": "icmp"}]
    assert set(created.rules) == {ANY_OUT, PING}


def test_rule_changes_insert_and_delete_single_firewalls(fake: FakeGCP, gcp: GCPConnection, vpc: VPCInfo) -> None:
    handler = gcp.security_group()
    handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH,)))
    before = len(fake.calls)
    assert handler.add_rules(sg_iid=IID(name_id="sg-01"), rules=[SSH]).rules == (SSH,)
    assert not [call for call in fake.calls[before:] if not call.startswith("GET")]

    handler.add_rules(sg_iid=IID(name_id="sg-01"), rules=[DNS])
    assert set(firewalls(fake)) == {"sg-01", rule_name("sg-01", SSH), rule_name("sg-01", DNS)}
    assert handler.remove_rules(sg_iid=IID(name_id="sg-01"), rules=[SSH]).rules == (DNS,)
    assert set(firewalls(fake)) == {"sg-01", rule_name("sg-01", DNS)}


def test_a_firewall_changed_elsewhere_to_hold_two_ports_is_split_on_removal(
    fake: FakeGCP, gcp: GCPConnection, vpc: VPCInfo
) -> None:
    handler = gcp.security_group()
    handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH,)))
    firewalls(fake)[rule_name("sg-01", SSH)]["allowed"] = [{"IPProtocol": "tcp", "ports": ["22", "80"]}]
    web = SecurityRule(direction="inbound", protocol="TCP", from_port=80, to_port=80, cidr="0.0.0.0/0")
    assert set(handler.get_security_group(iid=IID(name_id="sg-01")).rules) == {SSH, web}

    assert handler.remove_rules(sg_iid=IID(name_id="sg-01"), rules=[SSH]).rules == (web,)
    assert set(firewalls(fake)) == {"sg-01", rule_name("sg-01", web)}


def test_firewalls_made_elsewhere_are_no_groups(fake: FakeGCP, gcp: GCPConnection, vpc: VPCInfo) -> None:
    firewalls(fake)["allow-internal"] = {
        "kind": "compute#firewall",
        "id": "77",
        "name": "allow-internal",
        "network": fake.collection(PROJECT, "global/networks")["vpc-01"]["selfLink"],
        "direction": "INGRESS",
        "priority": 65534,
        "allowed": [{"IPProtocol": "all"}],
        "sourceRanges": ["10.20.0.0/16"],
        "selfLink": fake.link(PROJECT, "global/firewalls/allow-internal"),
    }
    assert gcp.security_group().list_security_groups() == []
    with pytest.raises(NotFoundError):
        gcp.security_group().get_security_group(iid=IID(name_id="allow-internal"))
    with pytest.raises(AlreadyExistsError):
        gcp.security_group().create_security_group(req=SecurityReqInfo(name="allow-internal", vpc_iid=vpc.iid))
    with pytest.raises(DependencyError, match="allow-internal"):
        gcp.vpc().delete_vpc(iid=vpc.iid)


@pytest.mark.parametrize(
    ("name", "rule", "field"),
    [
        ("s" * 55, SSH, "name"),
        ("Web", SSH, "name"),
        ("sg-01", SecurityRule(direction="inbound", protocol="GRE"), "rules[0].protocol"),  # type: ignore[arg-type]
        ("sg-01", SecurityRule(direction="inbound", protocol="TCP", from_port=0, to_port=22), "rules[0].from_port"),
        ("sg-01", SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=21), "rules[0].to_port"),
        (
            "sg-01",
            SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="x"),
            "rules[0].cidr",
        ),
    ],
)
def test_bad_requests_are_refused_before_anything_is_made(
    fake: FakeGCP, gcp: GCPConnection, vpc: VPCInfo, name: str, rule: SecurityRule, field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        gcp.security_group().create_security_group(req=SecurityReqInfo(name=name, vpc_iid=vpc.iid, rules=(rule,)))
    assert caught.value.field == field
    assert firewalls(fake) == {}


def test_a_refused_rule_leaves_no_group_behind(
    fake: FakeGCP, gcp: GCPConnection, vpc: VPCInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("drivers.gcp._net_rules.RULE_PRIORITY", 70000)
    with pytest.raises(InvalidRequestError) as caught:
        gcp.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH,)))
    assert caught.value.field == "rules" and "priority" in caught.value.provider_message
    assert firewalls(fake) == {}


def test_delete_is_refused_while_a_vm_carries_the_tag(fake: FakeGCP, gcp: GCPConnection, vpc: VPCInfo) -> None:
    handler = gcp.security_group()
    created = handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH,)))
    seed_instance(fake, "vm-other", network="vpc-01", subnet="vpc-01-sn", tags=("sg-02",))
    seed_instance(fake, "vm-01", network="vpc-01", subnet="vpc-01-sn", tags=("sg-01",), zone="us-central1-b")
    with pytest.raises(DependencyError, match="vm-01") as caught:
        handler.delete_security_group(iid=created.iid)
    assert "vm-other" not in str(caught.value)
    assert handler.get_security_group(iid=created.iid) == created

    del fake.collection(PROJECT, "zones/us-central1-b/instances")["vm-01"]
    handler.delete_security_group(iid=created.iid)
    assert firewalls(fake) == {}


def test_groups_are_read_across_pages_of_firewalls(fake: FakeGCP, gcp: GCPConnection, vpc: VPCInfo) -> None:
    handler = gcp.security_group()
    handler.create_security_group(req=SecurityReqInfo(name="sg-b", vpc_iid=vpc.iid, rules=(SSH, PING)))
    handler.create_security_group(req=SecurityReqInfo(name="sg-a", vpc_iid=vpc.iid, rules=(DNS,)))
    fake.page_cap = 2
    before = fake.calls.count(f"GET /compute/v1/projects/{PROJECT}/global/firewalls")
    listed = handler.list_security_groups()
    assert fake.calls.count(f"GET /compute/v1/projects/{PROJECT}/global/firewalls") - before == 3  # 5 firewalls
    assert [(sg.iid.name_id, set(sg.rules), sg.vpc_iid) for sg in listed] == [
        ("sg-a", {DNS}, vpc.iid),
        ("sg-b", {SSH, PING}, vpc.iid),
    ]
