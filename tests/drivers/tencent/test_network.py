"""VPCs, security groups and key pairs: what Tencent does differently and how the driver copes."""

from __future__ import annotations

import pytest

from drivers.errors import InvalidRequestError
from drivers.tencent import TencentConnection
from drivers.types import IID, KeyPairReqInfo, SecurityReqInfo, SecurityRule, SubnetReqInfo, VPCReqInfo
from tests.drivers.tencent.fake import FakeTencent

SSH = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
OUT = SecurityRule(direction="outbound", protocol="ALL", cidr="10.0.0.0/8")


def _vpc(tencent: TencentConnection, zone: str = "") -> IID:
    req = VPCReqInfo(
        name="vpc-01",
        ipv4_cidr="10.20.0.0/16",
        subnets=(SubnetReqInfo(name="sn-01", ipv4_cidr="10.20.1.0/24", zone=zone),),
    )
    return tencent.vpc().create_vpc(req=req).iid


def test_subnets_go_to_the_first_available_zone_unless_told(tencent: TencentConnection) -> None:
    vpc = tencent.vpc().create_vpc(
        req=VPCReqInfo(
            name="v",
            ipv4_cidr="10.20.0.0/16",
            subnets=(
                SubnetReqInfo(name="a", ipv4_cidr="10.20.1.0/24"),
                SubnetReqInfo(name="b", ipv4_cidr="10.20.2.0/24", zone="ap-guangzhou-6"),
            ),
        )
    )
    assert [(s.iid.name_id, s.zone) for s in vpc.subnets] == [("a", "ap-guangzhou-3"), ("b", "ap-guangzhou-6")]


def test_a_vpc_whose_subnet_fails_is_not_left_behind(fake: FakeTencent, tencent: TencentConnection) -> None:
    req = VPCReqInfo(name="v", ipv4_cidr="10.20.0.0/16", subnets=(SubnetReqInfo(name="a", ipv4_cidr="10.99.1.0/24"),))
    with pytest.raises(InvalidRequestError) as caught:
        tencent.vpc().create_vpc(req=req)
    assert "SubnetRange" in str(caught.value)
    assert tencent.vpc().list_vpcs() == [] and fake.table("vpcs") == {}


def test_a_security_group_keeps_its_vpc_in_its_description(fake: FakeTencent, tencent: TencentConnection) -> None:
    vpc = _vpc(tencent)
    group = tencent.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc))
    stored = fake.table("security_groups")[group.iid.system_id]
    assert stored["SecurityGroupDesc"] == f"spiderweb vpc={vpc.system_id}"
    assert tencent.security_group().get_security_group(iid=IID(name_id="sg-01")).vpc_iid == vpc


def test_rules_are_changed_one_direction_per_request(fake: FakeTencent, tencent: TencentConnection) -> None:
    vpc = _vpc(tencent)
    tencent.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc, rules=(SSH, OUT)))
    creates = [
        call.params["SecurityGroupPolicySet"] for call in fake.calls if call.action == "CreateSecurityGroupPolicies"
    ]
    assert creates == [
        {"Ingress": [{"Protocol": "TCP", "CidrBlock": "0.0.0.0/0", "Action": "ACCEPT", "Port": "22"}]},
        {"Egress": [{"Protocol": "ALL", "CidrBlock": "10.0.0.0/8", "Action": "ACCEPT"}]},
    ]


def test_drop_policies_made_elsewhere_are_not_rules(fake: FakeTencent, tencent: TencentConnection) -> None:
    vpc = _vpc(tencent)
    group = tencent.security_group().create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc, rules=(SSH,)))
    fake.table("security_groups")[group.iid.system_id]["_policies"]["Ingress"].append(
        {"Protocol": "TCP", "Port": "80,443", "CidrBlock": "1.2.3.0/24", "Action": "DROP"}
    )
    fake.table("security_groups")[group.iid.system_id]["_policies"]["Ingress"].append(
        {"Protocol": "TCP", "Port": "80,8000-8010", "CidrBlock": "1.2.3.0/24", "Action": "ACCEPT"}
    )
    rules = tencent.security_group().get_security_group(iid=group.iid).rules
    assert rules == (
        SSH,
        SecurityRule(direction="inbound", protocol="TCP", from_port=80, to_port=80, cidr="1.2.3.0/24"),
        SecurityRule(direction="inbound", protocol="TCP", from_port=8000, to_port=8010, cidr="1.2.3.0/24"),
    )


def test_a_key_pair_name_with_hyphens_reads_back_as_given(fake: FakeTencent, tencent: TencentConnection) -> None:
    created = tencent.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    stored = fake.table("key_pairs")[created.iid.system_id]
    assert (stored["KeyName"], stored["Description"]) == ("key_01", "spiderweb name=key-01")
    assert created.iid.name_id == "key-01" and created.extra["KeyName"] == "key_01"
    assert "BEGIN RSA PRIVATE KEY" in created.private_key
    assert len(created.fingerprint.split(":")) == 16
    assert tencent.key_pair().get_key_pair(iid=IID(name_id="key-01")).fingerprint == created.fingerprint


def test_a_key_pair_name_too_long_for_tencent_is_refused(tencent: TencentConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        tencent.key_pair().create_key_pair(req=KeyPairReqInfo(name="k" * 26))
    assert caught.value.field == "name"
