"""Data disks (block volumes) in the mock cloud.

A disk lives in one zone, has a type from the catalogue (`standard`, `ssd`, `io`) with its own
size bounds, only grows, and is attached to at most one VM of its zone at a time. It shows
Creating for `settle_seconds` after create, then Available, or Attached while a VM holds it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from drivers.errors import DependencyError, InvalidRequestError, InvalidStateError, QuotaError
from drivers.mock import _catalogue
from drivers.mock._common import Record, check_new_name, check_tags, find, get, iid_of, new_id, table, timestamp
from drivers.mock._context import Context
from drivers.mock._relations import disks_of, require_settled_vm
from drivers.mock._store import Doc
from drivers.types import IID, DiskInfo, DiskReqInfo, DiskStatus

# Device names a VM's data disks get, in attach order; their number is the per-VM limit.
DEVICES: tuple[str, ...] = tuple(f"/dev/sd{letter}" for letter in "bcdefghi")
MAX_DISKS_PER_VM = len(DEVICES)


def disk_status(record: Mapping[str, Any], now: float) -> DiskStatus:
    if now < record["settles_at"]:
        return DiskStatus.CREATING
    return DiskStatus.ATTACHED if record["vm_id"] else DiskStatus.AVAILABLE


def disk_info(record: Mapping[str, Any], doc: Doc, *, now: float) -> DiskInfo:
    vm = table(doc, "vms").get(record["vm_id"]) if record["vm_id"] else None
    extra = {"device": record["device"]} if record["vm_id"] else {}
    return DiskInfo(
        iid=iid_of(record),
        status=disk_status(record, now),
        zone=record["zone"],
        disk_type=record["type"],
        disk_size_gb=record["size_gb"],
        owner_vm_iid=(iid_of(vm) if vm else IID(name_id="", system_id=record["vm_id"])) if record["vm_id"] else None,
        created_at=timestamp(record["created_at"]),
        tags=record["tags"],
        extra=extra,
    )


def _check_size(disk_type: str, size: Any, *, field: str) -> int:
    bounds = _catalogue.DISK_TYPES[disk_type]
    if isinstance(size, bool) or not isinstance(size, int):
        raise InvalidRequestError(f"Disk size {size!r} is not a whole number of GB.", field=field)
    if not bounds.min_gb <= size <= bounds.max_gb:
        raise InvalidRequestError(
            f"A '{disk_type}' disk must be {bounds.min_gb} to {bounds.max_gb} GB, not {size} GB.", field=field
        )
    return size


def attach(doc: Doc, disk: Record, vm: Record, now: float, *, field: str) -> None:
    """Attach `disk` to `vm`: it must be Available, free and in the VM's zone; the VM needs a free device."""
    status = disk_status(disk, now)
    if status == DiskStatus.CREATING:
        raise InvalidStateError(f"Disk '{disk['name']}' is still Creating; attach it when Available.", field=field)
    if disk["vm_id"]:
        owner = table(doc, "vms").get(disk["vm_id"])
        whom = "this VM" if disk["vm_id"] == vm["id"] else f"VM '{owner['name'] if owner else disk['vm_id']}'"
        raise InvalidStateError(f"Disk '{disk['name']}' is already attached to {whom}.", field=field)
    if disk["zone"] != vm["zone"]:
        raise InvalidRequestError(
            f"Disk '{disk['name']}' is in zone {disk['zone']} but VM '{vm['name']}' is in zone {vm['zone']};"
            " a disk attaches only to VMs of its own zone.",
            field=field,
        )
    used = {other["device"] for other in disks_of(doc, vm["id"])}
    free = [device for device in DEVICES if device not in used]
    if not free:
        raise QuotaError(f"VM '{vm['name']}' already has {MAX_DISKS_PER_VM} data disks attached.", field=field)
    doc["attach_seq"] = sequence = int(doc.get("attach_seq", 0)) + 1
    disk.update(vm_id=vm["id"], device=free[0], attach_seq=sequence)


class MockDiskHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        self._cx.enter()
        disk_type = req.disk_type or _catalogue.DEFAULT_DISK_TYPE
        if disk_type not in _catalogue.DISK_TYPES:
            raise InvalidRequestError(
                f"Disk type '{disk_type}' is unknown (types: {', '.join(_catalogue.DISK_TYPES)}).", field="disk_type"
            )
        size = _check_size(
            disk_type, req.disk_size_gb or _catalogue.DISK_TYPES[disk_type].default_gb, field="disk_size_gb"
        )
        zone = self._cx.check_zone(req.zone, field="zone")
        tags = check_tags(req.tags)

        def change(doc: Doc) -> DiskInfo:
            disks = table(doc, "disks")
            check_new_name(disks.values(), req.name, what="disk")
            now = time.time()
            record: Record = {
                "id": new_id("vol"),
                "name": req.name,
                "zone": zone,
                "type": disk_type,
                "size_gb": size,
                "vm_id": None,
                "device": "",
                "attach_seq": 0,
                "tags": tags,
                "created_at": now,
                "settles_at": now + self._cx.settle_seconds,
            }
            disks[record["id"]] = record
            return disk_info(record, doc, now=now)

        return self._cx.update(change)

    def list_disks(self) -> list[DiskInfo]:
        self._cx.enter()
        doc, now = self._cx.read(), time.time()
        records = sorted(table(doc, "disks").values(), key=lambda r: r["name"])
        return [disk_info(record, doc, now=now) for record in records]

    def get_disk(self, *, iid: IID) -> DiskInfo:
        self._cx.enter()
        doc = self._cx.read()
        return disk_info(get(table(doc, "disks").values(), iid, what="Disk"), doc, now=time.time())

    def delete_disk(self, *, iid: IID) -> None:
        self._cx.enter()

        def change(doc: Doc) -> None:
            disks = table(doc, "disks")
            record = find(disks.values(), iid)
            if record is None:
                return
            if record["vm_id"]:
                vm = table(doc, "vms").get(record["vm_id"])
                raise DependencyError(
                    f"Disk '{record['name']}' is attached to VM '{vm['name'] if vm else record['vm_id']}';"
                    " detach it first."
                )
            del disks[record["id"]]

        self._cx.update(change)

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        self._cx.enter()

        def change(doc: Doc) -> DiskInfo:
            record = get(table(doc, "disks").values(), iid, what="Disk")
            now = time.time()
            if disk_status(record, now) == DiskStatus.CREATING:
                raise InvalidStateError(f"Disk '{record['name']}' is still Creating; resize it once it is Available.")
            size = _check_size(record["type"], size_gb, field="size_gb")
            if size < record["size_gb"]:
                raise InvalidRequestError(
                    f"Disk '{record['name']}' is {record['size_gb']} GB; disks only grow, not shrink to {size} GB.",
                    field="size_gb",
                )
            record["size_gb"] = size  # the same size again is a no-op, so a retried resize succeeds
            return disk_info(record, doc, now=now)

        return self._cx.update(change)

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        self._cx.enter()

        def change(doc: Doc) -> DiskInfo:
            disk = get(table(doc, "disks").values(), iid, what="Disk")
            vm = get(table(doc, "vms").values(), vm_iid, what="VM", field="vm_iid")
            now = time.time()
            if not disk["vm_id"]:
                require_settled_vm(vm, now, doing=f"attach disk '{disk['name']}'", field="vm_iid")
            attach(doc, disk, vm, now, field="iid")
            return disk_info(disk, doc, now=now)

        return self._cx.update(change)

    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        self._cx.enter()

        def change(doc: Doc) -> DiskInfo:
            disk = get(table(doc, "disks").values(), iid, what="Disk")
            vm = get(table(doc, "vms").values(), vm_iid, what="VM", field="vm_iid")
            if disk["vm_id"] != vm["id"]:
                owner = table(doc, "vms").get(disk["vm_id"]) if disk["vm_id"] else None
                where = f" (it is attached to VM '{owner['name']}')" if owner else ""
                raise InvalidStateError(f"Disk '{disk['name']}' is not attached to VM '{vm['name']}'{where}.")
            disk.update(vm_id=None, device="", attach_seq=0)
            return disk_info(disk, doc, now=time.time())

        return self._cx.update(change)
