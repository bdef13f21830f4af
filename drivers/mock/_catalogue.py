"""The mock cloud's fixed offer: regions and zones, public images, VM specs and prices.

Names follow CB-Spider's mock driver so scripts written for it find the same regions, images
and specs here. Prices differ per region so that "where is it cheapest" has an answer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import IID, GpuInfo, ImageInfo, PriceInfo, RegionZoneInfo, VMSpecInfo, ZoneInfo, ZoneStatus

# region -> (display name, price factor, zones that are currently unavailable)
_REGION_TABLE: dict[str, tuple[str, str, frozenset[int]]] = {
    "default": ("Default", "1.00", frozenset()),
    "mercury": ("Mercury", "1.15", frozenset({3})),
    "venus": ("Venus", "1.10", frozenset()),
    "mars": ("Mars", "0.92", frozenset({3})),
    "jupiter": ("Jupiter", "1.05", frozenset()),
    "saturn": ("Saturn", "0.98", frozenset({2})),
    "uranus": ("Uranus", "0.88", frozenset()),
    "neptune": ("Neptune", "1.20", frozenset({3})),
}


def _region(name: str, display: str, unavailable: frozenset[int]) -> RegionZoneInfo:
    zones = tuple(
        ZoneInfo(
            name=f"{name}-z{n}",
            display_name=f"{display} zone {n}",
            status=ZoneStatus.UNAVAILABLE if n in unavailable else ZoneStatus.AVAILABLE,
        )
        for n in (1, 2, 3)
    )
    return RegionZoneInfo(name=name, display_name=display, zones=zones)


REGIONS: tuple[RegionZoneInfo, ...] = tuple(
    _region(name, display, unavailable) for name, (display, _, unavailable) in _REGION_TABLE.items()
)

# The same, as plain (region, zones) pairs for seeding region records.
REGION_ZONES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (region.name, tuple(zone.name for zone in region.zones)) for region in REGIONS
)

IMAGES: tuple[ImageInfo, ...] = (
    ImageInfo(
        iid=IID(name_id="mock-vmimage-01", system_id="mock-vmimage-01"),
        os_architecture="x86_64",
        os_platform="Linux/UNIX",
        os_distribution="Ubuntu 22.04 LTS",
        os_disk_type="standard",
        os_disk_size_gb=8,
    ),
    ImageInfo(
        iid=IID(name_id="mock-vmimage-02", system_id="mock-vmimage-02"),
        os_architecture="arm64",
        os_platform="Linux/UNIX",
        os_distribution="Ubuntu 22.04 LTS",
        os_disk_type="standard",
        os_disk_size_gb=8,
    ),
    ImageInfo(
        iid=IID(name_id="mock-vmimage-03", system_id="mock-vmimage-03"),
        os_architecture="x86_64",
        os_platform="Linux/UNIX",
        os_distribution="CentOS 7.9",
        os_disk_type="standard",
        os_disk_size_gb=10,
    ),
    ImageInfo(
        iid=IID(name_id="mock-vmimage-04", system_id="mock-vmimage-04"),
        os_architecture="x86_64",
        os_platform="Windows",
        os_distribution="Windows Server 2022 Datacenter",
        os_disk_type="ssd",
        os_disk_size_gb=30,
    ),
    ImageInfo(
        iid=IID(name_id="mock-vmimage-05", system_id="mock-vmimage-05"),
        os_architecture="arm64",
        os_platform="Linux/UNIX",
        os_distribution="Amazon Linux 2023",
        os_disk_type="standard",
        os_disk_size_gb=8,
    ),
)

# name -> (vCPU, memory MiB, architecture, GPUs, on-demand USD/hour in the "default" region)
_SPEC_TABLE: dict[str, tuple[int, int, str, tuple[GpuInfo, ...], str]] = {
    "mock-vmspec-01": (4, 8192, "x86_64", (), "0.1920"),
    "mock-vmspec-02": (
        8,
        32768,
        "x86_64",
        (GpuInfo(count=1, manufacturer="NVIDIA", model="T4", memory_mib=16384),),
        "0.7520",
    ),
    "mock-vmspec-03": (
        8,
        65536,
        "x86_64",
        (GpuInfo(count=2, manufacturer="NVIDIA", model="A10G", memory_mib=24576),),
        "2.4480",
    ),
    "mock-vmspec-04": (4, 8192, "arm64", (), "0.1360"),
}


class DiskType(NamedTuple):
    """A block-storage type: the sizes it allows and the size a disk gets when none is asked for."""

    min_gb: int
    max_gb: int
    default_gb: int


# Root and data disks share the types. "io" is provisioned-IOPS storage, which (like AWS io1/io2)
# has a larger minimum size.
DISK_TYPES: dict[str, DiskType] = {
    "standard": DiskType(min_gb=1, max_gb=16_384, default_gb=100),
    "ssd": DiskType(min_gb=1, max_gb=16_384, default_gb=50),
    "io": DiskType(min_gb=4, max_gb=16_384, default_gb=100),
}
DEFAULT_DISK_TYPE = "standard"

# Kubernetes versions the mock's managed clusters offer, oldest first.
K8S_VERSIONS: tuple[str, ...] = ("1.29", "1.30", "1.31")
DEFAULT_K8S_VERSION = "1.30"
# The node image a node group gets when it names none (an x86_64 image; arm64 specs need their own).
DEFAULT_NODE_IMAGES: dict[str, str] = {"x86_64": "mock-vmimage-01", "arm64": "mock-vmimage-02"}


def region(name: str, *, field: str = "") -> RegionZoneInfo:
    for info in REGIONS:
        if info.name == name:
            return info
    raise NotFoundError(
        f"Region '{name}' does not exist in the mock cloud (regions: {', '.join(_REGION_TABLE)}).", field=field
    )


def check_region(name: str) -> RegionZoneInfo:
    """The region a connection names; a bad one is the connection's fault, not a lookup miss."""
    try:
        return region(name)
    except NotFoundError as exc:
        raise InvalidRequestError(str(exc), field="region") from None


def specs(region_name: str) -> list[VMSpecInfo]:
    return [
        VMSpecInfo(
            name=name, region=region_name, vcpu=vcpu, memory_mib=memory, architecture=arch, clock_ghz=3.1, gpus=gpus
        )
        for name, (vcpu, memory, arch, gpus, _) in _SPEC_TABLE.items()
    ]


def spec(region_name: str, name: str) -> VMSpecInfo:
    for info in specs(region_name):
        if info.name == name:
            return info
    raise NotFoundError(f"VM spec '{name}' does not exist in region '{region_name}'.", field="spec_name")


def image(iid: IID) -> ImageInfo:
    for info in IMAGES:
        if iid.system_id == info.iid.system_id or iid.name_id == info.iid.name_id:
            return info
    raise NotFoundError(f"Image '{iid.system_id or iid.name_id}' does not exist.", field="image_iid")


def prices(region_name: str) -> list[PriceInfo]:
    factor = Decimal(_REGION_TABLE[region_name][1])
    return [
        PriceInfo(
            spec_name=name,
            region=region_name,
            hourly_price=(Decimal(base) * factor).quantize(Decimal("0.0001")),
            extra={"product": f"{name} Linux/UNIX"},
        )
        for name, (_, _, _, _, base) in _SPEC_TABLE.items()
    ]
