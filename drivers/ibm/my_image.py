"""Machine images: snapshots of a VM's boot volume (`POST /snapshots`), which boot new VMs.

IBM makes an image from a boot volume only while its VM is stopped; a snapshot is taken from a
running VM, is crash-consistent and can restore a boot volume for a new instance, which is what a
machine image is for. A snapshot is `pending` until IBM has copied the volume, then `stable`
(Available). Only bootable snapshots are listed; snapshots of data volumes are not machine images.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.ibm._common import attach_tags, check_name, check_tags, ident, iid_of, missing, read_tags
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.ibm._vm_read import get_instance
from drivers.types import IID, MyImageInfo, MyImageReqInfo, MyImageStatus

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "my_image": "A machine image is a snapshot of the VM's boot volume (taken while it runs, crash-consistent); "
    "VMs boot from it through a restored boot volume.",
}
STATUSES = {"stable": MyImageStatus.AVAILABLE, "deleting": MyImageStatus.DELETING}


def find_snapshot(clients: IBMClients, iid: IID) -> dict[str, Any] | None:
    if iid.system_id:
        found = clients.get_or_none(clients.vpc.get_snapshot, id=iid.system_id)
    else:
        found = clients.find(clients.vpc.list_snapshots, "snapshots", name_or_id=ident(iid))
    return found if found is not None and found.get("bootable") else None


class IBMMyImageHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        clients = self._clients
        check_name(req.name, what="Machine image")
        tag_names = check_tags(req.tags)
        instance = get_instance(clients, req.source_vm_iid, field="source_vm_iid")
        if clients.find(clients.vpc.list_snapshots, "snapshots", name_or_id=req.name) is not None:
            raise AlreadyExistsError(f"Machine image '{req.name}' already exists.", field="name")
        boot = (instance.get("boot_volume_attachment") or {}).get("volume") or {}
        with translate(field="name"):
            snapshot = result(
                clients.vpc.create_snapshot(snapshot_prototype={"name": req.name, "source_volume": {"id": boot["id"]}})
            )
        attach_tags(clients, str(snapshot.get("crn", "")), tag_names)
        return self._info(snapshot, source=iid_of(instance))

    def list_my_images(self) -> list[MyImageInfo]:
        clients = self._clients
        snapshots = clients.list_all(clients.vpc.list_snapshots, "snapshots")
        return [self._info(snapshot) for snapshot in snapshots if snapshot.get("bootable")]

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        snapshot = find_snapshot(self._clients, iid)
        if snapshot is None:
            raise missing("Machine image", iid)
        return self._info(snapshot)

    def delete_my_image(self, *, iid: IID) -> None:
        clients = self._clients
        snapshot = find_snapshot(clients, iid)
        if snapshot is None:
            return
        with contextlib.suppress(NotFoundError), translate():
            clients.vpc.delete_snapshot(id=snapshot["id"])
        clients.wait_for(
            lambda: clients.get_or_none(clients.vpc.get_snapshot, id=snapshot["id"]),
            done=lambda item: item is None,
            what=f"deleting machine image '{snapshot['name']}'",
        )

    def _source(self, snapshot: dict[str, Any]) -> IID:
        """The VM whose boot volume the snapshot was taken from (while that volume still exists)."""
        volume_ref = snapshot.get("source_volume") or {}
        volume = (
            self._clients.get_or_none(self._clients.vpc.get_volume, id=volume_ref["id"])
            if volume_ref.get("id")
            else None
        )
        for attachment in (volume or {}).get("volume_attachments", []):
            if attachment.get("instance"):
                return iid_of(attachment["instance"])
        return IID(name_id="", system_id="")

    def _info(self, snapshot: dict[str, Any], *, source: IID | None = None) -> MyImageInfo:
        created = str(snapshot.get("created_at", ""))
        return MyImageInfo(
            iid=iid_of(snapshot),
            source_vm_iid=source or self._source(snapshot),
            status=STATUSES.get(str(snapshot.get("lifecycle_state", "")), MyImageStatus.UNAVAILABLE),
            created_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
            tags=read_tags(self._clients, str(snapshot.get("crn", ""))),
            extra={
                "crn": str(snapshot.get("crn", "")),
                "source_volume": str((snapshot.get("source_volume") or {}).get("name", "")),
                "source_image": str((snapshot.get("source_image") or {}).get("name", "")),
                "minimum_capacity_gb": str(snapshot.get("minimum_capacity", "")),
            },
        )
