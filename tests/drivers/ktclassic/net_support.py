"""An emulated VPC, security group and key pair in the fake's KOR-Seoul M2 zone, and a VM request using them."""

from __future__ import annotations

from drivers.ktclassic import KTClassicConnection
from drivers.types import IID, KeyPairReqInfo, SecurityReqInfo, SecurityRule, SubnetReqInfo, VMReqInfo, VPCReqInfo
from tests.drivers.ktclassic.fake.catalogue import SMALL, UBUNTU

SSH = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
HTTPS_INSIDE = SecurityRule(direction="inbound", protocol="TCP", from_port=443, to_port=443, cidr="10.0.0.0/8")


def vm_setup(
    kt: KTClassicConnection, *, vpc_cidr: str = "172.25.0.0/16", subnet_cidr: str = "172.25.1.0/24"
) -> VMReqInfo:
    subnet = SubnetReqInfo(name="sn-01", ipv4_cidr=subnet_cidr)
    kt.vpc().create_vpc(req=VPCReqInfo(name="vpc-01", ipv4_cidr=vpc_cidr, subnets=(subnet,)))
    kt.security_group().create_security_group(
        req=SecurityReqInfo(name="sg-01", vpc_iid=IID(name_id="vpc-01"), rules=(SSH,))
    )
    kt.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-01"))
    return VMReqInfo(
        name="vm-01",
        image_iid=IID(name_id=UBUNTU),
        spec_name=SMALL,
        vpc_iid=IID(name_id="vpc-01"),
        subnet_iid=IID(name_id="sn-01"),
        security_group_iids=(IID(name_id="sg-01"),),
        key_pair_iid=IID(name_id="key-01"),
        tags={"env": "test"},
    )
