"""CVM's catalogue: regions, zones, public images, instance types and their prices.

Shapes from the CVM API reference (https://www.tencentcloud.com/document/api/213/15708 DescribeRegions,
/15707 DescribeZones, /15715 DescribeImages, /35363
DescribeZoneInstanceConfigInfos, /15726 InquiryPriceRunInstances) and the SDK's models. Prices are
invented but in the real range (CNY per hour, postpaid by hour).
"""

from __future__ import annotations

from typing import Any

from tests.drivers.tencent.fake.server import (
    REGIONS,
    ApiError,
    Call,
    FakeGap,
    FakeTencent,
    by_ids,
    filters,
    page,
    public,
)

IMAGES: list[dict[str, Any]] = [
    {
        "ImageId": "img-487zeit5",
        "OsName": "Ubuntu Server 22.04 LTS 64bit",
        "ImageName": "Ubuntu Server 22.04 LTS 64bit",
        "Platform": "Ubuntu",
        "Architecture": "x86_64",
        "ImageSize": 20,
    },
    {
        "ImageId": "img-eb30mz89",
        "OsName": "TencentOS Server 3.1 (TK4)",
        "ImageName": "TencentOS Server 3.1 (TK4)",
        "Platform": "TencentOS",
        "Architecture": "x86_64",
        "ImageSize": 20,
    },
    {
        "ImageId": "img-9id7emv7",
        "OsName": "Windows Server 2022 DataCenter 64bit",
        "ImageName": "Windows Server 2022 DataCenter 64bit Chinese",
        "Platform": "Windows",
        "Architecture": "x86_64",
        "ImageSize": 50,
    },
    {
        "ImageId": "img-1ydiu3vj",
        "OsName": "Ubuntu Server 22.04 LTS 64bit (arm)",
        "ImageName": "Ubuntu Server 22.04 LTS 64bit (arm)",
        "Platform": "Ubuntu",
        "Architecture": "arm",
        "ImageSize": 20,
    },
]

# (type, family, vCPU, memory GiB, GPUs, CNY per hour, arm)
TYPES: list[tuple[str, str, int, int, int, str, bool]] = [
    ("S5.MEDIUM2", "S5", 2, 2, 0, "0.23", False),
    ("S5.MEDIUM4", "S5", 2, 4, 0, "0.32", False),
    ("S5.LARGE8", "S5", 4, 8, 0, "0.64", False),
    ("SR1.MEDIUM4", "SR1", 2, 4, 0, "0.27", True),
    ("GN7.2XLARGE32", "GN7", 8, 32, 1, "8.68", False),
]


def _image(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        **raw,
        "ImageType": "PUBLIC_IMAGE",
        "ImageState": "NORMAL",
        "ImageDescription": raw["ImageName"],
        "CreatedTime": "2023-03-01T00:00:00Z",
        "ImageCreator": "",
        "ImageSource": "OFFICIAL",
        "IsSupportCloudinit": True,
        "SnapshotSet": [],
        "Tags": [],
    }


def zones_of(region: str) -> list[str]:
    if region not in REGIONS:
        raise ApiError("UnsupportedRegion", f"The region `{region}` is not supported.")
    return REGIONS[region][1]


def type_in_zone(zone: str, name: str) -> tuple[str, str, int, int, int, str, bool] | None:
    # The last zone of each region sells no GPU types, so a spec is not offered everywhere.
    for row in TYPES:
        if row[0] == name and (row[4] == 0 or not zone.endswith(("-6", "-2"))):
            return row
    return None


