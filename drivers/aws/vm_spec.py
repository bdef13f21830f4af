"""VM specs: the instance types offered in the connection's region (`DescribeInstanceTypes`)."""

from __future__ import annotations

from typing import Any

from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import GpuInfo, VMSpecInfo

PAGE_SIZE = 100  # the API's maximum


def spec_info(item: dict[str, Any], *, region: str) -> VMSpecInfo:
    processor = dict(item.get("ProcessorInfo", {}))
    architectures = [str(arch) for arch in processor.get("SupportedArchitectures", [])]
    gpus = tuple(
        GpuInfo(
            count=int(gpu.get("Count", 0)),
            manufacturer=str(gpu.get("Manufacturer", "")),
            model=str(gpu.get("Name", "")),
            memory_mib=int(dict(gpu.get("MemoryInfo", {})).get("SizeInMiB", 0)),
        )
        for gpu in dict(item.get("GpuInfo", {})).get("Gpus", [])
    )
    network = dict(item.get("NetworkInfo", {}))
    extra = {
        "current_generation": str(item.get("CurrentGeneration", "")).lower(),
        "hypervisor": str(item.get("Hypervisor", "")),
        "network_performance": str(network.get("NetworkPerformance", "")),
        "processor_manufacturer": str(processor.get("Manufacturer", "")),
        "architectures": ",".join(architectures),
    }
    clock = processor.get("SustainedClockSpeedInGhz")
    return VMSpecInfo(
        name=str(item["InstanceType"]),
        region=region,
        vcpu=int(dict(item.get("VCpuInfo", {})).get("DefaultVCpus", 0)),
        memory_mib=int(dict(item.get("MemoryInfo", {})).get("SizeInMiB", 0)),
        architecture=_architecture(architectures),
        clock_ghz=float(clock) if clock is not None else None,
        gpus=gpus,
        disk_size_gb=int(dict(item.get("InstanceStorageInfo", {})).get("TotalSizeInGB", 0)),
        extra={key: value for key, value in extra.items() if value},
    )


def _architecture(architectures: list[str]) -> str:
    # Older types list "i386" beside "x86_64"; the 64-bit one is what images are built for.
    for preferred in ("x86_64", "arm64"):
        if preferred in architectures:
            return preferred
    return architectures[0] if architectures else ""


class AWSVMSpecHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    def list_specs(self) -> list[VMSpecInfo]:
        region = self._clients.region
        specs: list[VMSpecInfo] = []
        pages = (
            self._clients.ec2()
            .get_paginator("describe_instance_types")
            .paginate(PaginationConfig={"PageSize": PAGE_SIZE})
        )
        with translate():
            for page in pages:
                specs.extend(spec_info(dict(item), region=region) for item in page.get("InstanceTypes", []))
        return sorted(specs, key=lambda spec: spec.name)

    def get_spec(self, *, name: str) -> VMSpecInfo:
        try:
            with translate(field="name"):
                answer = self._clients.ec2().describe_instance_types(InstanceTypes=[name])  # type: ignore[list-item]
        except InvalidRequestError as exc:
            # AWS answers an unknown type with InvalidInstanceType, a bad request; to the caller it is absent.
            raise NotFoundError(
                f"VM spec '{name}' is not offered in {self._clients.region}.",
                provider_message=exc.provider_message,
                field="name",
            ) from exc
        items = answer.get("InstanceTypes", [])
        if not items:
            raise NotFoundError(f"VM spec '{name}' is not offered in {self._clients.region}.", field="name")
        return spec_info(dict(items[0]), region=self._clients.region)
