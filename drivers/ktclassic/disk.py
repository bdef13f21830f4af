"""Data disks: KT Cloud volumes (`createVolume` by product code, `attachVolume` / `detachVolume`,
`resizeVolume`, `deleteVolume`).

A disk is ordered by product code: "STG <n>G" for HDD (10-500 GB in steps of 10) or "SSD <n>G" for
SSD (100-800 GB in steps of 100), 100 GB HDD when nothing is asked (CB-Spider's KT Classic disk
handler). A new volume is `Allocated`; once attached it is `Ready` (and stays so when detached), and
`Creating` while it is being attached. KT Cloud grows a volume only through the VM it is attached
to, while that VM is stopped (`resizeVolume` takes the VM and the size to add: 50, 80 or 100 GB, 50
on Linux only), so a disk that is detached, or whose VM runs, cannot be resized.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import check_user_tags, find, user_tags
from drivers.ktclassic._tags import create_tags
from drivers.ktclassic._vm_info import find_vm, status_of
from drivers.ktclassic.image import is_windows
from drivers.types import IID, DiskInfo, DiskReqInfo, DiskStatus, VMStatus

GIB = 1024**3
DEFAULT_SIZE_GB = 100
NOTE = "KT Cloud grows a disk by 50 (Linux VMs only), 80 or 100 GB, and only while it is attached to a stopped VM."
# The sizes resizeVolume accepts (KT Cloud's Python SDK: "50/80/100"; CB-Spider: the size to add, 50 on Linux only).
GROWTH_GB = (50, 80, 100)
_LIMITS = {"HDD": ("STG", 10, 500, 10), "SSD": ("SSD", 100, 800, 100)}


def volumes(client: KTClient) -> list[dict[str, Any]]:
    return client.listing("listVolumes", "volume", {"zoneid": client.zone_id})


def data_disks(client: KTClient) -> list[dict[str, Any]]:
    return [v for v in volumes(client) if v.get("type") == "DATADISK"]


def find_disk(client: KTClient, iid: IID, *, field: str = "disk") -> dict[str, Any]:
    return find(
        data_disks(client), iid, lambda v: (str(v.get("name", "")), str(v.get("id", ""))), what="Disk", field=field
    )


def _status(volume: dict[str, Any]) -> DiskStatus:
    if volume.get("virtualmachineid"):
        return DiskStatus.ATTACHED
    if volume.get("state") == "Creating":
        return DiskStatus.CREATING
    if volume.get("state") in ("Allocated", "Ready"):
        return DiskStatus.AVAILABLE
    return DiskStatus.ERROR


def _time(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def to_info(volume: dict[str, Any]) -> DiskInfo:
    vm_id = str(volume.get("virtualmachineid") or "")
    offering = str(volume.get("diskofferingname", ""))
    return DiskInfo(
        iid=IID(name_id=str(volume.get("name", "")), system_id=str(volume.get("id", ""))),
        status=_status(volume),
        zone=str(volume.get("zoneid", "")),
        disk_type="SSD" if offering.upper().startswith("SSD") else "HDD",
        disk_size_gb=int(volume.get("size", 0)) // GIB,
        owner_vm_iid=IID(name_id=str(volume.get("vmname") or ""), system_id=vm_id) if vm_id else None,
        created_at=_time(volume.get("created")),
        tags=user_tags(volume.get("tags")),
        extra={"state": str(volume.get("state", "")), "product": offering},
    )


class KTDiskHandler:
    def __init__(self, client: KTClient) -> None:
        self._client = client

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        if not req.name:
            raise InvalidRequestError("A disk needs a name.", field="name")
        check_user_tags(req.tags)
        if req.zone and req.zone != self._client.zone_id:
            raise InvalidRequestError(
                f"A KT Cloud connection creates disks in its own zone {self._client.zone_id}.", field="zone"
            )
        kind = (req.disk_type or "HDD").upper()
        if kind not in _LIMITS:
            raise InvalidRequestError(f"KT Cloud disk type {req.disk_type!r} must be HDD or SSD.", field="disk_type")
        code, low, high, step = _LIMITS[kind]
        size = req.disk_size_gb or max(DEFAULT_SIZE_GB, low)
        if not low <= size <= high or size % step:
            raise InvalidRequestError(
                f"A {kind} disk on KT Cloud is {low}-{high} GB in steps of {step} GB, not {size}.", field="disk_size_gb"
            )
        if any(v.get("name") == req.name for v in data_disks(self._client)):
            raise AlreadyExistsError(f"A disk named '{req.name}' already exists in this zone.", field="name")
        params = {
            "name": req.name,
            "zoneid": self._client.zone_id,
            "productcode": f"{code} {size}G",
            "usageplantype": "hourly",
        }
        created = self._client.call("createVolume", params, field="disk_size_gb")
        create_tags(self._client, "Volume", str(created["id"]), req.tags)
        return self.get_disk(iid=IID(name_id=req.name, system_id=str(created["id"])))

    def list_disks(self) -> list[DiskInfo]:
        return [to_info(volume) for volume in data_disks(self._client)]

    def get_disk(self, *, iid: IID) -> DiskInfo:
        return to_info(find_disk(self._client, iid))

    def delete_disk(self, *, iid: IID) -> None:
        try:
            volume = find_disk(self._client, iid)
        except NotFoundError:
            return
        if volume.get("virtualmachineid"):
            raise DependencyError(f"Disk '{volume.get('name')}' is attached to VM '{volume.get('vmname')}'.")
        self._client.call("deleteVolume", {"id": str(volume["id"])})

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        volume = find_disk(self._client, iid)
        current = int(volume.get("size", 0)) // GIB
        if size_gb <= current:
            raise InvalidRequestError(
                f"A disk only grows: it has {current} GB, not more than {size_gb}.", field="size_gb"
            )
        vm_id = str(volume.get("virtualmachineid") or "")
        if not vm_id:
            raise InvalidStateError(f"Disk '{volume.get('name')}' is detached. {NOTE}")
        vm = find_vm(self._client, IID(name_id="", system_id=vm_id))
        if status_of(vm) != VMStatus.SUSPENDED:
            raise InvalidStateError(f"VM '{vm.get('name')}' of disk '{volume.get('name')}' is running. {NOTE}")
        linux = "N" if is_windows(str(vm.get("templatedisplaytext", ""))) else "Y"
        allowed = GROWTH_GB if linux == "Y" else GROWTH_GB[1:]
        if size_gb - current not in allowed:
            steps = ", ".join(f"{current + step} GB" for step in allowed)
            raise InvalidRequestError(f"KT Cloud grows this disk to {steps}, not {size_gb} GB. {NOTE}", field="size_gb")
        params = {"id": str(volume["id"]), "vmid": vm_id, "size": str(size_gb - current), "isLinux": linux}
        self._client.run("resizeVolume", params, what=f"resizing disk {volume.get('name')}", field="size_gb")
        return self.get_disk(iid=iid)

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        volume = find_disk(self._client, iid)
        vm = find_vm(self._client, vm_iid, field="vm_iid")
        if volume.get("virtualmachineid"):
            raise InvalidStateError(f"Disk '{volume.get('name')}' is already attached to VM '{volume.get('vmname')}'.")
        params = {"id": str(volume["id"]), "virtualmachineid": str(vm["id"])}
        self._client.run("attachVolume", params, what=f"attaching disk {volume.get('name')}")
        return self.get_disk(iid=iid)

    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        volume = find_disk(self._client, iid)
        vm = find_vm(self._client, vm_iid, field="vm_iid")
        if str(volume.get("virtualmachineid") or "") != str(vm["id"]):
            raise InvalidStateError(f"Disk '{volume.get('name')}' is not attached to VM '{vm.get('name')}'.")
        self._client.run("detachVolume", {"id": str(volume["id"])}, what=f"detaching disk {volume.get('name')}")
        return self.get_disk(iid=iid)
