"""The per-driver harness of the conformance suite.

To put another driver through the suite, add a factory that yields a `Harness` for it (e.g. AWS
against moto's server mode) and register it in HARNESSES; every conformance test then runs for it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import pytest

from drivers.errors import DependencyError
from drivers.interface import CloudConnection, CloudDriver
from drivers.mock import MockDriver
from drivers.types import IID, ConnectionInfo, VMStatus

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

    def require(self, family: str) -> None:
        """Skip a family's tests for a driver that declares it unsupported (they have their own test)."""
        if not self.driver.capabilities.supports(family):
            pytest.skip(f"driver {self.driver.name!r} does not support {family}")

    def wait_status(self, iid: IID, status: VMStatus) -> None:
        deadline = time.monotonic() + self.timeout_s
        current = self.conn.vm().get_vm_status(iid=iid)
        while current != status:
            if time.monotonic() > deadline:
                pytest.fail(f"VM {iid.name_id} stayed {current}, expected {status}")
            time.sleep(0.05)
            current = self.conn.vm().get_vm_status(iid=iid)

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
        )
    finally:
        conn.close()
        driver.wipe_tenant(tenant)


HARNESSES: dict[str, Callable[[pytest.FixtureRequest], Iterator[Harness]]] = {
    "mock": _mock_harness,
}
