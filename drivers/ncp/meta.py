"""Regions and zones, public server images and server specs of both NCP platforms.

- VPC platform (`vserver`): `getRegionList`, `getZoneList`, `getServerImageList` (images of type
  NCP are the public ones, SELF the member server images) and `getServerSpecList` (spec codes such as
  "s2-g3" with CPU count and memory in bytes).
- Classic platform (`server`): `getRegionList`, `getZoneList`, `getServerImageProductList` (product
  codes "SW.VSVR.OS...") and `getServerProductList`, which NCP answers per image only (its
  `serverImageProductCode` is required), so the spec list is the union over the images.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import NotFoundError
from drivers.ncp._client import NCPClient
from drivers.ncp._common import code, find_image, gib, mib, rows
from drivers.types import IID, ImageInfo, ImageStatus, RegionZoneInfo, VMSpecInfo, ZoneInfo, ZoneStatus

VPC = "vserver"
CLASSIC = "server"


class NCPRegionZoneHandler:
    def __init__(self, client: NCPClient, service: str) -> None:
        self._client = client
        self._service = service

    def list_region_zones(self) -> list[RegionZoneInfo]:
        regions = rows(self._client.call(self._service, "getRegionList", region=False), "regionList")
        return [self._region(item) for item in regions]

    def get_region_zone(self, *, name: str) -> RegionZoneInfo:
        regions = rows(self._client.call(self._service, "getRegionList", region=False), "regionList")
        for item in regions:
            if item.get("regionCode") == name:
                return self._region(item)
        raise NotFoundError(f"NCP has no region '{name}'.")

    def _region(self, item: dict[str, Any]) -> RegionZoneInfo:
        region = str(item["regionCode"])
        zones = rows(self._client.call(self._service, "getZoneList", {"regionCode": region}, region=False), "zoneList")
        extra = {"regionNo": str(item["regionNo"])} if item.get("regionNo") else {}
        return RegionZoneInfo(
            name=region,
            display_name=str(item.get("regionName", "")),
            zones=tuple(
                ZoneInfo(
                    name=str(zone["zoneCode"]),
                    display_name=str(zone.get("zoneDescription") or zone.get("zoneName", "")),
                    status=ZoneStatus.NOT_SUPPORTED,  # NCP reports no zone state
                )
                for zone in zones
            ),
            extra=extra,
        )


def zone_codes(client: NCPClient, service: str) -> list[str]:
    return [str(zone["zoneCode"]) for zone in rows(client.call(service, "getZoneList"), "zoneList")]


# --- images ------------------------------------------------------------------------------------------


def _os_platform(os_category: str) -> str:
    return "Windows" if os_category.upper().startswith("WIN") else "Linux/UNIX"


def vpc_image(item: dict[str, Any]) -> ImageInfo:
    mappings = item.get("blockStorageMappingList") or [{}]
    root = dict(mappings[0])
    arch = code(item.get("cpuArchitectureType")).lower() or "x86_64"
    status = code(item.get("serverImageStatus"))
    return ImageInfo(
        iid=IID(name_id=str(item["serverImageName"]), system_id=str(item["serverImageNo"])),
        os_architecture="arm64" if arch.startswith("arm") else arch,
        os_platform=_os_platform(code(item.get("osCategoryType"))),
        os_distribution=str(item.get("serverImageDescription") or item["serverImageName"]),
        os_disk_type=code(root.get("blockStorageVolumeType")),
        os_disk_size_gb=gib(root.get("blockStorageSize")),
        status=ImageStatus.AVAILABLE if status == "CREAT" else ImageStatus.UNAVAILABLE,
        extra={"hypervisor": code(item.get("hypervisorType")), "osType": code(item.get("osType"))},
    )


def classic_image(item: dict[str, Any]) -> ImageInfo:
    return ImageInfo(
        iid=IID(name_id=str(item["productName"]), system_id=str(item["productCode"])),
        os_architecture="x86_64",
        os_platform=_os_platform(code(item.get("productType"))),
        os_distribution=str(item.get("osInformation") or item.get("productDescription") or item["productName"]),
        os_disk_size_gb=gib(item.get("baseBlockStorageSize")),
        extra={"platformType": code(item.get("platformType"))},
    )


class NCPImageHandler:
    def __init__(self, client: NCPClient, service: str) -> None:
        self._client = client
        self._service = service

    def list_images(self) -> list[ImageInfo]:
        if self._service == VPC:
            answer = self._client.call(VPC, "getServerImageList", {"serverImageTypeCodeList": ["NCP"]})
            return [vpc_image(item) for item in rows(answer, "serverImageList")]
        answer = self._client.call(CLASSIC, "getServerImageProductList")
        return [classic_image(item) for item in rows(answer, "productList")]

    def get_image(self, *, iid: IID) -> ImageInfo:
        return find_image(self.list_images(), iid, lambda image: (image.iid.system_id, image.iid.name_id))


# --- specs -------------------------------------------------------------------------------------------


def vpc_spec(item: dict[str, Any], region: str) -> VMSpecInfo:
    arch = code(item.get("cpuArchitectureType")).lower() or "x86_64"
    return VMSpecInfo(
        name=str(item["serverSpecCode"]),
        region=region,
        vcpu=int(item.get("cpuCount", 0)),
        memory_mib=mib(item.get("memorySize")),
        architecture="arm64" if arch.startswith("arm") else arch,
        extra={
            "serverProductCode": str(item.get("serverProductCode", "")),
            "hypervisor": code(item.get("hypervisorType")),
            "gpuCount": str(item.get("gpuCount", 0)),
            "description": str(item.get("serverSpecDescription", "")),
        },
    )


def classic_spec(item: dict[str, Any], region: str) -> VMSpecInfo:
    return VMSpecInfo(
        name=str(item["productCode"]),
        region=region,
        vcpu=int(item.get("cpuCount", 0)),
        memory_mib=mib(item.get("memorySize")),
        extra={
            "productName": str(item.get("productName", "")),
            "diskType": code(item.get("diskType")),
            "baseBlockStorageGB": str(gib(item.get("baseBlockStorageSize"))),
        },
    )


class NCPVMSpecHandler:
    def __init__(self, client: NCPClient, service: str) -> None:
        self._client = client
        self._service = service

    def list_specs(self) -> list[VMSpecInfo]:
        region = self._client.region
        if self._service == VPC:
            answer = self._client.call(VPC, "getServerSpecList")
            return [vpc_spec(item, region) for item in rows(answer, "serverSpecList")]
        specs: dict[str, VMSpecInfo] = {}
        images = rows(self._client.call(CLASSIC, "getServerImageProductList"), "productList")
        for image in images:
            answer = self._client.call(
                CLASSIC, "getServerProductList", {"serverImageProductCode": image["productCode"]}
            )
            for item in rows(answer, "productList"):
                specs.setdefault(str(item["productCode"]), classic_spec(item, region))
        return list(specs.values())

    def get_spec(self, *, name: str) -> VMSpecInfo:
        if self._service == VPC:
            answer = self._client.call(VPC, "getServerSpecList", {"serverSpecCodeList": [name]})
            found = rows(answer, "serverSpecList")
            if found:
                return vpc_spec(found[0], self._client.region)
            raise NotFoundError(f"NCP has no server spec '{name}' in {self._client.region}.")
        for spec in self.list_specs():
            if spec.name == name:
                return spec
        raise NotFoundError(f"NCP has no server product '{name}' in {self._client.region}.")
