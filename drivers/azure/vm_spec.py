"""VM specs: the VM sizes offered in the connection's region, from the Compute resource SKUs.

The SKU list of a location holds every Compute SKU (disks, availability sets, VM sizes...) with its
capabilities as name/value strings, the zones that offer it, and the restrictions this subscription
meets. A size restricted in the whole location (typically `NotAvailableForSubscription`) cannot be
started there and is left out; a restriction in some zones only takes those zones off its list.
"""

from __future__ import annotations

from typing import Any

from drivers.azure._common import as_json, capability_map
from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.errors import NotFoundError
from drivers.types import GpuInfo, VMSpecInfo

VM_RESOURCE_TYPE = "virtualMachines"

_ARCHITECTURES = {"x64": "x86_64", "arm64": "arm64"}

# The SKU list counts GPUs but names none; these are the GPU series' families (lower-cased) and what
# Microsoft documents for them: manufacturer, model, memory per GPU in MiB.
GPU_FAMILIES: dict[str, tuple[str, str, int]] = {
    "standardncasv3_t4family": ("NVIDIA", "T4", 16384),
    "standardncsv3family": ("NVIDIA", "V100", 16384),
    "standardncadsa100v4family": ("NVIDIA", "A100", 81920),
    "standardncadsh100v5family": ("NVIDIA", "H100 NVL", 96256),
    "standardndsv2family": ("NVIDIA", "V100", 32768),
    "standardndasv4_a100family": ("NVIDIA", "A100", 40960),
    "standardndamsv4_a100family": ("NVIDIA", "A100", 81920),
    "standardndsh100v5family": ("NVIDIA", "H100", 81920),
    "standardnvsv3family": ("NVIDIA", "M60", 8192),
    "standardnvadsa10v5family": ("NVIDIA", "A10", 0),  # fractions of one GPU; the memory depends on the size
    "standardnvsv4family": ("AMD", "Radeon Instinct MI25", 0),
}


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def _in_region(values: Any, region: str) -> bool:
    return region.lower() in {str(value).lower() for value in values or ()}


def location_restricted(sku: dict[str, Any], region: str) -> bool:
    """Whether the subscription may not use the SKU anywhere in `region`."""
    for restriction in sku.get("restrictions") or []:
        if str(restriction.get("type", "")).lower() != "location":
            continue
        info = dict(restriction.get("restrictionInfo") or {})
        if _in_region(info.get("locations") or restriction.get("values"), region):
            return True
    return False


def _zones(sku: dict[str, Any], region: str) -> tuple[list[str], list[str]]:
    """The zones of `region` offering the SKU to this subscription, and those restricted to it."""
    offered: set[str] = set()
    for info in sku.get("locationInfo") or []:
        if str(info.get("location", "")).lower() == region.lower():
            offered.update(str(zone) for zone in info.get("zones") or [])
    restricted: set[str] = set()
    for restriction in sku.get("restrictions") or []:
        info = dict(restriction.get("restrictionInfo") or {})
        if str(restriction.get("type", "")).lower() == "zone" and _in_region(info.get("locations"), region):
            restricted.update(str(zone) for zone in info.get("zones") or [])
    return sorted(offered - restricted), sorted(restricted & offered)


def spec_info(sku: dict[str, Any], *, region: str) -> VMSpecInfo:
    caps = capability_map(sku.get("capabilities"))
    family = str(sku.get("family", ""))
    gpus: tuple[GpuInfo, ...] = ()
    gpu_count = int(_number(caps.get("GPUs", "0")))
    if gpu_count > 0:
        manufacturer, model, memory = GPU_FAMILIES.get(family.lower(), ("", "", 0))
        gpus = (GpuInfo(count=gpu_count, manufacturer=manufacturer, model=model, memory_mib=memory),)
    architecture = caps.get("CpuArchitectureType", "x64")
    zones, restricted = _zones(sku, region)
    extra = {
        "family": family,
        "tier": str(sku.get("tier", "")),
        "zones": ",".join(zones),
        "restricted_zones": ",".join(restricted),
        "hyper_v_generations": caps.get("HyperVGenerations", ""),
        "max_data_disks": caps.get("MaxDataDiskCount", ""),
        "max_network_interfaces": caps.get("MaxNetworkInterfaces", ""),
        "premium_io": caps.get("PremiumIO", "").lower(),
        "accelerated_networking": caps.get("AcceleratedNetworkingEnabled", "").lower(),
        "acus": caps.get("ACUs", ""),
    }
    return VMSpecInfo(
        name=str(sku["name"]),
        region=region,
        vcpu=int(_number(caps.get("vCPUs", "0"))),
        memory_mib=round(_number(caps.get("MemoryGB", "0")) * 1024),
        architecture=_ARCHITECTURES.get(architecture.lower(), architecture),
        gpus=gpus,
        # The temporary (resource) disk; sizes without one say 0.
        disk_size_gb=int(_number(caps.get("MaxResourceVolumeMB", "0")) // 1024),
        extra={key: value for key, value in extra.items() if value},
    )


def parse_skus(skus: list[dict[str, Any]], *, region: str) -> list[VMSpecInfo]:
    """The VM sizes among `skus` that this subscription may use in `region`, sorted by name."""
    specs = [
        spec_info(sku, region=region)
        for sku in skus
        if sku.get("resourceType") == VM_RESOURCE_TYPE
        and _in_region(sku.get("locations"), region)
        and not location_restricted(sku, region)
    ]
    return sorted(specs, key=lambda spec: spec.name)


class AzureVMSpecHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def list_specs(self) -> list[VMSpecInfo]:
        region = self._session.region
        # The filter keeps the answer to one location (several megabytes for all of them).
        with translate():
            skus = [
                as_json(sku) for sku in self._session.compute().resource_skus.list(filter=f"location eq '{region}'")
            ]
        return parse_skus(skus, region=region)

    def get_spec(self, *, name: str) -> VMSpecInfo:
        # Azure has no per-size lookup; size names are case-insensitive.
        for spec in self.list_specs():
            if spec.name.lower() == name.lower():
                return spec
        raise NotFoundError(
            f"VM spec '{name}' is not offered to this subscription in {self._session.region}.", field="name"
        )