def register(fake: FakeTencent) -> None:
    images = fake.table("images")
    for raw in IMAGES:
        images[raw["ImageId"]] = _image(raw)
    # Custom images move on by the clock (custom_images.py); DescribeImages only reads them.

    @fake.route("cvm", "DescribeRegions")
    def describe_regions(call: Call) -> dict[str, Any]:
        rows = [
            {"Region": name, "RegionName": label, "RegionState": "AVAILABLE"} for name, (label, _) in REGIONS.items()
        ]
        return {"TotalCount": len(rows), "RegionSet": rows}

    @fake.route("cvm", "DescribeZones")
    def describe_zones(call: Call) -> dict[str, Any]:
        names = zones_of(call.region)
        rows = [
            {
                "Zone": zone,
                "ZoneName": f"{REGIONS[call.region][0]} Zone {zone.rsplit('-', 1)[1]}",
                "ZoneId": str(100000 + index),
                # Silicon Valley's second zone is sold out, as zones sometimes are.
                "ZoneState": "UNAVAILABLE" if zone == "na-siliconvalley-2" else "AVAILABLE",
            }
            for index, zone in enumerate(names)
        ]
        return {"TotalCount": len(rows), "ZoneSet": rows}

    @fake.route("cvm", "DescribeImages")
    def describe_images(call: Call) -> dict[str, Any]:
        if call.params.get("ImageIds") and call.params.get("Filters"):
            raise ApiError("InvalidParameter", "ImageIds and Filters cannot be specified at the same time.")
        found = by_ids(images, call.params.get("ImageIds"), "InvalidImageId.NotFound", "image")
        matches = filters(
            call.params,
            {
                "image-id": lambda image: [image["ImageId"]],
                "image-type": lambda image: [image["ImageType"]],
                "image-name": lambda image: [image["ImageName"]],
                "platform": lambda image: [image["Platform"]],
                "image-state": lambda image: [image["ImageState"]],
            },
        )
        rows = [image for image in found if matches(image) and image.get("_region", call.region) == call.region]
        total, part = page(rows, call.params)
        return {"TotalCount": total, "ImageSet": [public(image) for image in part]}

    @fake.route("cvm", "DescribeZoneInstanceConfigInfos")
    def describe_zone_instance_config_infos(call: Call) -> dict[str, Any]:
        matches = filters(
            call.params,
            {
                "zone": lambda row: [row["Zone"]],
                "instance-family": lambda row: [row["InstanceFamily"]],
                "instance-type": lambda row: [row["InstanceType"]],
                "instance-charge-type": lambda row: [row["InstanceChargeType"]],
            },
        )
        rows = [_quota_item(zone, row) for zone in zones_of(call.region) for row in TYPES if type_in_zone(zone, row[0])]
        return {"InstanceTypeQuotaSet": [row for row in rows if matches(row)]}

    @fake.route("cvm", "InquiryPriceRunInstances")
    def inquiry_price_run_instances(call: Call) -> dict[str, Any]:
        params = call.params
        zone = (params.get("Placement") or {}).get("Zone", "")
        if zone not in zones_of(call.region):
            raise ApiError("InvalidZone.MismatchRegion", f"The zone `{zone}` is not in region {call.region}.")
        if params.get("ImageId") not in images:
            raise ApiError("InvalidImageId.NotFound", f"The image `{params.get('ImageId')}` does not exist.")
        row = type_in_zone(zone, params.get("InstanceType", ""))
        if row is None:
            raise ApiError(
                "ResourceNotFound.InvalidZoneInstanceType",
                f"The instance type `{params.get('InstanceType')}` is not sold in zone {zone}.",
            )
        charge = params.get("InstanceChargeType", "PREPAID")
        if charge != "POSTPAID_BY_HOUR":
            raise FakeGap(f"the fake prices only POSTPAID_BY_HOUR, not {charge}")
        price = float(row[5])
        return {
            "Price": {
                "InstancePrice": {
                    "UnitPrice": price,
                    "ChargeUnit": "HOUR",
                    "UnitPriceDiscount": price,
                    "Discount": 100.0,
                },
                "BandwidthPrice": {"UnitPrice": 0.0, "ChargeUnit": "GB", "UnitPriceDiscount": 0.0, "Discount": 100.0},
            }
        }


def _quota_item(zone: str, row: tuple[str, str, int, int, int, str, bool]) -> dict[str, Any]:
    name, family, cpu, memory, gpus, price, arm = row
    return {
        "Zone": zone,
        "InstanceType": name,
        "InstanceChargeType": "POSTPAID_BY_HOUR",
        "NetworkCard": 0,
        "Externals": {},
        "Cpu": cpu,
        "Memory": memory,
        "InstanceFamily": family,
        "TypeName": "Standard S5" if family == "S5" else family,
        "LocalDiskTypeList": [],
        "Status": "SELL",
        "Price": {
            "UnitPrice": float(price),
            "ChargeUnit": "HOUR",
            "UnitPriceDiscount": float(price),
            "Discount": 100.0,
        },
        "SoldOutReason": "",
        "InstanceBandwidth": 1.5,
        "InstancePps": 30,
        "StorageBlockAmount": 0,
        "CpuType": "Ampere Altra" if arm else "Intel Xeon Cascade Lake 8255C(2.5 GHz)",
        "Gpu": gpus,
        "Fpga": 0,
        "Remark": "",
        "GpuCount": float(gpus),
        "Frequency": "-/3.0GHz" if arm else "2.5GHz/3.1GHz",
        "StatusCategory": "EnoughStock",
    }
