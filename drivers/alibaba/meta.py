"""Meta info from ECS: regions and zones (DescribeRegions, DescribeZones), public images
(DescribeImages of owner "system"), instance types (DescribeInstanceTypes, narrowed to those the
region's zones sell) and their pay-as-you-go prices (DescribePrice, one inquiry per type)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from drivers.alibaba._session import AlibabaClients, dig
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import (
    IID,
    GpuInfo,
    ImageInfo,
    ImageStatus,
    PriceInfo,
    RegionZoneInfo,
    VMSpecInfo,
    ZoneInfo,
    ZoneStatus,
)

IMAGE_PAGE = 100  # the most DescribeImages answers per page
TYPE_PAGE = 1600  # the most DescribeInstanceTypes answers per call (MaxResults)


class AlibabaRegionZoneHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def list_region_zones(self) -> list[RegionZoneInfo]:
        body = self._clients.rpc("ecs", "DescribeRegions", {"AcceptLanguage": "en-US"})
        return [self._with_zones(region) for region in dig(body, "Regions", "Region")]

    def get_region_zone(self, *, name: str) -> RegionZoneInfo:
        body = self._clients.rpc("ecs", "DescribeRegions", {"AcceptLanguage": "en-US"})
        for region in dig(body, "Regions", "Region"):
            if region.get("RegionId") == name:
                return self._with_zones(region)
        raise NotFoundError(f"Alibaba Cloud has no region '{name}'.")

    def _with_zones(self, region: dict[str, Any]) -> RegionZoneInfo:
        name = str(region.get("RegionId", ""))
        body = self._clients.rpc("ecs", "DescribeZones", {"RegionId": name, "AcceptLanguage": "en-US"})
        zones = tuple(
            ZoneInfo(
                name=str(zone.get("ZoneId", "")),
                display_name=str(zone.get("LocalName", "")),
                # DescribeZones lists only the zones open to the account; it has no per-zone status.
                status=ZoneStatus.AVAILABLE,
                extra={"ZoneType": str(zone.get("ZoneType", ""))},
            )
            for zone in dig(body, "Zones", "Zone")
        )
        return RegionZoneInfo(
            name=name,
            display_name=str(region.get("LocalName", "")),
            zones=zones,
            extra={"RegionEndpoint": str(region.get("RegionEndpoint", ""))},
        )


def zone_names(clients: AlibabaClients, region: str = "") -> list[str]:
    body = clients.rpc("ecs", "DescribeZones", {"RegionId": region or clients.region})
    return [str(zone.get("ZoneId", "")) for zone in dig(body, "Zones", "Zone")]


def image_info(image: dict[str, Any]) -> ImageInfo:
    windows = str(image.get("OSType", "")).lower() == "windows"
    status = str(image.get("Status", ""))
    return ImageInfo(
        iid=IID(name_id=str(image.get("ImageId", "")), system_id=str(image.get("ImageId", ""))),
        os_architecture="arm64" if str(image.get("Architecture", "")).lower() == "arm64" else "x86_64",
        os_platform="Windows" if windows else "Linux/UNIX",
        os_distribution=str(image.get("OSNameEn") or image.get("OSName") or image.get("Platform") or ""),
        os_disk_size_gb=int(image.get("Size") or 0),
        status={
            "Available": ImageStatus.AVAILABLE,
            "Deprecated": ImageStatus.DEPRECATED,
        }.get(status, ImageStatus.UNAVAILABLE),
        extra={"Platform": str(image.get("Platform", "")), "ImageName": str(image.get("ImageName", ""))},
    )


class AlibabaImageHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def list_images(self) -> list[ImageInfo]:
        params = {"RegionId": self._clients.region, "ImageOwnerAlias": "system", "Status": "Available"}
        images = self._clients.pages(
            "ecs", "DescribeImages", params, items=lambda body: dig(body, "Images", "Image"), page_size=IMAGE_PAGE
        )
        return [image_info(image) for image in images]

    def get_image(self, *, iid: IID) -> ImageInfo:
        image_id = iid.system_id or iid.name_id
        body = self._clients.rpc(
            "ecs",
            "DescribeImages",
            {"RegionId": self._clients.region, "ImageOwnerAlias": "system", "ImageId": image_id},
        )
        for image in dig(body, "Images", "Image"):
            if image.get("ImageId") == image_id:
                return image_info(image)
        raise NotFoundError(f"Alibaba Cloud has no public image '{image_id}' in {self._clients.region}.")


def spec_info(item: dict[str, Any], region: str) -> VMSpecInfo:
    gpus = int(item.get("GPUAmount") or 0)
    spec = str(item.get("GPUSpec") or "")
    maker, _, model = spec.partition(" ")
    return VMSpecInfo(
        name=str(item.get("InstanceTypeId", "")),
        region=region,
        vcpu=int(item.get("CpuCoreCount") or 0),
        memory_mib=round(float(item.get("MemorySize") or 0) * 1024),
        architecture="arm64" if str(item.get("CpuArchitecture", "")).upper() == "ARM" else "x86_64",
        clock_ghz=float(item["CpuTurboFrequency"]) if item.get("CpuTurboFrequency") else None,
        gpus=(
            (
                GpuInfo(
                    count=gpus,
                    manufacturer=maker,
                    model=model or spec,
                    memory_mib=round(float(item.get("GPUMemorySize") or 0) * 1024),
                ),
            )
            if gpus
            else ()
        ),
        disk_size_gb=int(item.get("LocalStorageCapacity") or 0),
        extra={"InstanceTypeFamily": str(item.get("InstanceTypeFamily", ""))},
    )


def region_type_names(clients: AlibabaClients, region: str) -> list[str]:
    """The instance types that some zone of `region` sells, in the order the zones list them."""
    body = clients.rpc("ecs", "DescribeZones", {"RegionId": region})
    names: list[str] = []
    for zone in dig(body, "Zones", "Zone"):
        for name in dig(zone, "AvailableInstanceTypes", "InstanceTypes"):
            if name not in names:
                names.append(str(name))
    return names


class AlibabaVMSpecHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def list_specs(self) -> list[VMSpecInfo]:
        offered = set(region_type_names(self._clients, self._clients.region))
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            params: dict[str, Any] = {"MaxResults": TYPE_PAGE}
            if token:
                params["NextToken"] = token
            body = self._clients.rpc("ecs", "DescribeInstanceTypes", params)
            items.extend(dig(body, "InstanceTypes", "InstanceType"))
            token = str(body.get("NextToken") or "")
            if not token:
                break
        return [spec_info(item, self._clients.region) for item in items if item.get("InstanceTypeId") in offered]

    def get_spec(self, *, name: str) -> VMSpecInfo:
        if name in region_type_names(self._clients, self._clients.region):
            body = self._clients.rpc("ecs", "DescribeInstanceTypes", {"InstanceTypes": [name]})
            for item in dig(body, "InstanceTypes", "InstanceType"):
                if item.get("InstanceTypeId") == name:
                    return spec_info(item, self._clients.region)
        raise NotFoundError(f"Alibaba Cloud offers no instance type '{name}' in {self._clients.region}.")


class AlibabaPriceHandler:
    """Pay-as-you-go hourly prices; DescribePrice answers one instance type per inquiry."""

    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def list_prices(self, *, region: str = "", spec_name: str = "") -> list[PriceInfo]:
        region = region or self._clients.region
        names = region_type_names(self._clients, region)
        if spec_name:
            if spec_name not in names:
                raise NotFoundError(f"Alibaba Cloud offers no instance type '{spec_name}' in {region}.")
            names = [spec_name]
        return [self._price(region, name) for name in names]

    def _price(self, region: str, name: str) -> PriceInfo:
        body = self._clients.rpc(
            "ecs",
            "DescribePrice",
            {"RegionId": region, "ResourceType": "instance", "InstanceType": name, "PriceUnit": "Hour", "Period": 1},
        )
        price = (body.get("PriceInfo") or {}).get("Price") or {}
        try:
            hourly = Decimal(str(price.get("TradePrice")))
        except InvalidOperation:
            raise InvalidRequestError(f"DescribePrice answered no price for {name} in {region}.") from None
        return PriceInfo(
            spec_name=name,
            region=region,
            hourly_price=hourly,
            currency=str(price.get("Currency") or "USD"),
            unit="Hour",
            price_type="OnDemand",
            extra={"OriginalPrice": str(price.get("OriginalPrice", "")), "ChargeType": "PostPaid"},
        )
