"""ECS block storage (CreateDisk, DescribeDisks, DeleteDisk, ResizeDisk, AttachDisk, DetachDisk;
https://www.alibabacloud.com/help/en/ecs/developer-reference/api-ecs-2014-05-26-createdisk and siblings).

A pay-as-you-go data disk is Creating, then Available; attaching moves it Attaching -> In_use and
detaching Detaching -> Available, over later requests. A disk attaches only to an instance in
the same zone that is Running or Stopped (IncorrectInstanceStatus), an In_use disk only once
(IncorrectDiskStatus), and a disk shrinks never (InvalidDiskSize.TooSmall). An In_use disk cannot be
deleted (IncorrectDiskStatus).
"""

from __future__ import annotations

from typing import Any

from tests.drivers.alibaba.fake.catalogue import REGIONS, check_region
from tests.drivers.alibaba.fake.ecs_instances import instance_of, need_status
from tests.drivers.alibaba.fake.ecs_network import ecs_tags
from tests.drivers.alibaba.fake.server import ApiError, Call, FakeAlibaba, not_found
from tests.drivers.alibaba.fake.vpc import creation_time

MAX_PAGE = 100
CATEGORIES = {"cloud_efficiency": (20, 32768), "cloud_ssd": (20, 32768), "cloud_essd": (20, 65536), "cloud": (5, 2000)}
DISK_STATE = "The current status of the disk does not support this operation."


def disk_of(fake: FakeAlibaba, disk_id: str) -> dict[str, Any]:
    disk = fake.table("disks").get(disk_id)
    if disk is None:
        raise not_found("InvalidDiskId.NotFound", "The specified disk does not exist.")
    return disk


def register(fake: FakeAlibaba) -> None:
    @fake.route("ecs", "CreateDisk")
    def create_disk(call: Call) -> dict[str, Any]:
        region = check_region(call)
        zone = call.need("ZoneId")
        if zone not in REGIONS[region][1]:
            raise ApiError(404, "InvalidZoneId.NotFound", "The specified zone does not exist.")
        category = call.get("DiskCategory", "cloud")
        if category not in CATEGORIES:
            raise ApiError(
                400, "InvalidDiskCategory.ValueNotSupported", "The specified disk category is not supported."
            )
        low, high = CATEGORIES[category]
        size = int(call.need("Size"))
        if not low <= size <= high:
            raise ApiError(
                400, "InvalidSize.ValueNotSupported", f"The specified Size must be {low}-{high} GiB for {category}."
            )
        disk_id = fake.new_id("d-")
        disk = {
            "DiskId": disk_id,
            "DiskName": call.get("DiskName"),
            "Type": "data",
            "Category": category,
            "Size": size,
            "Status": "Creating",
            "InstanceId": "",
            "ZoneId": zone,
            "RegionId": region,
            "Device": "",
            "DeleteWithInstance": False,
            "Portable": True,
            "DiskChargeType": "PostPaid",
            "CreationTime": creation_time(fake),
            "Tags": {"Tag": ecs_tags(call)},
        }
        fake.table("disks")[disk_id] = disk
        fake.change(disk, "Creating", "Creating", "Available")
        return {"DiskId": disk_id, "OrderId": ""}

    @fake.route("ecs", "DescribeDisks")
    def describe_disks(call: Call) -> dict[str, Any]:
        region = check_region(call)
        ids = call.json_list("DiskIds")
        found = [
            fake.public(disk)
            for disk in fake.table("disks").values()
            if disk["RegionId"] == region
            and (not ids or disk["DiskId"] in ids)
            and (not call.get("DiskName") or disk["DiskName"] == call.get("DiskName"))
            and (not call.get("InstanceId") or disk["InstanceId"] == call.get("InstanceId"))
            and (call.get("DiskType", "all") in ("all", disk["Type"]))
        ]
        page, meta = fake.page(found, call, max_size=MAX_PAGE)
        return {"Disks": {"Disk": page}, **meta}

    @fake.route("ecs", "DeleteDisk")
    def delete_disk(call: Call) -> dict[str, Any]:
        disk = disk_of(fake, call.need("DiskId"))
        if disk["Status"] != "Available":
            raise ApiError(403, "IncorrectDiskStatus", DISK_STATE)
        del fake.table("disks")[disk["DiskId"]]
        return {}

    @fake.route("ecs", "ResizeDisk")
    def resize_disk(call: Call) -> dict[str, Any]:
        disk = disk_of(fake, call.need("DiskId"))
        size = int(call.need("NewSize"))
        if size < disk["Size"]:
            raise ApiError(400, "InvalidDiskSize.TooSmall", "The specified new disk size is less than the original.")
        if disk["Status"] not in ("Available", "In_use"):
            raise ApiError(403, "IncorrectDiskStatus", DISK_STATE)
        if call.get("Type", "offline") == "offline" and disk["Status"] == "In_use":
            instance = instance_of(fake, disk["InstanceId"])
            need_status(instance, "Stopped")
        disk["Size"] = size
        return {}

    @fake.route("ecs", "AttachDisk")
    def attach_disk(call: Call) -> dict[str, Any]:
        disk = disk_of(fake, call.need("DiskId"))
        instance = instance_of(fake, call.need("InstanceId"))
        if disk["Status"] != "Available":
            raise ApiError(403, "IncorrectDiskStatus", DISK_STATE)
        need_status(instance, "Running", "Stopped")
        if disk["ZoneId"] != instance["ZoneId"]:
            raise ApiError(
                403, "InvalidDiskId.ZoneMismatch", "The specified disk and instance are not in the same zone."
            )
        used = {d["Device"] for d in fake.table("disks").values() if d["InstanceId"] == instance["InstanceId"]}
        device = next(f"/dev/xvd{letter}" for letter in "bcdefghijklmnop" if f"/dev/xvd{letter}" not in used)
        disk.update(InstanceId=instance["InstanceId"], Device=device)
        disk["DeleteWithInstance"] = call.flag("DeleteWithInstance")
        fake.change(disk, "Attaching", "In_use")
        return {}

    @fake.route("ecs", "DetachDisk")
    def detach_disk(call: Call) -> dict[str, Any]:
        disk = disk_of(fake, call.need("DiskId"))
        if disk["InstanceId"] != call.need("InstanceId") or disk["Status"] != "In_use":
            raise ApiError(403, "IncorrectDiskStatus", DISK_STATE)
        if disk["Type"] == "system":
            raise ApiError(403, "InvalidDiskType.NotSupported", "A system disk cannot be detached here.")

        def detached() -> None:
            disk.update(InstanceId="", Device="")

        fake.change(disk, "Detaching", "Available", then=detached)
        return {}
