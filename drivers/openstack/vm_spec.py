"""VM specs as Nova flavors (with their extra specs from microversion 2.61)."""

from __future__ import annotations

from typing import Any

from drivers.errors import NotFoundError
from drivers.openstack._errors import translate
from drivers.openstack._session import Clouds
from drivers.types import GpuInfo, VMSpecInfo

# Extra specs that say a flavor brings GPUs: a PCI alias "name:count" (Nova's PCI passthrough) or a
# placement resource request for VGPU.
_PCI_ALIAS = "pci_passthrough:alias"
_VGPU = "resources:VGPU"


def _gpus(extra_specs: dict[str, Any]) -> tuple[GpuInfo, ...]:
    alias = str(extra_specs.get(_PCI_ALIAS) or "")
    if alias:
        name, _, count = alias.partition(":")
        return (GpuInfo(count=int(count or 1), manufacturer="", model=name),)
    if extra_specs.get(_VGPU):
        return (GpuInfo(count=int(extra_specs[_VGPU]), manufacturer="", model="vGPU"),)
    return ()


def to_info(flavor: Any, region: str) -> VMSpecInfo:
    extra_specs = dict(flavor.extra_specs or {})
    return VMSpecInfo(
        name=str(flavor.name),
        region=region,
        vcpu=int(flavor.vcpus or 0),
        memory_mib=int(flavor.ram or 0),
        gpus=_gpus(extra_specs),
        disk_size_gb=int(flavor.disk or 0),
        extra={"id": str(flavor.id), "is_public": str(flavor.is_public)},
    )


class OpenStackVMSpecHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds

    def flavors(self) -> list[Any]:
        with translate():
            return list(self._c.compute.flavors(details=True))

    def find(self, name: str) -> Any:
        for flavor in self.flavors():
            if flavor.name == name or flavor.id == name:
                return flavor
        raise NotFoundError(
            f"VM spec (flavor) '{name}' does not exist in region '{self._c.region}'.", field="spec_name"
        )

    def list_specs(self) -> list[VMSpecInfo]:
        return [to_info(flavor, self._c.region) for flavor in self.flavors()]

    def get_spec(self, *, name: str) -> VMSpecInfo:
        return to_info(self.find(name), self._c.region)
