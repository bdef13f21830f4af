"""The per-driver harness of the conformance suite.

To put another driver through the suite, add a factory that yields a `Harness` for it (e.g. AWS
against moto's server mode) and register it in HARNESSES; every conformance test then runs for it.
"""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import pytest

from drivers.errors import DependencyError
from drivers.interface import CloudConnection, CloudDriver
from drivers.mock import MockDriver
from drivers.types import (
    IID,
    ConnectionInfo,
    KeyPairReqInfo,
    SecurityReqInfo,
    SecurityRule,
    SubnetReqInfo,
    VMReqInfo,
    VMStatus,
    VPCReqInfo,
)

T = TypeVar("T")

# Long enough to observe a transitional status, short enough to keep the suite quick.
MOCK_SETTLE_SECONDS = 0.1


@dataclass
class Harness:
    driver: CloudDriver
    conn: CloudConnection
    image: IID  # a public image the driver can boot
    spec_name: str  # a VM spec that fits that image
    vpc_cidr: str
    subnet_cidrs: tuple[str, str]  # two non-overlapping subnets inside vpc_cidr
    timeout_s: float = 30.0  # how long a VM may take to settle
    # Two Kubernetes versions a cluster can be created with and then upgraded to; None skips upgrades.
    k8s_upgrade: tuple[str, str] | None = None
    # Families the driver supports but its emulator cannot answer; they are tested on recorded data.
    not_emulated: frozenset[str] = frozenset()
    # False when the emulator runs a node group without starting its node VMs (moto's EKS).
    cluster_nodes_emulated: bool = True

    def require(self, family: str) -> None:
        """Skip a family's tests for a driver that declares it unsupported (they have their own test)."""
        if not self.driver.capabilities.supports(family):
            pytest.skip(f"driver {self.driver.name!r} does not support {family}")
        if family in self.not_emulated:
            pytest.skip(f"the emulator of driver {self.driver.name!r} does not answer {family}")

    def wait_status(self, iid: IID, status: VMStatus) -> None:
        deadline = time.monotonic() + self.timeout_s
        current = self.conn.vm().get_vm_status(iid=iid)
        while current != status:
            if time.monotonic() > deadline:
                pytest.fail(f"VM {iid.name_id} stayed {current}, expected {status}")
            time.sleep(0.05)
            current = self.conn.vm().get_vm_status(iid=iid)

    def wait_for(self, check: Callable[[], bool], what: str) -> None:
        """Poll `check` until it holds (a disk becoming Available, a cluster Active...)."""
        deadline = time.monotonic() + self.timeout_s
        while not check():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}")
            time.sleep(0.05)

    def eventually(self, call: Callable[[], T]) -> T:
        """Retry `call` while the cloud still reports a dependency (a VM that is terminating)."""
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                return call()
            except DependencyError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


@dataclass(frozen=True)
class Network:
    """A VPC with one subnet, a security group allowing SSH and a key pair: what a VM needs."""

    vpc: IID
    subnet: IID
    subnet_cidr: str
    sg: IID
    key: IID


def make_network(cloud: Harness, name: str = "vm") -> Network:
    vpc = cloud.conn.vpc().create_vpc(
        req=VPCReqInfo(
            name=f"vpc-{name}",
            ipv4_cidr=cloud.vpc_cidr,
            subnets=(SubnetReqInfo(name=f"sn-{name}", ipv4_cidr=cloud.subnet_cidrs[0]),),
        )
    )
    ssh = SecurityRule(direction="inbound", protocol="TCP", from_port=22, to_port=22)
    sg = cloud.conn.security_group().create_security_group(
        req=SecurityReqInfo(name=f"sg-{name}", vpc_iid=vpc.iid, rules=(ssh,))
    )
    key = cloud.conn.key_pair().create_key_pair(req=KeyPairReqInfo(name=f"key-{name}"))
    return Network(vpc=vpc.iid, subnet=vpc.subnets[0].iid, subnet_cidr=cloud.subnet_cidrs[0], sg=sg.iid, key=key.iid)


