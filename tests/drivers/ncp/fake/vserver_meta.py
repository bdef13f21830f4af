"""NCP's `vserver` catalogue: regions, zones, server images (KVM) and server specs, in the shapes of
NCP's API guide (Server > getRegionList, getZoneList, getServerImageList, getServerSpecList)."""

from __future__ import annotations

from typing import Any

from tests.drivers.ncp.fake.server import Call, FakeNCP, code, listing

GIB = 1024**3

REGIONS = [
    {"regionCode": "KR", "regionName": "Korea"},
    {"regionCode": "SGN", "regionName": "Singapore"},
    {"regionCode": "JPN", "regionName": "Japan"},
]
ZONES = {
    "KR": [
        {"zoneName": "KR-1", "zoneCode": "KR-1", "regionCode": "KR", "zoneDescription": "평촌 zone"},
        {"zoneName": "KR-2", "zoneCode": "KR-2", "regionCode": "KR", "zoneDescription": "가산 zone"},
    ],
    "SGN": [{"zoneName": "SGN-4", "zoneCode": "SGN-4", "regionCode": "SGN", "zoneDescription": "Singapore zone"}],
    "JPN": [{"zoneName": "JPN-4", "zoneCode": "JPN-4", "regionCode": "JPN", "zoneDescription": "Tokyo zone"}],
}


def public_image(number: str, name: str, description: str, os_type: str, arch: str = "X86_64") -> dict[str, Any]:
    return {
        "serverImageNo": number,
        "serverImageName": name,
        "serverImageDescription": description,
        "serverImageType": code("NCP", "NCP server image"),
        "hypervisorType": code("KVM"),
        "cpuArchitectureType": code(arch),
        "osCategoryType": code("WINDOWS" if os_type == "WINDOWS" else "LINUX"),
        "osType": code(os_type),
        "serverImageStatus": code("CREAT", "created"),
        "serverImageOperation": code("NULL"),
        "serverImageStatusName": "created",
        "createDate": "2024-01-10T10:00:00+0900",
        "shareStatus": code("NULL"),
        "blockStorageMappingList": [
            {
                "order": 0,
                "blockStorageSnapshotInstanceNo": str(int(number) + 1),
                "blockStorageSize": 10 * GIB,
                "blockStorageVolumeType": code("SSD"),
                "iops": 100,
                "throughput": 104857600,
                "isEncryptedVolume": False,
            }
        ],
    }


IMAGES = [
    public_image("23214590", "ubuntu-22.04-base", "Ubuntu Server 22.04 (64-bit)", "UBUNTU"),
    public_image("23214591", "rocky-8.10-base", "Rocky Linux 8.10 (64-bit)", "ROCKY"),
    public_image("23214592", "win-2022-en", "Windows Server 2022 (64-bit) English Edition", "WINDOWS"),
]


def spec(code_: str, cpus: int, memory_gib: int, product: str, gpus: int = 0) -> dict[str, Any]:
    return {
        "serverSpecCode": code_,
        "hypervisorType": code("KVM"),
        "cpuArchitectureType": code("X86_64"),
        "cpuCount": cpus,
        "memorySize": memory_gib * GIB,
        "blockStorageMaxCount": 20,
        "blockStorageMaxIops": 4000,
        "blockStorageMaxThroughput": 250,
        "networkPerformance": 1000000000,
        "networkInterfaceMaxCount": 3,
        "gpuCount": gpus,
        "serverSpecDescription": f"vCPU {cpus}EA, Memory {memory_gib}GB",
        "serverProductCode": product,
    }


SPECS = [
    spec("s2-g3", 2, 8, "SVR.VSVR.STAND.C002.M008.G003"),
    spec("c2-g3", 2, 4, "SVR.VSVR.HICPU.C002.M004.G003"),
    spec("m4-g3", 4, 32, "SVR.VSVR.HIMEM.C004.M032.G003"),
]


def get_region_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    return listing("regionList", REGIONS)


def get_zone_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    return listing("zoneList", ZONES.get(call.get("regionCode", fake.region), []))


def get_server_image_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    images = IMAGES + list(fake.table("member_images").values())
    types = call.values("serverImageTypeCodeList")
    if types:
        images = [i for i in images if i["serverImageType"]["code"] in types]
    numbers = call.values("serverImageNoList")
    if numbers:
        images = [i for i in images if i["serverImageNo"] in numbers]
    return listing("serverImageList", images)


def get_server_spec_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    wanted = call.values("serverSpecCodeList")
    return listing("serverSpecList", [s for s in SPECS if not wanted or s["serverSpecCode"] in wanted])


def register(fake: FakeNCP) -> None:
    fake.route("vserver", "getRegionList", get_region_list)
    fake.route("vserver", "getZoneList", get_zone_list)
    image_params = ["serverImageTypeCodeList.N", "serverImageNoList.N", "serverImageName"]
    fake.route("vserver", "getServerImageList", get_server_image_list, image_params)
    fake.route("vserver", "getServerSpecList", get_server_spec_list, ["serverSpecCodeList.N", "zoneCode"])
