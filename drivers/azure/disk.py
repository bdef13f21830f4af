"""Disks are Azure managed disks in the connection's resource group (default StandardSSD_LRS, 32 GB),
made in the request's zone, else the connection's, else none (the region stands for "no zone").

States come from `diskState`: Unattached (and the upload/export states) → Available, Attached or
Reserved → Attached; a disk being created → Creating, being deleted → Deleting, failed → Error.
Attach and detach go through the VM's attachDetachDataDisks operation (a data disk at the lowest free
LUN) and wait for it, so the answer shows where the disk ends up. Resize only grows, and Azure resizes
an attached disk only in some cases (most data disk types while running; otherwise the VM must be
deallocated): its refusal is an invalid-state error. `list_disks` shows VMs' OS disks too, as Azure does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.mgmt.compute.models import AttachDetachDataDisksRequest, Disk, DiskUpdate

from drivers.azure import _compute
from drivers.azure._compute import DISK_TYPE
from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.azure._vpc_checks import check_name, check_tags, user_tags
from drivers.azure.vm import AzureVMHandler
from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
)
from drivers.types import IID, DiskInfo, DiskReqInfo, DiskStatus

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "disk": (
        "Azure managed disks (default StandardSSD_LRS, 32 GB). Azure resizes an attached disk only in some cases "
        "(otherwise deallocate the VM first); an OS disk is listed with the VM's name."
    ),
}

DISK_TYPES = (
    "Standard_LRS",
    "StandardSSD_LRS",
    "StandardSSD_ZRS",
    "Premium_LRS",
    "Premium_ZRS",
    "PremiumV2_LRS",
    "UltraSSD_LRS",
)
DEFAULT_TYPE = "StandardSSD_LRS"
DEFAULT_SIZE_GB = 32
MAX_SIZE_GB = 32767
DISK_NAME_MAX = 80
MAX_LUN = 63

_STATES = {
    "unattached": DiskStatus.AVAILABLE,
    "attached": DiskStatus.ATTACHED,
    "reserved": DiskStatus.ATTACHED,
    "activesas": DiskStatus.AVAILABLE,
    "activesasfrozen": DiskStatus.AVAILABLE,
    "frozen": DiskStatus.AVAILABLE,
    "readytoupload": DiskStatus.AVAILABLE,
    "activeupload": DiskStatus.AVAILABLE,
}


def status_of(disk: Mapping[str, Any]) -> DiskStatus:
    props = disk.get("properties") or {}
    provisioning = str(props.get("provisioningState", "")).lower()
    if provisioning == "deleting":
        return DiskStatus.DELETING
    if provisioning == "failed":
        return DiskStatus.ERROR
    if provisioning == "creating" or not props.get("diskState"):
        return DiskStatus.CREATING
    return _STATES.get(str(props["diskState"]).lower(), DiskStatus.ERROR)


def disk_info(disk: Mapping[str, Any], *, region: str) -> DiskInfo:
    props = disk.get("properties") or {}
    owner = str(disk.get("managedBy") or "")
    extra = {
        "disk_state": str(props.get("diskState", "")),
        "provisioning_state": str(props.get("provisioningState", "")),
        "os_type": str(props.get("osType", "")),
        "iops": str(props.get("diskIOPSReadWrite", "")),
        "mbps": str(props.get("diskMBpsReadWrite", "")),
        "tier": str(props.get("tier", "")),
    }
    return DiskInfo(
        iid=_compute.iid_of(disk),
        status=status_of(disk),
        zone=_compute.zone_of(disk, region),
        disk_type=str((disk.get("sku") or {}).get("name", "")),
        disk_size_gb=int(props.get("diskSizeGB") or 0),
        owner_vm_iid=_compute.ref_iid(owner) if owner else None,
        created_at=_compute.parse_time(props.get("timeCreated")),
        tags=user_tags(disk.get("tags")),
        extra={key: value for key, value in extra.items() if value},
    )


class AzureDiskHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        check_name(req.name, what="disk", limit=DISK_NAME_MAX)
        tags = check_tags(req.tags)
        disk_type = req.disk_type or DEFAULT_TYPE
        if disk_type not in DISK_TYPES:
            raise InvalidRequestError(
                f"Disk type '{disk_type}' is not an Azure managed disk type ({', '.join(DISK_TYPES)}).",
                field="disk_type",
            )
        size = self._check_size(req.disk_size_gb or DEFAULT_SIZE_GB, field="disk_size_gb")
        zones = _compute.zones_for(self._session, req.zone, field="zone")
        if not zones and disk_type.lower() in _compute.UNCACHED_ZONAL_TYPES:
            raise InvalidRequestError(
                f"A {disk_type} disk lives in an availability zone: give a zone (1, 2 or 3), or give the "
                "connection one.",
                field="zone",
            )
        group = self._session.resource_group()
        existing = self.find(IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(f"A disk named '{req.name}' already exists ({existing['id']}).", field="name")
        body: dict[str, Any] = {
            "location": self._session.region,
            "sku": {"name": disk_type},
            "tags": tags,
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": size},
        }
        if zones:
            body["zones"] = zones
        disks = self._session.compute().disks
        disk = self._session.wait(
            lambda: disks.begin_create_or_update(group, req.name, Disk(body)), what=f"creating disk '{req.name}'"
        )
        return disk_info(disk.as_dict(), region=self._session.region)

    def list_disks(self) -> list[DiskInfo]:
        group = self._session.resource_group()
        with translate():
            disks = [disk.as_dict() for disk in self._session.compute().disks.list_by_resource_group(group)]
        return sorted((disk_info(d, region=self._session.region) for d in disks), key=lambda i: i.iid.name_id)

    def get_disk(self, *, iid: IID) -> DiskInfo:
        return disk_info(self.get(iid), region=self._session.region)

    def delete_disk(self, *, iid: IID) -> None:
        disk = self.find(iid)
        if disk is None:
            return
        if disk.get("managedBy"):
            owner = _compute.ref_iid(str(disk["managedBy"])).name_id
            raise DependencyError(f"Disk '{disk['name']}' is attached to VM '{owner}'; detach it first.")
        group, name = self._session.resource_group(), str(disk["name"])
        disks = self._session.compute().disks
        self._session.wait(lambda: disks.begin_delete(group, name), what=f"deleting disk '{name}'")

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        disk = self.get(iid)
        size = self._check_size(size_gb, field="size_gb")
        current = int((disk.get("properties") or {}).get("diskSizeGB") or 0)
        if size < current:
            raise InvalidRequestError(
                f"Disk '{disk['name']}' is {current} GB; disks only grow, not shrink to {size} GB.", field="size_gb"
            )
        if size == current:
            return disk_info(disk, region=self._session.region)  # a retried resize succeeds
        group, name = self._session.resource_group(), str(disk["name"])
        disks = self._session.compute().disks
        try:
            resized = self._session.wait(
                lambda: disks.begin_update(group, name, DiskUpdate({"properties": {"diskSizeGB": size}})),
                what=f"resizing disk '{name}'",
            )
        except InvalidStateError as exc:
            raise InvalidStateError(
                f"Azure does not resize disk '{name}' while it is attached this way; deallocate (suspend) its VM "
                "and retry.",
                provider_message=exc.provider_message,
                field="size_gb",
            ) from exc
        return disk_info(resized.as_dict(), region=self._session.region)

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        disk = self.get(iid)
        vm = AzureVMHandler(self._session).get(vm_iid, field="vm_iid")
        owner = str(disk.get("managedBy") or "")
        if owner:
            whom = "this VM" if owner.lower() == str(vm["id"]).lower() else f"VM '{_compute.ref_iid(owner).name_id}'"
            raise InvalidStateError(f"Disk '{disk['name']}' is already attached to {whom}.", field="iid")
        if status_of(disk) != DiskStatus.AVAILABLE:
            raise InvalidStateError(f"Disk '{disk['name']}' is {status_of(disk)}; attach it when Available.")
        region = self._session.region
        if _compute.zone_of(disk, region) != _compute.zone_of(vm, region):
            raise InvalidRequestError(
                f"Disk '{disk['name']}' is in zone {_compute.zone_of(disk, region)} but VM '{vm['name']}' is in "
                f"{_compute.zone_of(vm, region)}; a disk attaches only to VMs of its zone.",
                field="iid",
            )
        data_disks = ((vm.get("properties") or {}).get("storageProfile") or {}).get("dataDisks") or []
        free = sorted(set(range(MAX_LUN + 1)) - {int(d.get("lun", 0)) for d in data_disks})
        if not free:
            raise InvalidStateError(f"VM '{vm['name']}' has no free LUN left.", field="vm_iid")
        attach: dict[str, Any] = {"diskId": str(disk["id"]), "lun": free[0]}
        if _compute.no_host_caching(disk):
            attach["caching"] = "None"  # Azure's default for a premium type would be ReadOnly, which it refuses
        change = {"dataDisksToAttach": [attach]}
        self._change(str(vm["name"]), change, what=f"attaching disk '{disk['name']}'")
        return self.get_disk(iid=_compute.iid_of(disk))

    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        disk = self.get(iid)
        vm = AzureVMHandler(self._session).get(vm_iid, field="vm_iid")
        owner = str(disk.get("managedBy") or "")
        if owner.lower() != str(vm["id"]).lower():
            where = f" (it is attached to VM '{_compute.ref_iid(owner).name_id}')" if owner else ""
            raise InvalidStateError(f"Disk '{disk['name']}' is not attached to VM '{vm['name']}'{where}.")
        change = {"dataDisksToDetach": [{"diskId": str(disk["id"])}]}
        self._change(str(vm["name"]), change, what=f"detaching disk '{disk['name']}'")
        return self.get_disk(iid=_compute.iid_of(disk))

    # --- shared -----------------------------------------------------------------------------------------

    def find(self, iid: IID) -> dict[str, Any] | None:
        name = _compute.name_in_group(self._session, iid, DISK_TYPE)
        if name is None:
            return None
        group = self._session.resource_group()
        disks = self._session.compute().disks
        return _compute.fetch(lambda: disks.get(group, name))

    def get(self, iid: IID) -> dict[str, Any]:
        disk = self.find(iid)
        if disk is None:
            raise NotFoundError(f"Disk '{iid.system_id or iid.name_id}' does not exist.")
        return disk

    def _change(self, vm_name: str, change: dict[str, Any], *, what: str) -> None:
        group = self._session.resource_group()
        vms = self._session.compute().virtual_machines
        self._session.wait(
            lambda: vms.begin_attach_detach_data_disks(group, vm_name, AttachDetachDataDisksRequest(change)),
            what=what,
        )

    @staticmethod
    def _check_size(size: Any, *, field: str) -> int:
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE_GB:
            raise InvalidRequestError(f"Disk size must be a whole number of GB from 1 to {MAX_SIZE_GB}.", field=field)
        return size
