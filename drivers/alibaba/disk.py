"""ECS data disks (pay-as-you-go cloud disks). Created in the request's zone (else the connection's,
else the region's first) as ESSD of 20 GiB unless told otherwise; attach and detach wait until the
disk is In_use or Available again. A resize grows an attached disk online and a free one offline;
the file system inside is the user's to grow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drivers.alibaba._common import default_zone, tag_params, tags_of
from drivers.alibaba._session import AlibabaClients, dig, wait_until
from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, NotFoundError
from drivers.types import IID, DiskInfo, DiskReqInfo, DiskStatus

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

PAGE = 100
DEFAULT_CATEGORY = "cloud_essd"
DEFAULT_SIZE_GB = 20  # the smallest ESSD

STATUS = {
    "Creating": DiskStatus.CREATING,
    "Available": DiskStatus.AVAILABLE,
    "Attaching": DiskStatus.ATTACHED,
    "In_use": DiskStatus.ATTACHED,
    "Detaching": DiskStatus.ATTACHED,
    "ReIniting": DiskStatus.ATTACHED,
}


def find_disk(clients: AlibabaClients, iid: IID) -> dict[str, Any]:
    params: dict[str, Any] = {"RegionId": clients.region, "PageSize": PAGE}
    if iid.system_id:
        params["DiskIds"] = f'["{iid.system_id}"]'
    else:
        params["DiskName"] = iid.name_id
    body = clients.rpc("ecs", "DescribeDisks", params)
    for disk in dig(body, "Disks", "Disk"):
        if disk.get("DiskId") == iid.system_id or (not iid.system_id and disk.get("DiskName") == iid.name_id):
            return dict(disk)
    raise NotFoundError(f"Disk '{iid.system_id or iid.name_id}' does not exist in {clients.region}.")


def _created(value: Any) -> datetime | None:
    text = str(value or "")
    for pattern in ("%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


class AlibabaDiskHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def _info(self, disk: dict[str, Any]) -> DiskInfo:
        owner: IID | None = None
        instance_id = str(disk.get("InstanceId") or "")
        if instance_id:
            from drivers.alibaba.vm import find_instance

            try:
                instance = find_instance(self._clients, IID(name_id="", system_id=instance_id))
                owner = IID(name_id=str(instance.get("InstanceName", "")), system_id=instance_id)
            except NotFoundError:
                owner = IID(name_id="", system_id=instance_id)
        return DiskInfo(
            iid=IID(name_id=str(disk.get("DiskName", "")), system_id=str(disk.get("DiskId", ""))),
            status=STATUS.get(str(disk.get("Status", "")), DiskStatus.ERROR),
            zone=str(disk.get("ZoneId", "")),
            disk_type=str(disk.get("Category", "")),
            disk_size_gb=int(disk.get("Size") or 0),
            owner_vm_iid=owner,
            created_at=_created(disk.get("CreationTime")),
            tags=tags_of(disk),
            extra={"Status": str(disk.get("Status", "")), "Device": str(disk.get("Device", ""))},
        )

    def _wait(self, disk_id: str, status: str) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def reached() -> bool:
            found.update(find_disk(self._clients, IID(name_id="", system_id=disk_id)))
            return found.get("Status") == status

        wait_until(reached, what=f"disk {disk_id} to be {status}")
        return found

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        try:
            find_disk(self._clients, IID(name_id=req.name))
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"A disk named '{req.name}' already exists in {self._clients.region}.")
        body = self._clients.rpc(
            "ecs",
            "CreateDisk",
            {
                "RegionId": self._clients.region,
                "ZoneId": req.zone or default_zone(self._clients),
                "DiskName": req.name,
                "DiskCategory": req.disk_type or DEFAULT_CATEGORY,
                "Size": req.disk_size_gb or DEFAULT_SIZE_GB,
                "Tag": tag_params(req.tags),
            },
        )
        return self.get_disk(iid=IID(name_id=req.name, system_id=str(body["DiskId"])))

    def list_disks(self) -> list[DiskInfo]:
        # Data disks only: a system disk belongs to its VM (root_disk_* of the VM).
        disks = self._clients.pages(
            "ecs",
            "DescribeDisks",
            {"RegionId": self._clients.region, "DiskType": "data"},
            items=lambda body: dig(body, "Disks", "Disk"),
            page_size=PAGE,
        )
        return [self._info(disk) for disk in disks]

    def get_disk(self, *, iid: IID) -> DiskInfo:
        return self._info(find_disk(self._clients, iid))

    def delete_disk(self, *, iid: IID) -> None:
        try:
            disk = find_disk(self._clients, iid)
        except NotFoundError:
            return
        status = disk.get("Status")
        if status in ("In_use", "Attaching", "Detaching"):
            raise DependencyError(f"Disk '{disk.get('DiskName') or disk.get('DiskId')}' is attached to a VM.")
        if status == "Creating":
            self._wait(str(disk["DiskId"]), "Available")
        try:
            self._clients.rpc("ecs", "DeleteDisk", {"DiskId": disk["DiskId"]})
        except NotFoundError:
            return

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        disk = find_disk(self._clients, iid)
        if size_gb <= int(disk.get("Size") or 0):
            raise InvalidRequestError(
                f"A disk only grows: {size_gb} GiB is not more than its {disk.get('Size')} GiB.", field="size_gb"
            )
        mode = "online" if disk.get("Status") == "In_use" else "offline"
        self._clients.rpc("ecs", "ResizeDisk", {"DiskId": disk["DiskId"], "NewSize": size_gb, "Type": mode})
        return self.get_disk(iid=IID(name_id="", system_id=str(disk["DiskId"])))

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        from drivers.alibaba.vm import find_instance

        disk = find_disk(self._clients, iid)
        instance = find_instance(self._clients, vm_iid)
        self._clients.rpc(
            "ecs",
            "AttachDisk",
            {"DiskId": disk["DiskId"], "InstanceId": instance["InstanceId"], "DeleteWithInstance": False},
        )
        return self._info(self._wait(str(disk["DiskId"]), "In_use"))

    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        from drivers.alibaba.vm import find_instance

        disk = find_disk(self._clients, iid)
        instance = find_instance(self._clients, vm_iid)
        self._clients.rpc("ecs", "DetachDisk", {"DiskId": disk["DiskId"], "InstanceId": instance["InstanceId"]})
        return self._info(self._wait(str(disk["DiskId"]), "Available"))
