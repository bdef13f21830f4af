"""Machine images are Azure managed images (Microsoft.Compute/images) in the connection's resource group,
made from a snapshot of the VM's OS disk.

Azure makes a managed image straight from a VM only once the VM is generalized (deprovisioned, then
marked so), which ends that VM's use. Spiderweb leaves the VM as it is: it snapshots the OS disk
(`<image>-snapshot`), makes the image from the snapshot, declared generalized so that VMs booting from
it get their own name, user and key, then deletes the snapshot (the image holds its own copy). The
guest was not deprovisioned, so what it kept (host keys, machine id, logs) comes along; Linux images
with cloud-init boot fine, a Windows VM should be sysprepped first.

The source VM is recorded in the image's `spiderweb-source-vm` tag. Deleting an image leaves the VMs
started from it alone (each has its own disks) and also removes a leftover snapshot of it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from azure.mgmt.compute.models import Image, Snapshot

from drivers.azure import _compute
from drivers.azure._compute import DISK_TYPE, IMAGE_TYPE, SOURCE_VM_TAG
from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.azure._vm_convert import status_of as vm_status
from drivers.azure._vpc_checks import check_name, check_tags, user_tags
from drivers.azure.vm import AzureVMHandler
from drivers.errors import AlreadyExistsError, DriverError, InvalidStateError, NotFoundError
from drivers.types import IID, MyImageInfo, MyImageReqInfo, MyImageStatus, VMStatus

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "my_image": (
        "An Azure managed image made from a snapshot of the VM's OS disk; the VM keeps running and is not "
        "generalized, so sysprep a Windows VM first."
    ),
}

IMAGE_NAME_MAX = 80
_STATUS = {
    "succeeded": MyImageStatus.AVAILABLE,
    "deleting": MyImageStatus.DELETING,
}


def snapshot_name(image_name: str) -> str:
    return f"{image_name}-snapshot"[:IMAGE_NAME_MAX]


def my_image_info(image: Mapping[str, Any]) -> MyImageInfo:
    props = image.get("properties") or {}
    os_disk = (props.get("storageProfile") or {}).get("osDisk") or {}
    source = str((image.get("tags") or {}).get(SOURCE_VM_TAG, ""))
    state = str(props.get("provisioningState", ""))
    extra = {
        "provisioning_state": state,
        "os_type": str(os_disk.get("osType", "")),
        "os_state": str(os_disk.get("osState", "")),
        "disk_size_gb": str(os_disk.get("diskSizeGB", "")),
        "hyper_v_generation": str(props.get("hyperVGeneration", "")),
    }
    return MyImageInfo(
        iid=_compute.iid_of(image),
        source_vm_iid=_compute.ref_iid(source) if source else IID(name_id=""),
        status=_STATUS.get(state.lower(), MyImageStatus.UNAVAILABLE),
        tags=user_tags(image.get("tags")),
        extra={key: value for key, value in extra.items() if value},
    )


class AzureMyImageHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        check_name(req.name, what="machine image", limit=IMAGE_NAME_MAX)
        tags = check_tags(req.tags)
        group = self._session.resource_group()
        if self._find(IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"A machine image named '{req.name}' already exists.", field="name")
        vm = AzureVMHandler(self._session).get(req.source_vm_iid, field="source_vm_iid")
        status = vm_status(vm)
        if status not in (VMStatus.RUNNING, VMStatus.SUSPENDED):
            raise InvalidStateError(
                f"Cannot snapshot VM '{vm['name']}' while it is {status}; wait until it is Running or Suspended.",
                field="source_vm_iid",
            )
        os_disk = ((vm.get("properties") or {}).get("storageProfile") or {}).get("osDisk") or {}
        disk_id = str((os_disk.get("managedDisk") or {}).get("id", ""))
        disk = self._os_disk(disk_id)
        compute = self._session.compute()
        snap = snapshot_name(req.name)
        snapshot_body = {
            "location": self._session.region,
            "sku": {"name": "Standard_LRS"},
            "tags": {SOURCE_VM_TAG: str(vm["id"])},
            "properties": {"creationData": {"createOption": "Copy", "sourceResourceId": disk_id}, "incremental": False},
        }
        snapshot = self._session.wait(
            lambda: compute.snapshots.begin_create_or_update(group, snap, Snapshot(snapshot_body)),
            what=f"snapshotting the OS disk of VM '{vm['name']}'",
        ).as_dict()
        image_body = {
            "location": self._session.region,
            "tags": {**tags, SOURCE_VM_TAG: str(vm["id"])},
            "properties": {
                "hyperVGeneration": str((disk.get("properties") or {}).get("hyperVGeneration") or "V1"),
                "storageProfile": {
                    "osDisk": {
                        "osType": str(os_disk.get("osType") or "Linux"),
                        "osState": "Generalized",
                        "snapshot": {"id": str(snapshot["id"])},
                        "storageAccountType": "Standard_LRS",
                    },
                    "zoneResilient": False,
                },
            },
        }
        try:
            image = self._session.wait(
                lambda: compute.images.begin_create_or_update(group, req.name, Image(image_body)),
                what=f"making machine image '{req.name}'",
            ).as_dict()
        finally:
            # The image is a copy; the snapshot is only the way there (a failed delete leaves it to delete_my_image).
            _compute.quietly(
                self._session, lambda: compute.snapshots.begin_delete(group, snap), what=f"deleting snapshot {snap}"
            )
        return my_image_info(image)

    def list_my_images(self) -> list[MyImageInfo]:
        group = self._session.resource_group()
        with translate():
            images = [image.as_dict() for image in self._session.compute().images.list_by_resource_group(group)]
        return sorted((my_image_info(image) for image in images), key=lambda info: info.iid.name_id)

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        image = self._find(iid)
        if image is None:
            raise NotFoundError(f"Machine image '{iid.system_id or iid.name_id}' does not exist.")
        return my_image_info(image)

    def delete_my_image(self, *, iid: IID) -> None:
        name = _compute.name_in_group(self._session, iid, IMAGE_TYPE)
        if name is None:
            return
        group = self._session.resource_group()
        compute = self._session.compute()
        image = self._find(iid)
        if image is not None:
            self._session.wait(lambda: compute.images.begin_delete(group, name), what=f"deleting image '{name}'")
        snap = snapshot_name(name)
        with contextlib.suppress(NotFoundError):
            self._session.wait(lambda: compute.snapshots.begin_delete(group, snap), what=f"deleting snapshot {snap}")

    def _find(self, iid: IID) -> dict[str, Any] | None:
        name = _compute.name_in_group(self._session, iid, IMAGE_TYPE)
        if name is None:
            return None
        group = self._session.resource_group()
        images = self._session.compute().images
        return _compute.fetch(lambda: images.get(group, name))

    def _os_disk(self, disk_id: str) -> dict[str, Any]:
        parts = _compute.parts_of(disk_id, DISK_TYPE, self._session)
        disks = self._session.compute().disks
        disk = _compute.fetch(lambda: disks.get(parts[0], parts[1])) if parts else None
        if disk is None:
            raise DriverError(f"The OS disk of the VM ({disk_id or 'none'}) cannot be read.")
        return disk
