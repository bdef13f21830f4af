"""Disks: block storage volumes in a zone of the region, attached to VMs as data volumes.

A volume is made in the zone asked for (else the connection's zone, else the region's first), with a
tiered profile as its type (general-purpose 3 IOPS/GB, 5iops-tier, 10iops-tier, or sdp) and a
capacity of 10-16000 GB (100 GB when none is asked). It grows but never shrinks. Boot volumes are
their VM's root disk and are not listed as disks.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    DriverError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
)
from drivers.ibm._common import attach_tags, check_name, check_tags, ident, iid_of, missing, read_tags, zone_of
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.ibm._vm_read import get_instance
from drivers.ibm.region_zone import first_available_zone
from drivers.types import IID, DiskInfo, DiskReqInfo, DiskStatus

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "disk": "Block storage volumes: types general-purpose (default), 5iops-tier, 10iops-tier and sdp; 10-16000 GB "
    "(default 100). Boot volumes are shown as their VM's root disk, not as disks.",
}
DISK_TYPES = frozenset({"general-purpose", "5iops-tier", "10iops-tier", "sdp"})
DEFAULT_DISK_TYPE = "general-purpose"
DEFAULT_SIZE_GB = 100
SIZE_RANGE = (10, 16000)


def find_volume(clients: IBMClients, iid: IID) -> dict[str, Any] | None:
    if iid.system_id:
        return clients.get_or_none(clients.vpc.get_volume, id=iid.system_id)
    return clients.find(clients.vpc.list_volumes, "volumes", name_or_id=ident(iid))


def is_boot(volume: dict[str, Any]) -> bool:
    return any(att.get("type") == "boot" for att in volume.get("volume_attachments", []))


def disk_status(volume: dict[str, Any]) -> DiskStatus:
    status = str(volume.get("status", ""))
    if status == "available":
        return DiskStatus.ATTACHED if volume.get("volume_attachments") else DiskStatus.AVAILABLE
    return {"pending": DiskStatus.CREATING, "deleting": DiskStatus.DELETING, "updating": DiskStatus.AVAILABLE}.get(
        status, DiskStatus.ERROR
    )


class IBMDiskHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        clients = self._clients
        check_name(req.name, what="Disk")
        tag_names = check_tags(req.tags)
        disk_type = req.disk_type or DEFAULT_DISK_TYPE
        if disk_type not in DISK_TYPES:
            raise InvalidRequestError(
                f"Disk type {disk_type!r} must be one of {', '.join(sorted(DISK_TYPES))}.", field="disk_type"
            )
        size = req.disk_size_gb or DEFAULT_SIZE_GB
        if not SIZE_RANGE[0] <= size <= SIZE_RANGE[1]:
            raise InvalidRequestError(
                f"Disk size must be {SIZE_RANGE[0]}-{SIZE_RANGE[1]} GB, not {size}.", field="disk_size_gb"
            )
        if find_volume(clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Disk '{req.name}' already exists.", field="name")
        zone = req.zone or first_available_zone(clients)
        prototype = {"name": req.name, "profile": {"name": disk_type}, "zone": {"name": zone}, "capacity": size}
        with translate(field="zone"):
            volume = result(clients.vpc.create_volume(volume_prototype=prototype))
        attach_tags(clients, str(volume.get("crn", "")), tag_names)
        return self._info(volume)

    def list_disks(self) -> list[DiskInfo]:
        clients = self._clients
        volumes = clients.list_all(clients.vpc.list_volumes, "volumes")
        return [self._info(volume) for volume in volumes if not is_boot(volume)]

    def get_disk(self, *, iid: IID) -> DiskInfo:
        return self._info(self._get(iid))

    def delete_disk(self, *, iid: IID) -> None:
        clients = self._clients
        volume = find_volume(clients, iid)
        if volume is None:
            return
        if volume.get("volume_attachments"):
            raise DependencyError(f"Disk '{volume['name']}' is attached to a VM; detach it first.")
        with contextlib.suppress(NotFoundError), translate():
            clients.vpc.delete_volume(id=volume["id"])
        clients.wait_for(
            lambda: clients.get_or_none(clients.vpc.get_volume, id=volume["id"]),
            done=lambda item: item is None,
            what=f"deleting disk '{volume['name']}'",
        )

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        volume = self._get(iid)
        current = int(volume.get("capacity") or 0)
        if size_gb < current or size_gb > SIZE_RANGE[1]:
            raise InvalidRequestError(
                f"Disk '{volume['name']}' can grow from {current} GB up to {SIZE_RANGE[1]} GB, not to {size_gb}.",
                field="size_gb",
            )
        if size_gb == current:
            return self._info(volume)
        with translate(field="size_gb"):
            updated = result(self._clients.vpc.update_volume(id=volume["id"], volume_patch={"capacity": size_gb}))
        return self._info(updated)

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        clients = self._clients
        volume = self._get(iid)
        instance = get_instance(clients, vm_iid, field="vm_iid")
        if volume.get("volume_attachments"):
            owner = volume["volume_attachments"][0].get("instance") or {}
            raise InvalidStateError(f"Disk '{volume['name']}' is already attached to VM '{owner.get('name', '')}'.")
        if zone_of(volume) != zone_of(instance):
            raise InvalidRequestError(
                f"Disk '{volume['name']}' is in zone {zone_of(volume)}, "
                f"VM '{instance['name']}' in {zone_of(instance)}.",
                field="vm_iid",
            )
        with translate():
            clients.vpc.create_instance_volume_attachment(
                instance_id=instance["id"], volume={"id": volume["id"]}, delete_volume_on_instance_delete=False
            )
        return self._wait_attachment(volume["id"], attached=True)

    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        clients = self._clients
        volume = self._get(iid)
        instance = get_instance(clients, vm_iid, field="vm_iid")
        attachment = next(
            (a for a in instance.get("volume_attachments", []) if (a.get("volume") or {}).get("id") == volume["id"]),
            None,
        )
        if attachment is None:
            raise InvalidStateError(f"Disk '{volume['name']}' is not attached to VM '{instance['name']}'.")
        with contextlib.suppress(NotFoundError), translate():
            clients.vpc.delete_instance_volume_attachment(instance_id=instance["id"], id=attachment["id"])
        return self._wait_attachment(volume["id"], attached=False)

    def _wait_attachment(self, volume_id: str, *, attached: bool) -> DiskInfo:
        clients = self._clients
        volume = clients.wait_for(
            lambda: clients.get_or_none(clients.vpc.get_volume, id=volume_id),
            done=lambda item: item is None or bool(item.get("volume_attachments")) == attached,
            what="attaching a disk" if attached else "detaching a disk",
        )
        if volume is None:
            raise DriverError("The disk vanished while being attached or detached.")
        return self._info(volume)

    def _get(self, iid: IID) -> dict[str, Any]:
        volume = find_volume(self._clients, iid)
        if volume is None or is_boot(volume):
            raise missing("Disk", iid)
        return volume

    def _info(self, volume: dict[str, Any]) -> DiskInfo:
        attachments = volume.get("volume_attachments") or []
        owner = attachments[0].get("instance") if attachments else None
        created = str(volume.get("created_at", ""))
        return DiskInfo(
            iid=iid_of(volume),
            status=disk_status(volume),
            zone=zone_of(volume),
            disk_type=str((volume.get("profile") or {}).get("name", "")),
            disk_size_gb=int(volume.get("capacity") or 0),
            owner_vm_iid=iid_of(owner) if owner else None,
            created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
            tags=read_tags(self._clients, str(volume.get("crn", ""))),
            extra={
                "crn": str(volume.get("crn", "")),
                "iops": str(volume.get("iops", "")),
                "ibm_status": str(volume.get("status", "")),
            },
        )
