"""Zones and products: what `listZones` and `listAvailableProductTypes` answer.

Zone ids and names are KT Cloud's (CB-Spider's ktclassic_region_meta.yaml); products pair a
template, a service offering and a disk offering in the shape of KT Cloud's SDK
(`product_type.go`). Each zone also has the account's guest network, the network every VM of the
zone is placed on.
"""

from __future__ import annotations

from tests.drivers.ktclassic.fake.server import Answer, FakeKT, param_error

SEOUL_M2 = "d7d0177e-6cda-404a-a46f-a5b356d2874e"
CENTRAL_B = "9845bd17-d438-4bde-816d-1b12f37d5080"
ZONES: list[Answer] = [
    {"id": "95e2f517-d64a-4866-8585-5177c256f7c7", "name": "KOR-Seoul M", "cidr": "172.27.0.0/16"},
    {"id": SEOUL_M2, "name": "KOR-Seoul M2", "cidr": "172.25.0.0/16"},
    {"id": "eceb5d65-6571-4696-875f-5a17949f3317", "name": "KOR-Central A", "cidr": "172.28.0.0/16"},
    {"id": CENTRAL_B, "name": "KOR-Central B", "cidr": "192.168.0.0/16"},
]
UBUNTU = "0f8a1c8e-2d2b-4d1e-9d61-5b9a3f1e7c01"
ROCKY = "0f8a1c8e-2d2b-4d1e-9d61-5b9a3f1e7c02"
WINDOWS = "0f8a1c8e-2d2b-4d1e-9d61-5b9a3f1e7c03"
SMALL = "c504e367-20d6-47c6-a82c-183b12d357f2"  # 1 vCPU, 1 GB
MEDIUM = "c504e367-20d6-47c6-a82c-183b12d357f4"  # 2 vCPUs, 4 GB
TEMPLATES = {UBUNTU: "Ubuntu 22.04 64bit", ROCKY: "Rocky 8.8 64bit", WINDOWS: "WIN 2019 STD 64bit [Korean]"}
OFFERINGS = {SMALL: "XS 1vCore 1GB", MEDIUM: "M 2vCore 4GB"}
DISK_OFFERINGS = {
    "87838094-af4f-449f-a2f4-f5b4b581eb29": "100GB",
    "140abd51-6c0b-4b9d-8a0e-1d9f2c9a8a11": "50GB",
}


def zone(zone_id: str) -> Answer:
    for item in ZONES:
        if item["id"] == zone_id:
            return item
    raise param_error(f"Unable to find zone by id {zone_id}")


def list_zones(fake: FakeKT, args: dict[str, str]) -> Answer:
    zones = [
        {
            "id": item["id"],
            "name": item["name"],
            "networktype": "Advanced",
            "securitygroupsenabled": False,
            "allocationstate": "Enabled",
            "dhcpprovider": "VirtualRouter",
            "localstorageenabled": False,
            "tags": [],
        }
        for item in ZONES
        if not args.get("id") or item["id"] == args["id"]
    ]
    return {"count": len(zones), "zone": zones}


def list_available_product_types(fake: FakeKT, args: dict[str, str]) -> Answer:
    zone_id = args.get("zoneid", "")
    zones = [zone(zone_id)] if zone_id else ZONES
    items = []
    for item in zones:
        for template_id, template in TEMPLATES.items():
            for offering_id, offering in OFFERINGS.items():
                for disk_id, disk in DISK_OFFERINGS.items():
                    items.append(
                        {
                            "diskofferingdesc": disk,
                            "diskofferingid": disk_id,
                            "product": f"{offering} {template}",
                            "productid": f"{offering_id[:8]}-{template_id[-4:]}-{disk_id[:4]}",
                            "productstate": "available",
                            "serviceofferingdesc": offering,
                            "serviceofferingid": offering_id,
                            "templatedesc": template,
                            "templateid": template_id,
                            "zonedesc": item["name"],
                            "zoneid": item["id"],
                        }
                    )
    return {"count": len(items), "producttypes": items}


def register(fake: FakeKT) -> None:
    fake.handlers["listZones"] = list_zones
    fake.handlers["listAvailableProductTypes"] = list_available_product_types
