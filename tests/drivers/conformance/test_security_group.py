"""Security groups and their rules."""

from __future__ import annotations

import pytest

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.types import IID, SecurityReqInfo, SecurityRule, SubnetReqInfo, VPCInfo, VPCReqInfo
from tests.drivers.conformance.harness import Harness

SSH = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22, cidr="0.0.0.0/0")
HTTPS = SecurityRule(direction="inbound", protocol="TCP", from_port=443, to_port=443, cidr="10.0.0.0/8")
PING = SecurityRule(direction="inbound", protocol="ICMP", cidr="0.0.0.0/0")


@pytest.fixture
def vpc(cloud: Harness) -> VPCInfo:
    cloud.require("security_group")
    req = VPCReqInfo(
        name="vpc-sg", ipv4_cidr=cloud.vpc_cidr, subnets=(SubnetReqInfo(name="sn", ipv4_cidr=cloud.subnet_cidrs[0]),)
    )
    return cloud.conn.vpc().create_vpc(req=req)


def test_security_group_lifecycle(cloud: Harness, vpc: VPCInfo) -> None:
    handler = cloud.conn.security_group()
    created = handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH,)))
    assert created.iid.name_id == "sg-01" and created.iid.system_id
    assert created.vpc_iid == vpc.iid
    assert created.rules == (SSH,)

    assert handler.get_security_group(iid=IID(name_id="sg-01")) == created
    assert created.iid in [sg.iid for sg in handler.list_security_groups()]

    added = handler.add_rules(sg_iid=created.iid, rules=[HTTPS, PING])
    assert set(added.rules) == {SSH, HTTPS, PING}
    removed = handler.remove_rules(sg_iid=created.iid, rules=[SSH])
    assert set(removed.rules) == {HTTPS, PING}
    assert set(handler.get_security_group(iid=created.iid).rules) == {HTTPS, PING}

    handler.delete_security_group(iid=created.iid)
    with pytest.raises(NotFoundError):
        handler.get_security_group(iid=created.iid)


def test_rule_changes_are_idempotent(cloud: Harness, vpc: VPCInfo) -> None:
    handler = cloud.conn.security_group()
    created = handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid, rules=(SSH,)))
    assert handler.add_rules(sg_iid=created.iid, rules=[SSH]).rules == (SSH,)
    assert handler.remove_rules(sg_iid=created.iid, rules=[HTTPS]).rules == (SSH,)


def test_security_group_in_a_missing_vpc_is_not_found(cloud: Harness) -> None:
    cloud.require("security_group")
    with pytest.raises(NotFoundError):
        cloud.conn.security_group().create_security_group(
            req=SecurityReqInfo(name="sg-01", vpc_iid=IID(name_id="no-such-vpc"))
        )
    assert cloud.conn.security_group().list_security_groups() == []


def test_creating_an_existing_security_group_name_is_refused(cloud: Harness, vpc: VPCInfo) -> None:
    handler = cloud.conn.security_group()
    handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid))
    with pytest.raises(AlreadyExistsError):
        handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid))


def test_missing_security_group_is_not_found(cloud: Harness) -> None:
    cloud.require("security_group")
    handler = cloud.conn.security_group()
    with pytest.raises(NotFoundError):
        handler.get_security_group(iid=IID(name_id="no-such-sg"))
    with pytest.raises(NotFoundError):
        handler.add_rules(sg_iid=IID(name_id="no-such-sg"), rules=[SSH])


def test_security_group_delete_is_idempotent(cloud: Harness, vpc: VPCInfo) -> None:
    handler = cloud.conn.security_group()
    created = handler.create_security_group(req=SecurityReqInfo(name="sg-01", vpc_iid=vpc.iid))
    handler.delete_security_group(iid=created.iid)
    assert handler.delete_security_group(iid=created.iid) is None
    assert handler.delete_security_group(iid=IID(name_id="never-existed")) is None
