"""NCP's Classic `server` API (NCP API guide, Classic > Server): regions and zones (with their
numbers), server image products and server products, the console-made ACGs (read only), login keys,
servers (INIT -> CREAT -> RUN, stop/start/reboot, terminate only when stopped) and instance tags."""

from __future__ import annotations

from typing import Any

from tests.drivers.ncp.fake.server import Call, FakeNCP, ServiceError, code, listing, not_found, now
from tests.drivers.ncp.fake.vserver_net import create_login_key, get_login_key_list
from tests.drivers.ncp.fake.vserver_servers import _apply

GIB = 1024**3
REGIONS = [
    {"regionNo": "1", "regionCode": "KR", "regionName": "Korea"},
    {"regionNo": "2", "regionCode": "USWN", "regionName": "US-West"},
    {"regionNo": "3", "regionCode": "DEN", "regionName": "Germany"},
]
ZONES = {
    "KR": [
        {"zoneNo": "2", "zoneName": "KR-1", "zoneCode": "KR-1", "zoneDescription": "가산 NAVER zone", "regionNo": "1"},
        {"zoneNo": "3", "zoneName": "KR-2", "zoneCode": "KR-2", "zoneDescription": "평촌 zone", "regionNo": "1"},
    ],
    "USWN": [{"zoneNo": "4", "zoneName": "USWN-1", "zoneCode": "USWN-1", "zoneDescription": "", "regionNo": "2"}],
    "DEN": [{"zoneNo": "5", "zoneName": "DEN-1", "zoneCode": "DEN-1", "zoneDescription": "", "regionNo": "3"}],
}
IMAGES = [
    {
        "productCode": "SW.VSVR.OS.LNX64.UBNTU.SVR2004.B050",
        "productName": "ubuntu-20.04",
        "productType": code("LINUX"),
        "productDescription": "Ubuntu Server 20.04 (64-bit)",
        "infraResourceType": code("SW"),
        "cpuCount": 0,
        "memorySize": 0,
        "baseBlockStorageSize": 50 * GIB,
        "platformType": code("UBS64"),
        "osInformation": "Ubuntu Server 20.04 (64-bit)",
        "addBlockStorageSize": 0,
    },
    {
        "productCode": "SW.VSVR.OS.WND64.WND.SVR2016EN.B100",
        "productName": "win-2016-64-en",
        "productType": code("WINNT"),
        "productDescription": "Windows Server 2016 (64-bit) English Edition",
        "infraResourceType": code("SW"),
        "cpuCount": 0,
        "memorySize": 0,
        "baseBlockStorageSize": 100 * GIB,
        "platformType": code("WND64"),
        "osInformation": "Windows Server 2016 (64-bit) English Edition",
        "addBlockStorageSize": 0,
    },
]


def _product(code_: str, cpus: int, memory_gib: int, disk_gib: int) -> dict[str, Any]:
    return {
        "productCode": code_,
        "productName": f"vCPU {cpus}EA, Memory {memory_gib}GB, [SSD]Disk {disk_gib}GB",
        "productType": code("STAND"),
        "productDescription": f"vCPU {cpus}EA, Memory {memory_gib}GB, [SSD]Disk {disk_gib}GB",
        "infraResourceType": code("SVR"),
        "cpuCount": cpus,
        "memorySize": memory_gib * GIB,
        "baseBlockStorageSize": disk_gib * GIB,
        "diskType": code("NET"),
        "addBlockStorageSize": 0,
    }


# Products per image: Windows needs a bigger root disk, so the small product fits Linux only.
PRODUCTS = {
    IMAGES[0]["productCode"]: [
        _product("SVR.VSVR.STAND.C002.M004.NET.SSD.B050.G002", 2, 4, 50),
        _product("SVR.VSVR.STAND.C004.M008.NET.SSD.B050.G002", 4, 8, 50),
    ],
    IMAGES[1]["productCode"]: [_product("SVR.VSVR.STAND.C004.M008.NET.SSD.B100.G002", 4, 8, 100)],
}
ACGS = [
    {
        "accessControlGroupConfigurationNo": "39",
        "accessControlGroupName": "ncloud-default-acg",
        "accessControlGroupDescription": "Default AccessControlGroup",
        "isDefaultGroup": True,
        "createDate": "2023-03-02T10:00:00+0900",
        "_rules": [
            {"protocolType": code("TCP"), "sourceIp": "0.0.0.0/0", "destinationPort": "22"},
            {"protocolType": code("TCP"), "sourceIp": "0.0.0.0/0", "destinationPort": "3389"},
        ],
    },
    {
        "accessControlGroupConfigurationNo": "40",
        "accessControlGroupName": "web-acg",
        "accessControlGroupDescription": "web servers",
        "isDefaultGroup": False,
        "createDate": "2023-03-02T10:00:00+0900",
        "_rules": [{"protocolType": code("TCP"), "sourceIp": "0.0.0.0/0", "destinationPort": "80-443"}],
    },
]


