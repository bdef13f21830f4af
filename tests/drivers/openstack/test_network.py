"""VPCs and security groups on Neutron: what the driver does beyond the conformance suite."""

from __future__ import annotations

import pytest

from drivers.errors import DependencyError, InvalidRequestError
from drivers.openstack import OpenStackConnection
from drivers.types import IID, SecurityReqInfo, SecurityRule, SubnetReqInfo, VPCReqInfo
from tests.drivers.openstack.fake import FakeOpenStack
from tests.drivers.openstack.net_support import vm_req

REGION = "RegionOne"


def _vpc(conn: OpenStackConnection) -> IID:
    req = VPCReqInfo(
        name="vpc-1",
        ipv4_cidr="10.1.0.0/16",
        subnets=(SubnetReqInfo(name="a", ipv4_cidr="10.1.1.0/24"), SubnetReqInfo(name="b", ipv4_cidr="10.1.2.0/24")),
    )
    return conn.vpc().create_vpc(req=req).iid


def test_a_vpc_is_a_network_with_a_router_to_the_outside(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    vpc = _vpc(conn)
    routers = list(fake.coll(REGION, "routers").values())
    assert len(routers) == 1
    external = next(n["id"] for n in fake.coll(REGION, "networks").values() if n["router:external"])
    assert routers[0]["external_gateway_info"] == {"network_id": external}
    interfaces = [p for p in fake.coll(REGION, "ports").values() if p["device_id"] == routers[0]["id"]]
    assert {p["fixed_ips"][0]["ip_address"] for p in interfaces} == {"10.1.1.1", "10.1.2.1"}
    assert conn.vpc().get_vpc(iid=vpc).extra["router_id"] == routers[0]["id"]
    assert [v.iid.name_id for v in conn.vpc().list_vpcs()] == ["vpc-1"]  # the external network is not a VPC


def test_a_subnet_must_lie_inside_the_vpc(conn: OpenStackConnection) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        conn.vpc().create_vpc(
            req=VPCReqInfo(
                name="v", ipv4_cidr="10.1.0.0/16", subnets=(SubnetReqInfo(name="a", ipv4_cidr="10.2.1.0/24"),)
            )
        )
    assert caught.value.field == "subnets[0].ipv4_cidr"
    assert conn.vpc().list_vpcs() == []


def test_a_vpc_with_a_vm_is_not_torn_down(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    conn.vm().start_vm(req=vm_req(conn))
    vpc = conn.vpc().get_vpc(iid=IID(name_id="vpc-net"))
    with pytest.raises(DependencyError) as caught:
        conn.vpc().delete_vpc(iid=vpc.iid)
    assert "compute:nova" in str(caught.value)
    assert conn.vpc().get_vpc(iid=vpc.iid) == vpc  # router, interfaces and subnets untouched
    with pytest.raises(DependencyError):
        conn.vpc().remove_subnet(vpc_iid=vpc.iid, subnet_iid=vpc.subnets[0].iid)


def test_deleting_a_vpc_removes_its_router_and_subnets(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    conn.vpc().delete_vpc(iid=_vpc(conn))
    assert fake.coll(REGION, "routers") == {}
    assert [s["name"] for s in fake.coll(REGION, "subnets").values()] == ["public-subnet"]
    assert not [p for p in fake.coll(REGION, "ports").values() if p["device_owner"] == "network:router_interface"]


def test_a_security_group_holds_only_the_rules_asked_for(fake: FakeOpenStack, conn: OpenStackConnection) -> None:
    vpc = _vpc(conn)
    ssh = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
    sg = conn.security_group().create_security_group(req=SecurityReqInfo(name="sg", vpc_iid=vpc, rules=(ssh,)))
    rules = fake.coll(REGION, "security-groups")[sg.iid.system_id]["security_group_rules"]
    assert [(r["direction"], r["protocol"], r["port_range_min"]) for r in rules] == [("ingress", "tcp", 22)]
    assert sg.vpc_iid == vpc and sg.rules == (ssh,)
    everything = SecurityRule(direction="outbound", protocol="ALL")
    assert set(conn.security_group().add_rules(sg_iid=sg.iid, rules=[everything]).rules) == {ssh, everything}


def test_a_security_group_in_use_cannot_be_deleted(conn: OpenStackConnection) -> None:
    vm = conn.vm().start_vm(req=vm_req(conn))
    with pytest.raises(DependencyError):
        conn.security_group().delete_security_group(iid=IID(name_id="sg-net"))
    conn.vm().terminate_vm(iid=vm.iid)
    conn.security_group().delete_security_group(iid=IID(name_id="sg-net"))


def test_a_private_cloud_without_an_external_network_gives_private_addresses(
    fake: FakeOpenStack, conn: OpenStackConnection
) -> None:
    for network in [n for n in fake.coll(REGION, "networks").values() if n["router:external"]]:
        fake.coll(REGION, "subnets").pop(network["subnets"][0])
        fake.coll(REGION, "networks").pop(network["id"])
    vm = conn.vm().start_vm(req=vm_req(conn))
    assert vm.private_ip.startswith("10.9.1.") and vm.public_ip == ""
    assert [r["external_gateway_info"] for r in fake.coll(REGION, "routers").values()] == [None]
