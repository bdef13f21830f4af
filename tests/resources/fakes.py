"""Drivers for tests that need a cloud to misbehave in ways the mock's region options cannot express."""

from __future__ import annotations

from typing import Any

from drivers.capabilities import Capabilities
from drivers.errors import ProviderError
from drivers.mock import MockConnection, MockDriver
from drivers.mock.vpc import MockVPCHandler
from drivers.types import ConnectionInfo, VPCInfo, VPCReqInfo

LIMITED = Capabilities(
    handlers=frozenset({"region_zone", "image", "vm_spec", "price", "vpc", "security_group", "vm"}),
    unsupported=frozenset({"vm.suspend"}),
    notes={"key_pair": "This cloud logs in with passwords only.", "vm.suspend": "VMs can only be stopped."},
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
}