def get_region_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    return listing("regionList", REGIONS)


def get_zone_list(fake: FakeNCP, call: Call) -> dict[str, Any]:
    return listing("zoneList", ZONES.get(call.get("regionCode", fake.region), []))


def get_image_products(fake: FakeNCP, call: Call) -> dict[str, Any]:
    return listing("productList", IMAGES)


def get_server_products(fake: FakeNCP, call: Call) -> dict[str, Any]:
    member = call.get("memberServerImageNo")
    if member:
        if member not in fake.table("classic_images"):
            raise not_found("member server image")
        return listing("productList", PRODUCTS[fake.table("classic_images")[member]["originalServerImageProductCode"]])
    image = call.require("serverImageProductCode")
    if image not in PRODUCTS:
        raise not_found("server image product")
    return listing("productList", PRODUCTS[image])


def get_acgs(fake: FakeNCP, call: Call) -> dict[str, Any]:
    return listing("accessControlGroupList", ACGS)


def get_acg_rules(fake: FakeNCP, call: Call) -> dict[str, Any]:
    number = call.require("accessControlGroupConfigurationNo")
    group = next((g for g in ACGS if g["accessControlGroupConfigurationNo"] == number), None)
    if group is None:
        raise not_found("access control group")
    rules = [
        {
            "accessControlGroupRuleNo": f"{number}{index}",
            "accessControlGroupConfigurationNo": number,
            "sourceAccessControlGroupConfigurationNo": "",
            "sourceAccessControlGroupName": "",
            "accessControlGroupRuleDescription": "",
            **rule,
        }
        for index, rule in enumerate(group["_rules"])
    ]
    return listing("accessControlGroupRuleList", rules)


def delete_login_key(fake: FakeNCP, call: Call) -> dict[str, Any]:
    if fake.table("login_keys").pop(call.require("keyName"), None) is None:
        raise not_found("login key")
    return {}


def create_servers(fake: FakeNCP, call: Call) -> dict[str, Any]:
    name = call.require("serverName")
    if any(s["serverName"] == name for s in fake.table("classic_servers").values()):
        raise ServiceError("23006", f"The server name '{name}' is already in use by name.")
    member = fake.table("classic_images").get(call.get("memberServerImageNo"))
    if call.get("memberServerImageNo") and (member is None or member["memberServerImageStatus"]["code"] != "CREAT"):
        raise not_found("member server image")
    code_ = member["originalServerImageProductCode"] if member else call.require("serverImageProductCode")
    image = next((i for i in IMAGES if i["productCode"] == code_), None)
    if image is None:
        raise not_found("server image product")
    product = next(
        (p for p in PRODUCTS[image["productCode"]] if p["productCode"] == call.get("serverProductCode")), None
    )
    if product is None:
        raise not_found("server product")
    zone = next(
        (z for z in ZONES[fake.region] if z["zoneNo"] == call.get("zoneNo", ZONES[fake.region][0]["zoneNo"])), None
    )
    if zone is None:
        raise not_found("zone")
    key = call.get("loginKeyName")
    if key and key not in fake.table("login_keys"):
        raise not_found("login key")
    numbers = call.values("accessControlGroupConfigurationNoList") or ["39"]
    groups = [g for g in ACGS if g["accessControlGroupConfigurationNo"] in numbers]
    if len(groups) != len(numbers):
        raise not_found("access control group")
    number = fake.number()
    server: dict[str, Any] = {
        "serverInstanceNo": number,
        "serverName": name,
        "serverDescription": call.get("serverDescription"),
        "cpuCount": product["cpuCount"],
        "memorySize": product["memorySize"],
        "baseBlockStorageSize": product["baseBlockStorageSize"],
        "platformType": image["platformType"],
        "loginKeyName": key,
        "publicIp": "",
        "privateIp": f"10.41.{int(number) % 250}.{len(fake.table('classic_servers')) + 10}",
        "serverImageName": image["productName"],
        "createDate": now(),
        "uptime": now(),
        "serverImageProductCode": image["productCode"],
        "serverProductCode": product["productCode"],
        "isProtectServerTermination": False,
        "zone": zone,
        "region": next(r for r in REGIONS if r["regionCode"] == fake.region),
        "baseBlockStorageDiskType": code("NET"),
        "baseBlockStorageDiskDetailType": code("SSD"),
        "accessControlGroupList": [{k: v for k, v in g.items() if k != "_rules"} for g in groups],
        "memberServerImageNo": member["memberServerImageNo"] if member else "",
        "memberServerImageName": member["memberServerImageName"] if member else "",
        "instanceTagList": [],
    }
    for tag in call.objects("instanceTagList"):
        server["instanceTagList"].append({"instanceNo": number, "instanceType": code("SVR"), **tag})
    server.update(serverInstanceStatus=code("INIT"), serverInstanceOperation=code("NULL"))
    fake.table("classic_servers")[number] = server
    fake.later(1, lambda: server.update(serverInstanceStatus=code("CREAT")))
    fake.later(3, lambda: server.update(serverInstanceStatus=code("RUN")))
    return listing("serverInstanceList", [server])


