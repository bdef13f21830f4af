"""Data disks: persistent disks in the connection's zone, where its VMs are (a disk attaches only to
VMs of its own zone). Boot disks, which Compute Engine lists as disks too, are left out of the list.
Every change is followed to its end, so the answer shows the disk as it now is."""

from __future__ import annotations

from collections.abc import Mapping

from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.errors import (
    AlreadyExistsError,
    DependencyError,
    InvalidRequestError,
    InvalidStateError,
    NotFoundError,
)
from drivers.gcp._common import last_segment, relative_path
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.gcp._vm_common import check_labels, check_name, id_filter, timestamp
from drivers.types import IID, DiskInfo, DiskReqInfo, DiskStatus

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "disk": "Persistent disks in the connection's zone (pd-balanced unless asked; Google's default size "
    "when none is given). A disk in another zone is refused. Boot disks are not listed.",
}

DISK_TYPES = frozenset(
    {"pd-standard", "pd-balanced", "pd-ssd", "pd-extreme", "hyperdisk-balanced", "hyperdisk-extreme"}
)
DEFAULT_DISK_TYPE = "pd-balanced"
STATUS = {
    "CREATING": DiskStatus.CREATING,
    "RESTORING": DiskStatus.CREATING,
    "READY": DiskStatus.AVAILABLE,
    "DELETING": DiskStatus.DELETING,
    "FAILED": DiskStatus.ERROR,
    "UNAVAILABLE": DiskStatus.ERROR,
}


def _disks(clients: GCPClients) -> compute_v1.DisksClient:
    return clients.client(compute_v1.DisksClient)


def _instances(clients: GCPClients) -> compute_v1.InstancesClient:
    return clients.client(compute_v1.InstancesClient)


def find_disk(clients: GCPClients, iid: IID) -> compute.Disk | None:
    """The disk of the connection's zone by id when the IID has one, else by name; None when absent."""
    zone = clients.zone()
    if iid.system_id:
        request = compute.ListDisksRequest(
            project=clients.project, zone=zone, filter=id_filter(iid.system_id), max_results=PAGE_SIZE
        )
        with translate():
            return next(iter(_disks(clients).list(request=request, **CALL)), None)
    if not iid.name_id:
        return None
    try:
        with translate():
            return _disks(clients).get(project=clients.project, zone=zone, disk=iid.name_id, **CALL)
    except (NotFoundError, InvalidRequestError):
        return None


def _zone_instances(clients: GCPClients) -> list[compute.Instance]:
    request = compute.ListInstancesRequest(project=clients.project, zone=clients.zone(), max_results=PAGE_SIZE)
    with translate():
        return list(_instances(clients).list(request=request, **CALL))


def disk_info(disk: compute.Disk, owners: Mapping[str, IID]) -> DiskInfo:
    status = STATUS.get(disk.status, DiskStatus.ERROR)
    owner = owners.get(relative_path(disk.users[0])) if disk.users else None
    if disk.users and owner is None:
        owner = IID(name_id=last_segment(disk.users[0]))
    if status == DiskStatus.AVAILABLE and owner is not None:
        status = DiskStatus.ATTACHED
    extra = {"status": disk.status, "self_link": disk.self_link, "source_image": disk.source_image}
    return DiskInfo(
        iid=IID(name_id=disk.name, system_id=str(disk.id)),
        status=status,
        zone=last_segment(disk.zone),
        disk_type=last_segment(disk.type_),
        disk_size_gb=int(disk.size_gb),
        owner_vm_iid=owner,
        created_at=timestamp(disk.creation_timestamp),
        tags=dict(disk.labels),
        extra={key: value for key, value in extra.items() if value},
    )


class GCPDiskHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    def create_disk(self, *, req: DiskReqInfo) -> DiskInfo:
        check_name(req.name, what="Disk")
        labels = check_labels(req.tags)
        zone = self._clients.zone()
        if req.zone and req.zone != zone:
            raise InvalidRequestError(
                f"Disks are made in the connection's zone {zone}, where its VMs are; not in {req.zone}.", field="zone"
            )
        disk_type = req.disk_type or DEFAULT_DISK_TYPE
        if disk_type not in DISK_TYPES:
            raise InvalidRequestError(
                f"Disk type '{disk_type}' is not a persistent disk type ({', '.join(sorted(DISK_TYPES))}).",
                field="disk_type",
            )
        if req.disk_size_gb < 0:
            raise InvalidRequestError("The disk size cannot be negative.", field="disk_size_gb")
        existing = find_disk(self._clients, IID(name_id=req.name))
        if existing is not None:
            raise AlreadyExistsError(f"A disk named '{req.name}' already exists ({existing.id}).", field="name")
        disk = compute.Disk(name=req.name, type_=f"zones/{zone}/diskTypes/{disk_type}", labels=labels)
        if req.disk_size_gb:
            disk.size_gb = req.disk_size_gb
        with translate():
            operation = _disks(self._clients).insert(
                project=self._clients.project, zone=zone, disk_resource=disk, **CALL
            )
        self._clients.wait(operation, what=f"creating disk '{req.name}'")
        return self.get_disk(iid=IID(name_id=req.name))

    def list_disks(self) -> list[DiskInfo]:
        request = compute.ListDisksRequest(
            project=self._clients.project, zone=self._clients.zone(), max_results=PAGE_SIZE
        )
        with translate():
            disks = list(_disks(self._clients).list(request=request, **CALL))
        instances = _zone_instances(self._clients) if any(disk.users for disk in disks) else []
        boot = {relative_path(d.source) for instance in instances for d in instance.disks if d.boot}
        owners = _owners(instances)
        infos = [disk_info(disk, owners) for disk in disks if relative_path(disk.self_link) not in boot]
        return sorted(infos, key=lambda info: info.iid.name_id)

    def get_disk(self, *, iid: IID) -> DiskInfo:
        return self._info(self._get(iid))

    def delete_disk(self, *, iid: IID) -> None:
        disk = find_disk(self._clients, iid)
        if disk is None:
            return
        if disk.users:
            raise DependencyError(
                f"Disk '{disk.name}' is attached to VM '{last_segment(disk.users[0])}'; detach it first."
            )
        try:
            with translate():
                operation = _disks(self._clients).delete(
                    project=self._clients.project, zone=self._clients.zone(), disk=disk.name, **CALL
                )
            self._clients.wait(operation, what=f"deleting disk '{disk.name}'")
        except NotFoundError:
            return

    def resize_disk(self, *, iid: IID, size_gb: int) -> DiskInfo:
        disk = self._get(iid)
        if isinstance(size_gb, bool) or not isinstance(size_gb, int) or size_gb < int(disk.size_gb):
            raise InvalidRequestError(
                f"Disk '{disk.name}' has {disk.size_gb} GB; it can only grow, not become {size_gb!r} GB.",
                field="size_gb",
            )
        if size_gb == int(disk.size_gb):
            return self._info(disk)
        with translate(field="size_gb"):
            operation = _disks(self._clients).resize(
                project=self._clients.project,
                zone=self._clients.zone(),
                disk=disk.name,
                disks_resize_request_resource=compute.DisksResizeRequest(size_gb=size_gb),
                **CALL,
            )
        self._clients.wait(operation, what=f"resizing disk '{disk.name}'", field="size_gb")
        return self.get_disk(iid=IID(name_id=disk.name))

    def attach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        from drivers.gcp.vm import GCPVMHandler

        disk = self._get(iid)
        instance = GCPVMHandler(self._clients).get(vm_iid, field="vm_iid")
        if disk.users:
            raise InvalidStateError(
                f"Disk '{disk.name}' is already attached to VM '{last_segment(disk.users[0])}'.", field="iid"
            )
        attached = compute.AttachedDisk(source=disk.self_link, device_name=disk.name, auto_delete=False)
        with translate():
            operation = _instances(self._clients).attach_disk(
                project=self._clients.project,
                zone=self._clients.zone(),
                instance=instance.name,
                attached_disk_resource=attached,
                **CALL,
            )
        self._clients.wait(operation, what=f"attaching disk '{disk.name}' to VM '{instance.name}'")
        return self.get_disk(iid=IID(name_id=disk.name))

    def detach_disk(self, *, iid: IID, vm_iid: IID) -> DiskInfo:
        from drivers.gcp.vm import GCPVMHandler

        disk = self._get(iid)
        instance = GCPVMHandler(self._clients).get(vm_iid, field="vm_iid")
        device = next(
            (d.device_name for d in instance.disks if relative_path(d.source) == relative_path(disk.self_link)), ""
        )
        if not device:
            raise InvalidStateError(f"Disk '{disk.name}' is not attached to VM '{instance.name}'.", field="iid")
        with translate():
            operation = _instances(self._clients).detach_disk(
                project=self._clients.project,
                zone=self._clients.zone(),
                instance=instance.name,
                device_name=device,
                **CALL,
            )
        self._clients.wait(operation, what=f"detaching disk '{disk.name}' from VM '{instance.name}'")
        return self.get_disk(iid=IID(name_id=disk.name))

    def _get(self, iid: IID) -> compute.Disk:
        disk = find_disk(self._clients, iid)
        if disk is None:
            raise NotFoundError(f"Disk '{iid.system_id or iid.name_id}' does not exist.", field="iid")
        return disk

    def _info(self, disk: compute.Disk) -> DiskInfo:
        owners: dict[str, IID] = {}
        if disk.users:
            parts = relative_path(disk.users[0]).split("/")
            try:
                with translate():
                    instance = _instances(self._clients).get(
                        project=parts[1], zone=parts[3], instance=parts[-1], **CALL
                    )
                owners = _owners([instance])
            except NotFoundError:
                pass  # the VM is going away: it is named without its id
        return disk_info(disk, owners)


def _owners(instances: list[compute.Instance]) -> dict[str, IID]:
    return {relative_path(i.self_link): IID(name_id=i.name, system_id=str(i.id)) for i in instances}
