"""A VPC with a subnet, a security group allowing SSH and a key pair on the fake, for the VM, disk and
image tests."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.ibm import IBMConnection
from drivers.types import (
    IID,
    KeyPairReqInfo,
    SecurityReqInfo,
    SecurityRule,
    SubnetReqInfo,
    VMReqInfo,
    VMStatus,
    VPCReqInfo,
)
from tests.drivers.ibm.fake import FakeIBM
from tests.drivers.ibm.support import ACCOUNT, REGION


@dataclass(frozen=True)
class Net:
    vpc: IID
    subnet: IID
    sg: IID
    key: IID


def make_net(ibm: IBMConnection) -> Net:
    vpc = ibm.vpc().create_vpc(
        req=VPCReqInfo(
            name="vpc-1", ipv4_cidr="10.10.0.0/16", subnets=(SubnetReqInfo(name="sn-1", ipv4_cidr="10.10.1.0/24"),)
        )
    )
    ssh = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
    sg = ibm.security_group().create_security_group(req=SecurityReqInfo(name="sg-1", vpc_iid=vpc.iid, rules=(ssh,)))
    key = ibm.key_pair().create_key_pair(req=KeyPairReqInfo(name="key-1"))
    return Net(vpc=vpc.iid, subnet=vpc.subnets[0].iid, sg=sg.iid, key=key.iid)


def vm_req(net: Net, name: str = "vm-1") -> VMReqInfo:
    return VMReqInfo(
        name=name,
        image_iid=IID(name_id="ibm-ubuntu-22-04-4-minimal-amd64-1"),
        spec_name="bx2-2x8",
        vpc_iid=net.vpc,
        subnet_iid=net.subnet,
        security_group_iids=(net.sg,),
        key_pair_iid=net.key,
    )


def running_vm(ibm: IBMConnection, net: Net, name: str = "vm-1") -> IID:
    vm = ibm.vm().start_vm(req=vm_req(net, name))
    for _ in range(20):
        if ibm.vm().get_vm_status(iid=vm.iid) == VMStatus.RUNNING:
            return vm.iid
    raise AssertionError(f"{name} never ran")


def state(fake: FakeIBM, kind: str) -> list[dict[str, object]]:
    return list(fake.collection(ACCOUNT, REGION, kind).values())
