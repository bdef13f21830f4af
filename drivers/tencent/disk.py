"""Data disks: CBS cloud disks, postpaid by hour (CreateDisks, DescribeDisks, AttachDisks, DetachDisks,
ResizeDisk, TerminateDisks).

A disk is made in the asked zone, else the connection's, else the region's first available zone. CBS
answers every change at once and carries it out in the background (ATTACHING, DETACHING, EXPANDING);
the handler follows each change to its end, so an attach answers an attached disk. A disk attached
to a VM cannot be deleted (`DependencyError`) and an attached disk cannot be attached again
(`InvalidStateError`); a disk only grows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.tencent._common import find_instance, require
from drivers.tencent._session import TencentClients, tag_list, tags_of, wait_until
from drivers.tencent._vm_convert import parse_time
from drivers.tencent.region_zone import available_zones
from drivers.types import IID, DiskInfo, DiskReqInfo, DiskStatus

NOTES: Mapping[str, str] = {
    "disk": "CBS cloud disks, postpaid by hour; default CLOUD_PREMIUM of 50 GB. Types: CLOUD_PREMIUM, CLOUD_SSD, "
    "CLOUD_BSSD, CLOUD_HSSD.",
}

DISK_TYPES = frozenset({"CLOUD_BASIC", "CLOUD_PREMIUM", "CLOUD_SSD", "CLOUD_BSSD", "CLOUD_HSSD", "CLOUD_TSSD"})
DEFAULT_DISK_TYPE = "CLOUD_PREMIUM"
DEFAULT_SIZE_GB = 50


def disk_status(disk: dict[str, Any]) -> DiskStatus:
    state = str(disk.get("DiskState") or "")
    if state == "TORECYCLE":
        return DiskStatus.DELETING
    if state in ("ATTACHED", "DETACHING"):
        return DiskStatus.ATTACHED
    if state in ("UNATTACHED", "ATTACHING"):
        return DiskStatus.AVAILABLE
    # EXPANDING, ROLLBACKING, DUMPING: a background job on a disk that stays where it is.
    return DiskStatus.ATTACHED if disk.get("Attached") else DiskStatus.AVAILABLE


def find_disk(clients: TencentClients, iid: IID) -> dict[str, Any] | None:
    if iid.system_id:
        filters = [{"Name": "disk-id", "Values": [iid.system_id]}]
    elif iid.name_id:
        filters = [{"Name": "disk-name", "Values": [iid.name_id]}]
    else:
        return None
    filters.append({"Name": "disk-usage", "Values": ["DATA_DISK"]})
    for disk in clients.pages("cbs", "DescribeDisks", {"Filters": filters}, "DiskSet"):
        if disk["DiskId"] == iid.system_id or (not iid.system_id and disk.get("DiskName") == iid.name_id):
            return dict(disk)
    return None


class TencentDiskHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def _info(self, disk: dict[str, Any], vm_names: dict[str, str] | None = None) -> DiskInfo:
        owner = str(disk.get("InstanceId") or "") if disk.get("Attached") else ""
        owner_iid = None
        if owner:
            if vm_names is None:
                vm = find_instance(self._clients, IID(name_id="", system_id=owner))
                vm_names = {owner: vm["InstanceName"]} if vm else {}
            owner_iid = IID(name_id=vm_names.get(owner, owner), system_id=owner)
        return DiskInfo(
            iid=IID(name_id=str(disk.get("DiskName") or ""), system_id=disk["DiskId"]),
            status=disk_status(disk),
            zone=str((disk.get("Placement") or {}).get("Zone") or ""),
            disk_type=str(disk.get("DiskType") or ""),
            disk_size_gb=int(disk.get("DiskSize") or 0),
            owner_vm_iid=owner_iid,
            created_at=parse_time(str(disk.get("CreateTime") or "").replace(" ", "T")),
            tags=tags_of(disk.get("Tags")),
            extra={
                "DiskState": str(disk.get("DiskState") or ""),
                "DiskChargeType": str(disk.get("DiskChargeType") or ""),
            },
        )

    def _get(self, iid: IID) -> dict[str, Any]:
        return require(find_disk(self._clients, iid), "Disk", iid)

    def _settled(self, disk_id: str, check: Any, what: str) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def ready() -> bool:
            disk = find_disk(self._clients, IID(name_id="", system_id=disk_id))
            if disk is not None and check(disk):
                found.update(disk)
                return True
            return False

        wait_until(ready, what=what)
        return found

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        disk_type = req.disk_type or DEFAULT_DISK_TYPE
        if disk_type not in DISK_TYPES:
            raise InvalidRequestError(
                f"Disk type '{disk_type}' is not a CBS type ({', '.join(sorted(DISK_TYPES))}).", field="disk_type"
            )
        if req.disk_size_gb < 0:
            raise InvalidRequestError("The disk size cannot be negative.", field="disk_size_gb")
        if find_disk(self._clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Disk '{req.name}' already exists.")
        zone = req.zone or self._clients.zone or next(iter(available_zones(self._clients)), "")
        params: dict[str, Any] = {
            "Placement": {"Zone": zone},
            "DiskChargeType": "POSTPAID_BY_HOUR",
            "DiskType": disk_type,
            "DiskName": req.name,
            "DiskSize": req.disk_size_gb or DEFAULT_SIZE_GB,
            "DiskCount": 1,
        }
        if req.tags:
            params["Tags"] = tag_list(req.tags)
        disk_id = self._clients.call("cbs", "CreateDisks", params)["DiskIdSet"][0]
        return self._info(self._settled(disk_id, lambda disk: True, f"creating disk {req.name}"))

    def list_disks(self) -> list[DiskInfo]:
        params = {"Filters": [{"Name": "disk-usage", "Values": ["DATA_DISK"]}]}
        disks = list(self._clients.pages("cbs", "DescribeDisks", params, "DiskSet"))
        vm_names = {}
        if any(disk.get("Attached") for disk in disks):
            instances = self._clients.pages("cvm", "DescribeInstances", {}, "InstanceSet")
            vm_names = {one["InstanceId"]: one["InstanceName"] for one in instances}
        return [self._info(disk, vm_names) for disk in disks]

    def get_disk(self, *, iid: IID) -> DiskInfo:
        return self._info(self._get(iid))

    def delete_disk(self, *, iid: IID) -> None:
        disk = find_disk(self._clients, iid)
        if disk is None:
            return
        if disk.get("Attached"):
            raise DependencyError(f"Disk '{disk.get('DiskName')}' is attached to VM {disk.get('InstanceId')}.")
        try:
            self._clients.call("cbs", "TerminateDisks", {"DiskIds": [disk["DiskId"]]})
        except NotFoundError:
            return

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        disk = self._get(iid)
        if isinstance(size_gb, bool) or not isinstance(size_gb, int) or size_gb <= int(disk.get("DiskSize") or 0):
            raise InvalidRequestError(
                f"Disk '{disk.get('DiskName')}' has {disk.get('DiskSize')} GB; it can only grow.", field="size_gb"
            )
        self._clients.call("cbs", "ResizeDisk", {"DiskId": disk["DiskId"], "DiskSize": size_gb})
        settled = self._settled(
            disk["DiskId"],
            lambda one: int(one.get("DiskSize") or 0) == size_gb and one.get("DiskState") != "EXPANDING",
            "resizing the disk",
        )
        return self._info(settled)

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        disk = self._get(iid)
        vm = require(find_instance(self._clients, vm_iid), "VM", vm_iid)
        return self._info(self.attach_when_ready(IID(name_id="", system_id=disk["DiskId"]), vm["InstanceId"], disk))

    def attach_when_ready(self, iid: IID, instance_id: str, disk: dict[str, Any] | None = None) -> dict[str, Any]:
        """Attach the disk once the instance can take it (RUNNING or STOPPED), and wait until it is attached."""
        disk = disk or self._get(iid)
        if disk.get("Attached"):
            raise InvalidStateError(
                f"Disk '{disk.get('DiskName')}' is attached to VM {disk.get('InstanceId')} already."
            )

        def instance_ready() -> bool:
            found = find_instance(self._clients, IID(name_id="", system_id=instance_id))
            if found is None:
                raise NotFoundError(f"VM {instance_id} does not exist.")
            return found.get("InstanceState") in ("RUNNING", "STOPPED")

        wait_until(instance_ready, what=f"VM {instance_id} to be ready for disks")
        self._clients.call("cbs", "AttachDisks", {"InstanceId": instance_id, "DiskIds": [disk["DiskId"]]})
        return self._settled(disk["DiskId"], lambda one: one.get("DiskState") == "ATTACHED", "attaching the disk")

    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        disk = self._get(iid)
        vm = require(find_instance(self._clients, vm_iid), "VM", vm_iid)
        if not disk.get("Attached") or disk.get("InstanceId") != vm["InstanceId"]:
            raise InvalidStateError(f"Disk '{disk.get('DiskName')}' is not attached to VM '{vm['InstanceName']}'.")
        self._clients.call("cbs", "DetachDisks", {"DiskIds": [disk["DiskId"]], "InstanceId": vm["InstanceId"]})
        return self._info(
            self._settled(disk["DiskId"], lambda one: one.get("DiskState") == "UNATTACHED", "detaching the disk")
        )
