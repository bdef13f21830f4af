"""VPCs with vSwitches, security groups and key pairs against the fake VPC and ECS APIs."""

from __future__ import annotations

import pytest

from drivers.alibaba import AlibabaConnection, AlibabaDriver
from drivers.errors import DependencyError, InvalidRequestError, NotFoundError
from drivers.types import IID, KeyPairReqInfo, SecurityReqInfo, SecurityRule, SubnetReqInfo, VPCReqInfo
from tests.drivers.alibaba.fake import FakeAlibaba
from tests.drivers.alibaba.support import connection_info

SSH = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
PING = SecurityRule(direction="inbound", protocol="ICMP")
OUT = SecurityRule(direction="outbound", protocol="ALL", cidr="10.0.0.0/8")


def _vpc(conn: AlibabaConnection, name: str = "vpc-a", zone: str = "") -> IID:
    req = VPCReqInfo(
        name=name,
        ipv4_cidr="10.1.0.0/16",
        subnets=(SubnetReqInfo(name=f"{name}-sn", ipv4_cidr="10.1.1.0/24", zone=zone),),
    )
    return conn.vpc().create_vpc(req=req).iid


def test_vswitches_wait_for_their_vpc_and_go_to_the_default_zone(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    iid = _vpc(ali)
    # CreateVSwitch on a Pending VPC is refused (IncorrectVpcStatus): the driver polled until Available.
    actions = [action for _, action in fake.calls]
    assert actions.index("CreateVSwitch") > actions.index("CreateVpc") + 1
    vpc = ali.vpc().get_vpc(iid=iid)
    assert vpc.subnets[0].zone == "cn-hangzhou-h" and vpc.extra["Status"] == "Available"
    zoned = AlibabaDriver().connect(connection_info(zone="cn-hangzhou-j"))
    assert zoned.vpc().create_vpc(req=VPCReqInfo(name="vpc-z", ipv4_cidr="10.2.0.0/16")).subnets == ()
    grown = zoned.vpc().add_subnet(vpc_iid=IID(name_id="vpc-z"), req=SubnetReqInfo(name="sn", ipv4_cidr="10.2.1.0/24"))
    assert grown.subnets[0].zone == "cn-hangzhou-j"


def test_a_subnet_outside_the_vpc_is_refused_with_alibabas_code(ali: AlibabaConnection) -> None:
    iid = _vpc(ali)
    with pytest.raises(InvalidRequestError) as caught:
        ali.vpc().add_subnet(vpc_iid=iid, req=SubnetReqInfo(name="far", ipv4_cidr="192.168.0.0/24"))
    assert caught.value.provider_message.startswith("InvalidCIDRBlock.Mismatch")
    with pytest.raises(InvalidRequestError) as caught:
        ali.vpc().add_subnet(vpc_iid=iid, req=SubnetReqInfo(name="twin", ipv4_cidr="10.1.1.0/25"))
    assert caught.value.provider_message.startswith("InvalidCidrBlock.Overlapped")


def test_lists_page_through_every_vpc(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    for index in range(3):
        ali.vpc().create_vpc(req=VPCReqInfo(name=f"vpc-{index}", ipv4_cidr="10.9.0.0/16"))
    fake.page_limit = 2
    assert sorted(vpc.iid.name_id for vpc in ali.vpc().list_vpcs()) == ["vpc-0", "vpc-1", "vpc-2"]


def test_a_vpc_with_a_security_group_is_in_use(ali: AlibabaConnection) -> None:
    iid = _vpc(ali)
    ali.security_group().create_security_group(req=SecurityReqInfo(name="sg", vpc_iid=iid))
    with pytest.raises(DependencyError) as caught:
        ali.vpc().delete_vpc(iid=iid)
    assert caught.value.provider_message.startswith("DependencyViolation.SecurityGroup")
    ali.security_group().delete_security_group(iid=IID(name_id="sg"))
    ali.vpc().delete_vpc(iid=iid)
    with pytest.raises(NotFoundError):
        ali.vpc().get_vpc(iid=iid)


def test_rules_are_written_in_alibabas_shape(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    iid = _vpc(ali)
    sg = ali.security_group().create_security_group(
        req=SecurityReqInfo(name="sg", vpc_iid=iid, rules=(SSH, PING, OUT), tags={"app": "web"})
    )
    assert set(sg.rules) == {SSH, PING, OUT} and sg.tags == {"app": "web"}
    assert sg.vpc_iid == iid
    kept = fake.table("security_groups")[sg.iid.system_id]["_rules"]
    shapes = {(r["Direction"], r["IpProtocol"], r["PortRange"], r["SourceCidrIp"] or r["DestCidrIp"]) for r in kept}
    assert shapes == {
        ("ingress", "TCP", "22/22", "0.0.0.0/0"),
        ("ingress", "ICMP", "-1/-1", "0.0.0.0/0"),
        ("egress", "ALL", "-1/-1", "10.0.0.0/8"),
    }
    after = ali.security_group().remove_rules(sg_iid=sg.iid, rules=[OUT])
    assert set(after.rules) == {SSH, PING}


def test_key_pairs_answer_the_private_key_only_once(ali: AlibabaConnection, fake: FakeAlibaba) -> None:
    created = ali.key_pair().create_key_pair(req=KeyPairReqInfo(name="kp", tags={"owner": "ops"}))
    assert created.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    again = ali.key_pair().get_key_pair(iid=IID(name_id="kp"))
    assert again.private_key == "" and again.public_key.startswith("ssh-rsa ")
    assert again.fingerprint == created.fingerprint and again.tags == {"owner": "ops"}
    ali.key_pair().delete_key_pair(iid=again.iid)
    assert ali.key_pair().list_key_pairs() == []
