"""CBS: cloud disks, postpaid by hour.

Shapes and rules from the CBS API reference: CreateDisks (https://www.tencentcloud.com/document/api/362/16312:
answers DiskIdSet; the disk shows in DescribeDisks a little later), DescribeDisks (/16315: Filters
disk-id, disk-name, zone, instance-id, disk-usage; Limit at most 100; DiskState UNATTACHED, ATTACHING,
ATTACHED, DETACHING, EXPANDING, TORECYCLE), AttachDisks (/16313: same zone as the instance
(`ResourceUnavailable.ZoneNotMatch`), not attached elsewhere (`ResourceUnavailable.Attached`), the
instance RUNNING or STOPPED), DetachDisks (/16316), ResizeDisk (/15843: only larger,
`InvalidParameterValue` otherwise), TerminateDisks (/16321: not while attached,
`ResourceUnavailable.Attached`). Sizes per type: CLOUD_PREMIUM 10-32000 GB, CLOUD_SSD and CLOUD_BSSD
20-32000 GB (the CBS "Cloud Disk Types" page, /362/2353).
"""

from __future__ import annotations

from typing import Any

from tests.drivers.tencent.fake.catalogue import zones_of
from tests.drivers.tencent.fake.server import ApiError, Call, FakeTencent, filters, now_text, page, public

MIN_SIZE = {"CLOUD_BASIC": 10, "CLOUD_PREMIUM": 10, "CLOUD_SSD": 20, "CLOUD_BSSD": 20, "CLOUD_HSSD": 20}
_SETTLE = {"ATTACHING": "ATTACHED", "DETACHING": "UNATTACHED", "EXPANDING": None}


