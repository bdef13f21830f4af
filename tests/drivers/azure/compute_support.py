"""What the VM, disk and machine image tests share: a network to start VMs in (made through the
driver's own VPC, security group and key pair families) and the request bodies the fake received."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from drivers.azure import AzureConnection
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
from tests.drivers.azure.fake import FakeAzure
from tests.drivers.azure.fake.vm_state import settle_all

GROUP = "spiderweb-koreacentral"
IMAGE = IID(name_id="Canonical:ubuntu-24_04-lts:server:latest")
SPEC = "Standard_B2s"


@pytest.fixture(autouse=True)
def settled_vms(fake_azure: FakeAzure) -> Iterator[None]:
    """VM operations nobody waited on end with the test, so the fake need not wait for them."""
    yield
    settle_all(fake_azure)


@dataclass(frozen=True)
class Net:
    vpc: IID
    subnet: IID
    sg: IID
    key: IID
    public_key: str


def make_net(azure: AzureConnection, name: str = "1") -> Net:
    vpc = azure.vpc().create_vpc(
        req=VPCReqInfo(
            name=f"vpc-{name}",
            ipv4_cidr="10.0.0.0/16",
            subnets=(SubnetReqInfo(name=f"sn-{name}", ipv4_cidr="10.0.1.0/24"),),
        )
    )
    ssh = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
    sg = azure.security_group().create_security_group(
        req=SecurityReqInfo(name=f"sg-{name}", vpc_iid=vpc.iid, rules=(ssh,))
    )
    key = azure.key_pair().create_key_pair(req=KeyPairReqInfo(name=f"key-{name}"))
    return Net(vpc=vpc.iid, subnet=vpc.subnets[0].iid, sg=sg.iid, key=key.iid, public_key=key.public_key)


def vm_req(net: Net, name: str = "vm-1", **changes: Any) -> VMReqInfo:
    fields: dict[str, Any] = {
        "name": name,
        "image_iid": IMAGE,
        "spec_name": SPEC,
        "vpc_iid": IID(name_id=net.vpc.name_id),
        "subnet_iid": IID(name_id=net.subnet.name_id),
        "security_group_iids": (IID(name_id=net.sg.name_id),),
        "key_pair_iid": IID(name_id=net.key.name_id),
        "tags": {"env": "test"},
    }
    fields.update(changes)
    return VMReqInfo(**fields)


def running_vm(azure: AzureConnection, net: Net, name: str = "vm-1", **changes: Any) -> IID:
    vm = azure.vm().start_vm(req=vm_req(net, name, **changes))
    for _ in range(20):
        if azure.vm().get_vm_status(iid=vm.iid) == VMStatus.RUNNING:
            return vm.iid
    raise AssertionError(f"VM {name} did not reach Running")


def sent(fake: FakeAzure, method: str, pattern: str) -> list[dict[str, Any]]:
    """The JSON bodies of the requests made with `method` to paths matching `pattern`."""
    wanted = re.compile(pattern, re.IGNORECASE)
    return [json.loads(call.body) for call in fake.calls if call.method == method and wanted.search(call.path)]


def of_type(fake: FakeAzure, arm_type: str) -> list[str]:
    """Names of the resources of `arm_type` the fake holds."""
    return sorted(str(body["name"]) for body in fake.resources.values() if body.get("type") == arm_type)
