"""Drivers for tests that need a cloud to misbehave in ways the mock's region options cannot express."""

from __future__ import annotations

import threading
from typing import Any

from drivers.capabilities import Capabilities
from drivers.errors import ProviderError, ThrottlingError
from drivers.mock import MockConnection, MockDriver
from drivers.mock.vm import MockVMHandler
from drivers.mock.vpc import MockVPCHandler
from drivers.types import ConnectionInfo, VMInfo, VPCInfo, VPCReqInfo

LIMITED = Capabilities(
    handlers=frozenset({"region_zone", "image", "vm_spec", "price", "vpc", "security_group", "vm", "monitoring"}),
    unsupported=frozenset({"vm.suspend", "monitoring.memory_usage"}),
    notes={
        "key_pair": "This cloud logs in with passwords only.",
        "vm.suspend": "VMs can only be stopped.",
        "monitoring.memory_usage": "Memory is not visible without an agent.",
    },
)


class LimitedMockDriver(MockDriver):
    """The mock cloud without key pairs and without VM suspend."""

    name = "limited"
    label = "Limited mock cloud"
    capabilities = LIMITED


class _LostAnswerVPCs(MockVPCHandler):
    """Creates the VPC at the cloud, then loses the answer (a timeout after the fact)."""

    lost_gets = False

    def create_vpc(self, *, req: VPCReqInfo) -> VPCInfo:
        super().create_vpc(req=req)
        raise ProviderError("The request timed out.", provider_message="504 Gateway Timeout")

    def get_vpc(self, **kwargs: Any) -> VPCInfo:
        if self.lost_gets:
            raise ProviderError("The request timed out.", provider_message="504 Gateway Timeout")
        return super().get_vpc(**kwargs)


class _LostAnswerConnection(MockConnection):
    handler_class: type[_LostAnswerVPCs] = _LostAnswerVPCs

    def vpc(self) -> MockVPCHandler:
        return self.handler_class(self._cx)


class _BlindVPCs(_LostAnswerVPCs):
    lost_gets = True


class _BlindConnection(_LostAnswerConnection):
    handler_class = _BlindVPCs


class LostAnswerMockDriver(MockDriver):
    """VPC creates succeed at the cloud but every answer is lost once; a retry must adopt, not duplicate."""

    name = "lostanswer"
    connection_class: type[MockConnection] = _LostAnswerConnection

    def connect(self, info: ConnectionInfo) -> MockConnection:
        base = super().connect(info)
        return self.connection_class(info=info, context=base._cx)


class BlindMockDriver(LostAnswerMockDriver):
    """VPC creates succeed at the cloud but no answer about them ever comes back."""

    name = "blind"
    connection_class = _BlindConnection


TEST_DRIVERS = {
    "limited": "tests.resources.fakes:LimitedMockDriver",
    "lostanswer": "tests.resources.fakes:LostAnswerMockDriver",
    "blind": "tests.resources.fakes:BlindMockDriver",
    "throttledlist": "tests.resources.fakes:ThrottledListMockDriver",
}


class _ThrottledVMs(MockVMHandler):
    """Refuses the first `throttled_calls` listings of each tenant as throttled, with a short hint."""

    throttled_calls = 2
    seen: dict[str, int] = {}
    lock = threading.Lock()

    def list_vms(self) -> list[VMInfo]:
        with self.lock:
            count = self.seen.get(self._cx.tenant, 0) + 1
            self.seen[self._cx.tenant] = count
        if count <= self.throttled_calls:
            raise ThrottlingError("Rate exceeded.", retry_after=0.05, provider_message="ThrottlingException")
        return super().list_vms()


class _ThrottledConnection(MockConnection):
    def vm(self) -> MockVMHandler:
        return _ThrottledVMs(self._cx)


class ThrottledListMockDriver(MockDriver):
    """VM listings are throttled twice per tenant before they answer."""

    name = "throttledlist"

    def connect(self, info: ConnectionInfo) -> MockConnection:
        return _ThrottledConnection(info=info, context=super().connect(info)._cx)