def get_servers(fake: FakeNCP, call: Call) -> dict[str, Any]:
    servers = list(fake.table("classic_servers").values())
    if call.values("serverInstanceNoList"):
        servers = [s for s in servers if s["serverInstanceNo"] in call.values("serverInstanceNoList")]
    return listing("serverInstanceList", servers)


def _control(action: str) -> Any:
    def handler(fake: FakeNCP, call: Call) -> dict[str, Any]:
        found = []
        for number in call.values("serverInstanceNoList"):
            server = fake.table("classic_servers").get(number)
            if server is None:
                raise not_found("server")
            if server["serverInstanceOperation"]["code"] != "NULL":
                raise ServiceError("23050", "The server status does not allow this: another operation is in progress.")
            found.append(server)
        for server in found:
            _apply(fake, action, server, server["serverInstanceStatus"]["code"])
            if action == "terminate":
                fake.later(3, lambda s=server: fake.table("classic_servers").pop(s["serverInstanceNo"], None))
        return listing("serverInstanceList", found)

    return handler


def _tag_server(fake: FakeNCP, call: Call) -> list[dict[str, Any]]:
    servers = []
    for number in call.values("instanceNoList"):
        server = fake.table("classic_servers").get(number)
        if server is None:
            raise not_found("instance")
        servers.append(server)
    return servers


def create_tags(fake: FakeNCP, call: Call) -> dict[str, Any]:
    tags = call.objects("instanceTagList")
    for server in _tag_server(fake, call):
        for tag in tags:
            if any(t["tagKey"] == tag["tagKey"] for t in server["instanceTagList"]):
                raise ServiceError("23101", f"The tag key '{tag['tagKey']}' already exists on the instance.")
            server["instanceTagList"].append(
                {"instanceNo": server["serverInstanceNo"], "instanceType": code("SVR"), **tag}
            )
    return listing("instanceTagList", [t for s in _tag_server(fake, call) for t in s["instanceTagList"]])


def get_tags(fake: FakeNCP, call: Call) -> dict[str, Any]:
    return listing("instanceTagList", [t for s in _tag_server(fake, call) for t in s["instanceTagList"]])


def delete_tags(fake: FakeNCP, call: Call) -> dict[str, Any]:
    keys = {t["tagKey"] for t in call.objects("instanceTagList")}
    for server in _tag_server(fake, call):
        server["instanceTagList"] = [t for t in server["instanceTagList"] if t["tagKey"] not in keys]
    return {}