def vm_req(cloud: Harness, network: Network, name: str = "vm-01") -> VMReqInfo:
    return VMReqInfo(
        name=name,
        image_iid=cloud.image,
        spec_name=cloud.spec_name,
        vpc_iid=IID(name_id=network.vpc.name_id),
        subnet_iid=IID(name_id=network.subnet.name_id),
        security_group_iids=(IID(name_id=network.sg.name_id),),
        key_pair_iid=IID(name_id=network.key.name_id),
        tags={"env": "test"},
    )


def start_running_vm(cloud: Harness, network: Network, name: str = "vm-01") -> IID:
    vm = cloud.conn.vm().start_vm(req=vm_req(cloud, network, name))
    cloud.wait_status(vm.iid, VMStatus.RUNNING)
    return vm.iid


def _mock_harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    redis_url: str = request.getfixturevalue("redis_url")
    driver = MockDriver(store_url=redis_url, settle_seconds=MOCK_SETTLE_SECONDS)
    tenant = f"conformance-{uuid.uuid4().hex}"
    info = ConnectionInfo(name="conformance", provider="mock", credential={"MockName": tenant}, region="mars")
    conn = driver.connect(info)
    try:
        yield Harness(
            driver=driver,
            conn=conn,
            image=IID(name_id="mock-vmimage-01"),
            spec_name="mock-vmspec-01",
            vpc_cidr="10.20.0.0/16",
            subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
            k8s_upgrade=("1.30", "1.31"),
        )
    finally:
        conn.close()
        driver.wipe_tenant(tenant)


def _aws_harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    # Imported here so that the mock's runs need neither moto nor boto3 loaded.
    from drivers.aws import AWSDriver
    from tests.drivers.aws import emulator

    emulator.reset()
    driver = AWSDriver()
    conn = driver.connect(emulator.connection_info())
    try:
        yield Harness(
            driver=driver,
            conn=conn,
            image=IID(name_id="ami-03c3da4cfa8e8943a"),  # Amazon Linux 2023 (x86_64) in moto's catalogue
            spec_name="t3.micro",
            vpc_cidr="10.20.0.0/16",
            subnet_cidrs=("10.20.1.0/24", "10.20.2.0/24"),
            # moto has no Price List API, and its CloudWatch holds only the samples put into it; see
            # tests/drivers/aws/test_price.py and test_monitoring.py.
            not_emulated=frozenset({"price", "monitoring"}),
            cluster_nodes_emulated=False,
        )
    finally:
        conn.close()


def _from(module: str) -> Callable[[pytest.FixtureRequest], Iterator[Harness]]:
    """The `harness(request)` generator of a cloud's own test package, imported when first used
    (so one cloud's SDK is not loaded for another's tests)."""

    def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
        yield from importlib.import_module(module).harness(request)

    return harness


HARNESSES: dict[str, Callable[[pytest.FixtureRequest], Iterator[Harness]]] = {
    "alibaba": _from("tests.drivers.alibaba.harness"),
    "aws": _aws_harness,
    "gcp": _from("tests.drivers.gcp.harness"),
    "azure": _from("tests.drivers.azure.harness"),
    "ktclassic": _from("tests.drivers.ktclassic.harness"),
    "ibm": _from("tests.drivers.ibm.harness"),
    "tencent": _from("tests.drivers.tencent.harness"),
    "openstack": _from("tests.drivers.openstack.harness"),
    "nhn": _from("tests.drivers.openstack.harness_nhn"),
    "ktvpc": _from("tests.drivers.openstack.harness_ktvpc"),
    "mock": _mock_harness,
    "ncp": _from("tests.drivers.ncp.harness"),
    "ncpclassic": _from("tests.drivers.ncp.harness_classic"),
}
