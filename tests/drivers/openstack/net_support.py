"""A VPC, security group and key pair made through the driver, for the tests that need a VM."""

from __future__ import annotations

from drivers.errors import NotFoundError
from drivers.openstack import OpenStackConnection
from drivers.types import IID, KeyPairReqInfo, SecurityReqInfo, SecurityRule, SubnetReqInfo, VMReqInfo, VPCReqInfo

SSH = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)


def network(conn: OpenStackConnection, name: str = "net") -> tuple[IID, IID, IID, IID]:
    """(vpc, subnet, security group, key pair)."""
    vpc = conn.vpc().create_vpc(
        req=VPCReqInfo(
            name=f"vpc-{name}",
            ipv4_cidr="10.9.0.0/16",
            subnets=(SubnetReqInfo(name=f"sn-{name}", ipv4_cidr="10.9.1.0/24"),),
        )
    )
    sg = conn.security_group().create_security_group(
        req=SecurityReqInfo(name=f"sg-{name}", vpc_iid=vpc.iid, rules=(SSH,))
    )
    key = conn.key_pair().create_key_pair(req=KeyPairReqInfo(name=f"key-{name}"))
    return vpc.iid, vpc.subnets[0].iid, sg.iid, key.iid


def vm_req(conn: OpenStackConnection, name: str = "vm-1", net: str = "net", **tags: str) -> VMReqInfo:
    try:
        vpc = conn.vpc().get_vpc(iid=IID(name_id=f"vpc-{net}"))
        ids = (vpc.iid, vpc.subnets[0].iid, IID(name_id=f"sg-{net}"), IID(name_id=f"key-{net}"))
    except NotFoundError:
        ids = network(conn, net)
    vpc_iid, subnet, sg, key = ids
    return VMReqInfo(
        name=name,
        image_iid=IID(name_id="ubuntu-22.04"),
        spec_name="m1.small",
        vpc_iid=vpc_iid,
        subnet_iid=subnet,
        security_group_iids=(sg,),
        key_pair_iid=key,
        tags=tags,
    )