def register(fake: FakeTencent) -> None:
    disks = fake.table("disks")
    instances = fake.table("instances")

    def tick() -> None:
        for disk in list(disks.values()):
            if disk["_hidden"] > 0:
                disk["_hidden"] -= 1
            elif disk["DiskState"] == "TORECYCLE":
                del disks[disk["DiskId"]]
            elif disk["DiskState"] in _SETTLE:
                disk["DiskState"] = _SETTLE[disk["DiskState"]] or ("ATTACHED" if disk["Attached"] else "UNATTACHED")

    fake.tickers.append(tick)

    def visible(region: str) -> list[dict[str, Any]]:
        return [disk for disk in disks.values() if disk["_region"] == region and disk["_hidden"] == 0]

    def disk_of(call: Call, disk_id: str) -> dict[str, Any]:
        disk = disks.get(disk_id)
        if disk is None or disk["_region"] != call.region or disk["_hidden"] > 0:
            raise ApiError("InvalidDiskId.NotFound", f"The disk `{disk_id}` does not exist.")
        return disk

    @fake.route("cbs", "CreateDisks")
    def create_disks(call: Call) -> dict[str, Any]:
        params = call.params
        zone = (params.get("Placement") or {}).get("Zone", "")
        if zone not in zones_of(call.region):
            raise ApiError("InvalidParameterValue", f"The zone `{zone}` is not a zone of {call.region}.")
        if params.get("DiskChargeType") != "POSTPAID_BY_HOUR":
            raise ApiError("InvalidParameterValue", "The fake sells postpaid-by-hour disks only.")
        disk_type = params.get("DiskType", "")
        if disk_type not in MIN_SIZE:
            raise ApiError("InvalidDisk.TypeError", f"The disk type `{disk_type}` is not valid.")
        size = int(params.get("DiskSize") or 0)
        if not MIN_SIZE[disk_type] <= size <= 32000:
            raise ApiError(
                "InvalidParameter.DiskSizeNotMatch",
                f"The size of a {disk_type} disk is {MIN_SIZE[disk_type]}-32000 GB.",
            )
        ids = []
        for _ in range(int(params.get("DiskCount") or 1)):
            disk_id = fake.new_id("disk")
            disks[disk_id] = {
                "DiskId": disk_id,
                "DiskName": params.get("DiskName", ""),
                "DiskType": disk_type,
                "DiskSize": size,
                "DiskState": "UNATTACHED",
                "DiskUsage": "DATA_DISK",
                "DiskChargeType": "POSTPAID_BY_HOUR",
                "Portable": True,
                "Attached": False,
                "InstanceId": "",
                "InstanceIdList": [],
                "Placement": {"Zone": zone, "ProjectId": 0},
                "CreateTime": now_text().replace("T", " ").rstrip("Z"),
                "DeleteWithInstance": False,
                "Encrypt": False,
                "Tags": [{"Key": tag["Key"], "Value": tag.get("Value", "")} for tag in params.get("Tags") or []],
                "_region": call.region,
                "_hidden": 2,
            }
            ids.append(disk_id)
        return {"DiskIdSet": ids}

    @fake.route("cbs", "DescribeDisks")
    def describe_disks(call: Call) -> dict[str, Any]:
        matches = filters(
            call.params,
            {
                "disk-id": lambda disk: [disk["DiskId"]],
                "disk-name": lambda disk: [disk["DiskName"]],
                "zone": lambda disk: [disk["Placement"]["Zone"]],
                "instance-id": lambda disk: [disk["InstanceId"]],
                "disk-usage": lambda disk: [disk["DiskUsage"]],
                "disk-state": lambda disk: [disk["DiskState"]],
            },
        )
        wanted = set(call.params.get("DiskIds") or [])
        rows = [disk for disk in visible(call.region) if matches(disk) and (not wanted or disk["DiskId"] in wanted)]
        total, part = page(rows, call.params)
        return {"TotalCount": total, "DiskSet": [public(disk) for disk in part]}

    @fake.route("cbs", "AttachDisks")
    def attach_disks(call: Call) -> dict[str, Any]:
        instance = instances.get(call.params.get("InstanceId", ""))
        if instance is None:
            raise ApiError(
                "InvalidInstanceId.NotFound", f"The instance `{call.params.get('InstanceId')}` does not exist."
            )
        if instance["InstanceState"] not in ("RUNNING", "STOPPED"):
            raise ApiError("InvalidInstance.NotSupported", "The instance must be RUNNING or STOPPED to attach disks.")
        found = [disk_of(call, disk_id) for disk_id in call.params.get("DiskIds") or []]
        for disk in found:
            if disk["Attached"] or disk["DiskState"] != "UNATTACHED":
                raise ApiError("ResourceUnavailable.Attached", f"The disk `{disk['DiskId']}` is attached already.")
            if disk["Placement"]["Zone"] != instance["Placement"]["Zone"]:
                raise ApiError("ResourceUnavailable.ZoneNotMatch", "The disk and the instance are in different zones.")
        for disk in found:
            disk.update(
                Attached=True,
                InstanceId=instance["InstanceId"],
                InstanceIdList=[instance["InstanceId"]],
                DiskState="ATTACHING",
            )
            instance["DataDisks"].append(
                {
                    "DiskId": disk["DiskId"],
                    "DiskType": disk["DiskType"],
                    "DiskSize": disk["DiskSize"],
                    "DeleteWithInstance": False,
                }
            )
        return {}

    @fake.route("cbs", "DetachDisks")
    def detach_disks(call: Call) -> dict[str, Any]:
        found = [disk_of(call, disk_id) for disk_id in call.params.get("DiskIds") or []]
        for disk in found:
            if not disk["Attached"]:
                raise ApiError("InvalidDisk.NotSupported", f"The disk `{disk['DiskId']}` is not attached.")
            if call.params.get("InstanceId") and call.params["InstanceId"] != disk["InstanceId"]:
                raise ApiError("InvalidParameterValue", "The disk is not attached to that instance.")
        for disk in found:
            instance = instances.get(disk["InstanceId"])
            if instance is not None:
                instance["DataDisks"] = [one for one in instance["DataDisks"] if one["DiskId"] != disk["DiskId"]]
            disk.update(Attached=False, InstanceId="", InstanceIdList=[], DiskState="DETACHING")
        return {}

    @fake.route("cbs", "ResizeDisk")
    def resize_disk(call: Call) -> dict[str, Any]:
        disk = disk_of(call, call.params.get("DiskId", ""))
        size = int(call.params.get("DiskSize") or 0)
        if size <= disk["DiskSize"]:
            raise ApiError(
                "InvalidParameterValue", f"The new size {size} GB must be larger than {disk['DiskSize']} GB."
            )
        disk.update(DiskSize=size, DiskState="EXPANDING")
        return {}

    @fake.route("cbs", "TerminateDisks")
    def terminate_disks(call: Call) -> dict[str, Any]:
        found = [disk_of(call, disk_id) for disk_id in call.params.get("DiskIds") or []]
        for disk in found:
            if disk["Attached"]:
                raise ApiError("ResourceUnavailable.Attached", f"The disk `{disk['DiskId']}` is attached.")
        for disk in found:
            disk["DiskState"] = "TORECYCLE"
        return {}
