"""Disks as Cinder volumes, attached and detached through Nova.

Cinder works asynchronously (creating -> available, extending -> available, attaching -> in-use,
detaching -> available); resize, attach and detach wait until the volume settles, so their answer
shows the result. Cinder needs a size: 0 asks for DEFAULT_SIZE_GB. Tags are the volume's metadata.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import AlreadyExistsError, DependencyError, InvalidRequestError, InvalidStateError, NotFoundError
from drivers.openstack._common import check_name, parse_time, pick
from drivers.openstack._errors import translate
from drivers.openstack._session import Clouds
from drivers.types import IID, DiskInfo, DiskReqInfo, DiskStatus

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

DEFAULT_SIZE_GB = 10
_STATUSES = {
    "creating": DiskStatus.CREATING,
    "downloading": DiskStatus.CREATING,
    "available": DiskStatus.AVAILABLE,
    "reserved": DiskStatus.ATTACHED,
    "attaching": DiskStatus.ATTACHED,
    "in-use": DiskStatus.ATTACHED,
    "detaching": DiskStatus.ATTACHED,
    "deleting": DiskStatus.DELETING,
}
_SETTLED = frozenset({"available", "in-use", "error", "error_extending", "error_deleting"})


def status_of(volume: Any) -> DiskStatus:
    status = str(volume.status or "")
    if status == "extending":
        return DiskStatus.ATTACHED if volume.attachments else DiskStatus.AVAILABLE
    if status.startswith("error"):
        return DiskStatus.ERROR
    return _STATUSES.get(status, DiskStatus.CREATING)


class OpenStackDiskHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds

    def volumes(self) -> list[Any]:
        with translate():
            return list(self._c.block_storage.volumes(details=True))

    def find(self, iid: IID) -> Any:
        if iid.system_id:
            try:
                with translate():
                    return self._c.block_storage.get_volume(iid.system_id)
            except NotFoundError:
                raise NotFoundError(f"Disk '{iid.system_id}' does not exist.") from None
        return pick(self.volumes(), iid, what="Disk", ident=lambda v: v.id, name=lambda v: v.name)

    def _server(self, iid: IID) -> Any:
        from drivers.openstack.vm import OpenStackVMHandler

        try:
            return OpenStackVMHandler(self._c).find(iid)
        except NotFoundError as exc:
            raise NotFoundError(exc.message, field="vm_iid") from None

    def _server_name(self, server_id: str) -> str:
        try:
            with translate():
                return str(self._c.compute.get_server(server_id).name)
        except NotFoundError:
            return ""

    def info(self, volume: Any) -> DiskInfo:
        owner = None
        if volume.attachments:
            server_id = str(volume.attachments[0].get("server_id") or "")
            owner = IID(name_id=self._server_name(server_id), system_id=server_id)
        return DiskInfo(
            iid=IID(name_id=str(volume.name or ""), system_id=str(volume.id)),
            status=status_of(volume),
            zone=str(volume.availability_zone or ""),
            disk_type=str(volume.volume_type or ""),
            disk_size_gb=int(volume.size or 0),
            owner_vm_iid=owner,
            created_at=parse_time(volume.created_at),
            tags={str(k): str(v) for k, v in (volume.metadata or {}).items()},
            extra={"cinder_status": str(volume.status or ""), "bootable": str(volume.is_bootable)},
        )

    def _settle(self, volume_id: str, *, what: str) -> Any:
        def fetch() -> Any:
            with translate():
                return self._c.block_storage.get_volume(volume_id)

        return self._c.wait_until(fetch, lambda v: str(v.status) in _SETTLED, what=what)

    def _ready(self, volume: Any) -> Any:
        """The volume once Cinder has finished creating or extending it (Cinder refuses actions meanwhile)."""
        if str(volume.status) in ("creating", "downloading", "extending"):
            return self._settle(volume.id, what=f"creating disk '{volume.name}'")
        return volume

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        check_name(req.name)
        if req.disk_size_gb < 0:
            raise InvalidRequestError("Disk size must not be negative.", field="disk_size_gb")
        if any(v.name == req.name for v in self.volumes()):
            raise AlreadyExistsError(f"Disk '{req.name}' already exists.", field="name")
        attrs: dict[str, Any] = {
            "name": req.name,
            "size": req.disk_size_gb or DEFAULT_SIZE_GB,
            "availability_zone": req.zone or self._c.zone(),
            "metadata": dict(req.tags),
        }
        if req.disk_type:
            attrs["volume_type"] = req.disk_type
        with translate():
            volume = self._c.block_storage.create_volume(**attrs)
        return self.info(volume)

    def list_disks(self) -> list[DiskInfo]:
        return [self.info(volume) for volume in self.volumes()]

    def get_disk(self, *, iid: IID) -> DiskInfo:
        return self.info(self.find(iid))

    def delete_disk(self, *, iid: IID) -> None:
        try:
            volume = self.find(iid)
        except NotFoundError:
            return
        if volume.attachments or str(volume.status) in ("in-use", "attaching", "reserved", "detaching"):
            raise DependencyError(f"Disk '{volume.name}' is attached to a VM; detach it first.")
        volume = self._ready(volume)
        if str(volume.status) != "deleting":
            with translate():
                self._c.block_storage.delete_volume(volume, ignore_missing=True)
        # Cinder deletes in the background; the disk is gone once a read says so.
        self._c.wait_until(
            lambda: self._exists(volume.id), lambda exists: not exists, what=f"deleting disk '{volume.name}'"
        )

    def _exists(self, volume_id: str) -> bool:
        try:
            with translate():
                self._c.block_storage.get_volume(volume_id)
        except NotFoundError:
            return False
        return True

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        volume = self._ready(self.find(iid))
        if isinstance(size_gb, bool) or not isinstance(size_gb, int) or size_gb <= int(volume.size or 0):
            raise InvalidRequestError(
                f"Disk '{volume.name}' can only grow: {size_gb!r} GB is not more than its {volume.size} GB.",
                field="size_gb",
            )
        with translate():
            self._c.block_storage.extend_volume(volume, size_gb)
        return self.info(self._settle(volume.id, what=f"resizing disk '{volume.name}'"))

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        volume = self.find(iid)
        server = self._server(vm_iid)
        volume = self._ready(volume)
        if str(volume.status) != "available" or volume.attachments:
            raise InvalidStateError(
                f"Disk '{volume.name}' is {volume.status}; only an available disk can be attached.",
                provider_message=f"status is {volume.status}",
            )
        with translate():
            self._c.compute.create_volume_attachment(server, volume)
        return self.info(self._settle(volume.id, what=f"attaching disk '{volume.name}'"))

    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        volume = self.find(iid)
        server = self._server(vm_iid)
        if not any(a.get("server_id") == server.id for a in volume.attachments or []):
            raise InvalidStateError(f"Disk '{volume.name}' is not attached to VM '{server.name}'.")
        with translate():
            self._c.compute.delete_volume_attachment(server, volume, ignore_missing=False)
        return self.info(self._settle(volume.id, what=f"detaching disk '{volume.name}'"))
