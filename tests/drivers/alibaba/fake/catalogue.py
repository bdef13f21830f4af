"""The fake's catalogue: regions and zones, public images, instance types and their prices.

Shapes follow DescribeRegions, DescribeZones, DescribeImages, DescribeInstanceTypes and
DescribePrice of ECS 2014-05-26 (https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-dir);
the names are real ones, the prices are made up for the test.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba

REGIONS: dict[str, tuple[str, list[str]]] = {
    "cn-hangzhou": ("China (Hangzhou)", ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"]),
    "cn-beijing": ("China (Beijing)", ["cn-beijing-a", "cn-beijing-h"]),
    "ap-southeast-1": ("Singapore", ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"]),
    "eu-central-1": ("Germany (Frankfurt)", ["eu-central-1a", "eu-central-1b"]),
}

IMAGES: list[dict[str, Any]] = [
    {
        "ImageId": "ubuntu_22_04_x64_20G_alibase_20240926.vhd",
        "ImageName": "ubuntu_22_04_x64_20G_alibase_20240926.vhd",
        "OSName": "Ubuntu  22.04 64位",
        "OSNameEn": "Ubuntu  22.04 64 bit",
        "OSType": "linux",
        "Platform": "Ubuntu",
        "Architecture": "x86_64",
        "Size": 20,
        "Status": "Available",
        "ImageOwnerAlias": "system",
    },
    {
        "ImageId": "aliyun_3_x64_20G_alibase_20240819.vhd",
        "ImageName": "aliyun_3_x64_20G_alibase_20240819.vhd",
        "OSName": "Alibaba Cloud Linux  3.2104 LTS 64位",
        "OSNameEn": "Alibaba Cloud Linux  3.2104 LTS 64 bit",
        "OSType": "linux",
        "Platform": "Aliyun",
        "Architecture": "x86_64",
        "Size": 20,
        "Status": "Available",
        "ImageOwnerAlias": "system",
    },
    {
        "ImageId": "aliyun_3_arm64_20G_alibase_20240819.vhd",
        "ImageName": "aliyun_3_arm64_20G_alibase_20240819.vhd",
        "OSName": "Alibaba Cloud Linux  3.2104 LTS 64位 ARM版",
        "OSNameEn": "Alibaba Cloud Linux  3.2104 LTS 64 bit ARM Edition",
        "OSType": "linux",
        "Platform": "Aliyun",
        "Architecture": "arm64",
        "Size": 20,
        "Status": "Available",
        "ImageOwnerAlias": "system",
    },
    {
        "ImageId": "win2022_21H2_x64_dtc_en-us_40G_alibase_20240816.vhd",
        "ImageName": "win2022_21H2_x64_dtc_en-us_40G_alibase_20240816.vhd",
        "OSName": "Windows Server  2022 数据中心版 64位英文版",
        "OSNameEn": "Windows Server  2022 Data Center Edition 64bit English Edition",
        "OSType": "windows",
        "Platform": "Windows Server 2022",
        "Architecture": "x86_64",
        "Size": 40,
        "Status": "Available",
        "ImageOwnerAlias": "system",
    },
]

# InstanceTypeId -> (family, vCPUs, memory GiB, architecture, GPUs, GPU spec, hourly USD)
INSTANCE_TYPES: dict[str, tuple[str, int, float, str, int, str, float]] = {
    "ecs.t6-c1m1.large": ("ecs.t6", 2, 2.0, "X86", 0, "", 0.0205),
    "ecs.g7.large": ("ecs.g7", 2, 8.0, "X86", 0, "", 0.101),
    "ecs.g7.xlarge": ("ecs.g7", 4, 16.0, "X86", 0, "", 0.202),
    "ecs.c7.large": ("ecs.c7", 2, 4.0, "X86", 0, "", 0.084),
    "ecs.g8y.large": ("ecs.g8y", 2, 8.0, "ARM", 0, "", 0.083),
    "ecs.gn7i-c8g1.2xlarge": ("ecs.gn7i", 8, 30.0, "X86", 1, "NVIDIA A10", 1.62),
}

# Which instance types each region sells (DescribeZones' AvailableInstanceTypes).
REGION_TYPES: dict[str, list[str]] = {
    "cn-hangzhou": list(INSTANCE_TYPES),
    "cn-beijing": ["ecs.g7.large", "ecs.c7.large"],
    "ap-southeast-1": ["ecs.t6-c1m1.large", "ecs.g7.large", "ecs.g7.xlarge", "ecs.c7.large"],
    "eu-central-1": ["ecs.g7.large"],
}


def check_region(call: Call) -> str:
    region = call.need("RegionId")
    if region not in REGIONS:
        raise ApiError(404, "InvalidRegionId.NotFound", "The specified RegionId does not exist.")
    return region


def instance_type(fake: FakeAlibaba, region: str, name: str) -> dict[str, Any]:
    if name not in REGION_TYPES.get(region, []):
        raise ApiError(
            403,
            "InvalidInstanceType.ValueNotSupported",
            "The specified InstanceType does not exist or beyond the permitted range.",
        )
    family, cpu, memory, arch, gpus, gpu_spec, _ = INSTANCE_TYPES[name]
    return {
        "InstanceTypeId": name,
        "InstanceTypeFamily": family,
        "CpuCoreCount": cpu,
        "MemorySize": memory,
        "CpuArchitecture": arch,
        "GPUAmount": gpus,
        "GPUSpec": gpu_spec,
        "GPUMemorySize": 24.0 if gpus else 0.0,
        "LocalStorageCapacity": 0,
        "CpuTurboFrequency": 3.5,
        "InstanceCategory": "General-purpose",
    }


def register(fake: FakeAlibaba) -> None:
    @fake.route("ecs", "DescribeRegions")
    def describe_regions(call: Call) -> dict[str, Any]:
        regions = [
            {"RegionId": rid, "LocalName": name, "RegionEndpoint": f"ecs.{rid}.aliyuncs.com", "Status": "available"}
            for rid, (name, _) in REGIONS.items()
        ]
        return {"Regions": {"Region": regions}}

    @fake.route("ecs", "DescribeZones")
    def describe_zones(call: Call) -> dict[str, Any]:
        region = check_region(call)
        zones = [
            {
                "ZoneId": zone,
                "LocalName": f"{REGIONS[region][0]} Zone {zone[-1].upper()}",
                "ZoneType": "AvailabilityZone",
                "AvailableInstanceTypes": {"InstanceTypes": REGION_TYPES[region]},
                "AvailableDiskCategories": {"DiskCategories": ["cloud_essd", "cloud_efficiency", "cloud_ssd"]},
            }
            for zone in REGIONS[region][1]
        ]
        return {"Zones": {"Zone": zones}}

    @fake.route("ecs", "DescribeImages")
    def describe_images(call: Call) -> dict[str, Any]:
        region = check_region(call)
        owner = call.get("ImageOwnerAlias")
        wanted_id = call.get("ImageId")
        wanted_name = call.get("ImageName")
        mine = [fake.public(image) for image in fake.table("images").values() if image["_region"] == region]
        images = [dict(image, CreationTime="2024-09-26T03:00:00Z") for image in IMAGES] + mine
        found = [
            image
            for image in images
            if (not owner or image["ImageOwnerAlias"] == owner)
            and (not wanted_id or wanted_id in image["ImageId"].split(","))
            and (not wanted_name or image["ImageName"] == wanted_name)
        ]
        page, meta = fake.page(found, call, max_size=100)
        return {"Images": {"Image": page}, "RegionId": region, **meta}

    @fake.route("ecs", "DescribeInstanceTypes")
    def describe_instance_types(call: Call) -> dict[str, Any]:
        region = call.region()
        wanted = call.indexed("InstanceTypes")
        names = [name for name in REGION_TYPES.get(region, list(INSTANCE_TYPES)) if not wanted or name in wanted]
        size = int(call.get("MaxResults") or 100)
        start = int(call.get("NextToken") or 0)
        if fake.page_limit:
            size = min(size, fake.page_limit)
        chunk = names[start : start + size]
        next_token = str(start + size) if start + size < len(names) else ""
        return {
            "InstanceTypes": {"InstanceType": [instance_type(fake, region, name) for name in chunk]},
            "NextToken": next_token,
        }

    @fake.route("ecs", "DescribePrice")
    def describe_price(call: Call) -> dict[str, Any]:
        region = check_region(call)
        if call.get("ResourceType", "instance") != "instance":
            raise ApiError(400, "InvalidResourceType.NotSupported", "The specified ResourceType is not supported.")
        name = call.need("InstanceType")
        instance_type(fake, region, name)
        hourly = INSTANCE_TYPES[name][6]
        if call.get("PriceUnit", "Hour") != "Hour":
            raise ApiError(400, "InvalidPriceUnit.ValueNotSupported", "The specified PriceUnit is not supported.")
        price = {"OriginalPrice": hourly, "DiscountPrice": 0.0, "TradePrice": hourly, "Currency": "USD"}
        return {"PriceInfo": {"Price": price, "Rules": {"Rule": []}}}
