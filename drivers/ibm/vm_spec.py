"""VM specs: the region's instance profiles (`GET /instance/profiles`)."""

from __future__ import annotations

from typing import Any

from drivers.errors import NotFoundError
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.types import GpuInfo, VMSpecInfo

ARCHITECTURES = {"amd64": "x86_64", "s390x": "s390x"}


def _value(profile: dict[str, Any], key: str) -> Any:
    """A profile property's value: fixed ones have `value`, ranges and enums a `default`."""
    prop = profile.get(key) or {}
    return prop.get("value", prop.get("default", 0))


def spec_info(profile: dict[str, Any], region: str) -> VMSpecInfo:
    gpus: tuple[GpuInfo, ...] = ()
    count = int(_value(profile, "gpu_count") or 0)
    if count:
        gpus = (
            GpuInfo(
                count=count,
                manufacturer=str(((profile.get("gpu_manufacturer") or {}).get("values") or [""])[0]).upper(),
                model=str(((profile.get("gpu_model") or {}).get("values") or [""])[0]),
                memory_mib=int(_value(profile, "gpu_memory") or 0) * 1024,
            ),
        )
    arch = str(_value(profile, "vcpu_architecture"))
    disk_gb = sum(
        int((disk.get("size") or {}).get("value", 0)) * int((disk.get("quantity") or {}).get("value", 1))
        for disk in profile.get("disks", [])
    )
    return VMSpecInfo(
        name=str(profile["name"]),
        region=region,
        vcpu=int(_value(profile, "vcpu_count")),
        memory_mib=int(_value(profile, "memory")) * 1024,
        architecture=ARCHITECTURES.get(arch, arch),
        gpus=gpus,
        disk_size_gb=disk_gb,
        extra={"family": str(profile.get("family", "")), "bandwidth_mbps": str(_value(profile, "bandwidth"))},
    )


class IBMVMSpecHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def list_specs(self) -> list[VMSpecInfo]:
        with translate():
            profiles = result(self._clients.vpc.list_instance_profiles()).get("profiles", [])
        return [spec_info(profile, self._clients.region) for profile in profiles]

    def get_spec(self, *, name: str) -> VMSpecInfo:
        for spec in self.list_specs():
            if spec.name == name:
                return spec
        raise NotFoundError(
            f"Instance profile '{name}' does not exist in region '{self._clients.region}'.", field="spec_name"
        )
