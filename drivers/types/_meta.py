"""Meta info: regions and zones, public images, VM specs and prices."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from drivers.types._base import IID, ImageStatus, ZoneStatus, _Info


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneInfo(_Info):
    name: str
    display_name: str = ""
    status: ZoneStatus = ZoneStatus.AVAILABLE


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionZoneInfo(_Info):
    name: str
    display_name: str = ""
    zones: tuple[ZoneInfo, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageInfo(_Info):
    iid: IID
    os_architecture: str  # x86_64, arm64
    os_platform: str  # Linux/UNIX, Windows
    os_distribution: str  # e.g. "Ubuntu 22.04"
    os_disk_type: str = ""
    os_disk_size_gb: int = 0
    status: ImageStatus = ImageStatus.AVAILABLE


@dataclass(frozen=True, slots=True, kw_only=True)
class GpuInfo(_Info):
    count: int
    manufacturer: str
    model: str
    memory_mib: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class VMSpecInfo(_Info):
    name: str
    region: str
    vcpu: int
    memory_mib: int
    architecture: str = "x86_64"
    clock_ghz: float | None = None
    gpus: tuple[GpuInfo, ...] = ()
    disk_size_gb: int = 0  # local instance storage; 0 means network disks only


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceInfo(_Info):
    spec_name: str
    region: str
    hourly_price: Decimal
    zone: str = ""
    unit: str = "Hour"
    currency: str = "USD"
    price_type: str = "OnDemand"