def create_member_image(fake: FakeNCP, call: Call) -> dict[str, Any]:
    server = fake.table("classic_servers").get(call.require("serverInstanceNo"))
    if server is None:
        raise not_found("server instance")
    if server["serverInstanceStatus"]["code"] != "NSTOP" or server["serverInstanceOperation"]["code"] != "NULL":
        raise ServiceError("23040", "The server status must be stopped to create a server image.")
    name = call.require("memberServerImageName")
    if any(i["memberServerImageName"] == name for i in fake.table("classic_images").values()):
        raise ServiceError("23041", f"The server image name '{name}' is already in use by name.")
    number = fake.number()
    image = {
        "memberServerImageNo": number,
        "memberServerImageName": name,
        "memberServerImageDescription": call.get("memberServerImageDescription"),
        "originalServerInstanceNo": server["serverInstanceNo"],
        "originalServerProductCode": server["serverProductCode"],
        "originalServerName": server["serverName"],
        "originalServerImageProductCode": server["serverImageProductCode"],
        "originalOsInformation": server["serverImageName"],
        "memberServerImageStatusName": "creating",
        "memberServerImageStatus": code("INIT"),
        "memberServerImageOperation": code("CREAT"),
        "memberServerImagePlatformType": server["platformType"],
        "createDate": now(),
        "region": server["region"],
    }
    fake.table("classic_images")[number] = image

    def made() -> None:
        image.update(
            memberServerImageStatus=code("CREAT"),
            memberServerImageOperation=code("NULL"),
            memberServerImageStatusName="created",
        )

    fake.later(2, made)
    return listing("memberServerImageList", [image])


def get_member_images(fake: FakeNCP, call: Call) -> dict[str, Any]:
    images = list(fake.table("classic_images").values())
    if call.values("memberServerImageNoList"):
        images = [i for i in images if i["memberServerImageNo"] in call.values("memberServerImageNoList")]
    return listing("memberServerImageList", images)


def delete_member_images(fake: FakeNCP, call: Call) -> dict[str, Any]:
    for number in call.values("memberServerImageNoList"):
        image = fake.table("classic_images").get(number)
        if image is None:
            raise not_found("member server image")
        if image["memberServerImageStatus"]["code"] != "CREAT":
            raise ServiceError("23042", "The server image status does not allow deleting it yet.")
        fake.table("classic_images").pop(number)
    return {}


def register(fake: FakeNCP) -> None:
    fake.route(
        "server",
        "createMemberServerImage",
        create_member_image,
        ["serverInstanceNo", "memberServerImageName", "memberServerImageDescription"],
    )
    fake.route("server", "getMemberServerImageList", get_member_images, ["memberServerImageNoList.N"])
    fake.route("server", "deleteMemberServerImages", delete_member_images, ["memberServerImageNoList.N"])
    fake.route("server", "getRegionList", get_region_list)
    fake.route("server", "getZoneList", get_zone_list)
    fake.route("server", "getServerImageProductList", get_image_products)
    fake.route(
        "server",
        "getServerProductList",
        get_server_products,
        ["serverImageProductCode", "memberServerImageNo", "zoneCode"],
    )
    fake.route("server", "getAccessControlGroupList", get_acgs)
    fake.route("server", "getAccessControlGroupRuleList", get_acg_rules, ["accessControlGroupConfigurationNo"])
    fake.route("server", "createLoginKey", create_login_key, ["keyName"])
    fake.route("server", "getLoginKeyList", get_login_key_list, ["keyName"])
    fake.route("server", "deleteLoginKey", delete_login_key, ["keyName"])
    create_params = [
        "serverName",
        "serverImageProductCode",
        "memberServerImageNo",
        "serverProductCode",
        "zoneNo",
        "loginKeyName",
        "serverDescription",
        "accessControlGroupConfigurationNoList.N",
        "instanceTagList.N.tagKey",
        "instanceTagList.N.tagValue",
    ]
    fake.route("server", "createServerInstances", create_servers, create_params)
    fake.route("server", "getServerInstanceList", get_servers, ["serverInstanceNoList.N"])
    for action in ("stop", "start", "reboot", "terminate"):
        fake.route("server", f"{action}ServerInstances", _control(action), ["serverInstanceNoList.N"])
    tag_params = ["instanceNoList.N", "instanceTagList.N.tagKey", "instanceTagList.N.tagValue"]
    fake.route("server", "createInstanceTags", create_tags, tag_params)
    fake.route("server", "getInstanceTagList", get_tags, ["instanceNoList.N"])
    fake.route("server", "deleteInstanceTags", delete_tags, tag_params)
