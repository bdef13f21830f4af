"""ACGs on NCP's VPC platform: the SET state between rule changes, ALL as three rules, tags in the description."""

from __future__ import annotations

import pytest

from drivers.errors import AlreadyExistsError, DependencyError, NotFoundError, NotSupportedError
from drivers.ncp import NCPConnection
from drivers.types import IID, SecurityReqInfo, SecurityRule, SubnetReqInfo, VPCInfo, VPCReqInfo
from tests.drivers.ncp.fake import FakeNCP

SSH = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
WEB = SecurityRule(direction="inbound", protocol="TCP", from_port=8000, to_port=8080, cidr="10.0.0.0/8")
PING = SecurityRule(direction="inbound", protocol="ICMP")
EVERYTHING_OUT = SecurityRule(direction="outbound", protocol="ALL")


@pytest.fixture
def vpc(ncp: NCPConnection) -> VPCInfo:
    req = VPCReqInfo(
        name="sg-vpc", ipv4_cidr="10.30.0.0/16", subnets=(SubnetReqInfo(name="sg-sn", ipv4_cidr="10.30.1.0/24"),)
    )
    return ncp.vpc().create_vpc(req=req)


def test_lifecycle(ncp: NCPConnection, vpc: VPCInfo, fake: FakeNCP) -> None:
    groups = ncp.security_group()
    created = groups.create_security_group(
        req=SecurityReqInfo(name="web-acg", vpc_iid=IID(name_id="sg-vpc"), rules=(SSH, WEB), tags={"app": "web"})
    )
    assert created.vpc_iid == vpc.iid
    assert set(created.rules) == {SSH, WEB}
    assert created.tags == {"app": "web"}
    stored = fake.table("acgs")[created.iid.system_id]
    assert {r["portRange"] for r in stored["_rules"]} == {"22", "8000-8080"}

    grown = groups.add_rules(sg_iid=created.iid, rules=[PING, EVERYTHING_OUT, SSH])
    assert set(grown.rules) == {SSH, WEB, PING, EVERYTHING_OUT}
    outbound = [r for r in stored["_rules"] if r["accessControlGroupRuleType"]["code"] == "OTBND"]
    assert sorted(r["protocolType"]["code"] for r in outbound) == ["ICMP", "TCP", "UDP"]

    shrunk = groups.remove_rules(sg_iid=IID(name_id="web-acg"), rules=[EVERYTHING_OUT, WEB])
    assert set(shrunk.rules) == {SSH, PING}
    assert [g.iid for g in groups.list_security_groups()] == [created.iid]  # the VPC's default ACG is not listed

    groups.delete_security_group(iid=created.iid)
    with pytest.raises(NotFoundError):
        groups.get_security_group(iid=created.iid)
    groups.delete_security_group(iid=created.iid)


def test_each_change_waits_for_the_acg_to_settle(ncp: NCPConnection, vpc: VPCInfo, fake: FakeNCP) -> None:
    # Inbound and outbound rules are two calls; the fake refuses the second while the first is applied.
    ncp.security_group().create_security_group(
        req=SecurityReqInfo(name="web-acg", vpc_iid=vpc.iid, rules=(SSH, EVERYTHING_OUT))
    )
    assert "addAccessControlGroupOutboundRule" in fake.actions("vserver")


def test_duplicate_names_and_missing_vpcs(ncp: NCPConnection, vpc: VPCInfo) -> None:
    ncp.security_group().create_security_group(req=SecurityReqInfo(name="web-acg", vpc_iid=vpc.iid))
    with pytest.raises(AlreadyExistsError):
        ncp.security_group().create_security_group(req=SecurityReqInfo(name="web-acg", vpc_iid=vpc.iid))
    with pytest.raises(NotFoundError):
        ncp.security_group().create_security_group(req=SecurityReqInfo(name="other", vpc_iid=IID(name_id="nope")))


def test_an_acg_in_use_by_a_server_cannot_be_deleted(ncp: NCPConnection, vpc: VPCInfo, fake: FakeNCP) -> None:
    acg = ncp.security_group().create_security_group(req=SecurityReqInfo(name="web-acg", vpc_iid=vpc.iid))
    fake.table("nics")["1"] = {"networkInterfaceNo": "1", "accessControlGroupNoList": [acg.iid.system_id]}
    with pytest.raises(DependencyError) as caught:
        ncp.security_group().delete_security_group(iid=acg.iid)
    assert "in use" in caught.value.provider_message


def test_classic_acgs_are_read_only(classic: NCPConnection) -> None:
    groups = classic.security_group()
    web = groups.get_security_group(iid=IID(name_id="web-acg"))
    assert web.rules == (SecurityRule(direction="inbound", protocol="TCP", from_port=80, to_port=443),)
    assert web.vpc_iid == IID(name_id="")
    assert len(groups.list_security_groups()) == 2
    with pytest.raises(NotSupportedError):
        groups.create_security_group(req=SecurityReqInfo(name="x-acg", vpc_iid=IID(name_id="")))
    with pytest.raises(NotSupportedError):
        groups.add_rules(sg_iid=web.iid, rules=[SSH])
