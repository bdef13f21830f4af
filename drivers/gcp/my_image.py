"""My images: Compute Engine machine images, taken from a VM with `machineImages.insert` and its
`sourceInstance`. A machine image holds the whole VM (every disk, machine type, metadata), not just
the boot disk, and is taken from a running VM without stopping it. Machine images are global to the
project. Taking one lasts minutes, so creating returns at once with the image still Unavailable;
deleting is followed to its end.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.cloud import compute_v1
from google.cloud.compute_v1.types import compute

from drivers.errors import AlreadyExistsError, InvalidRequestError, NotFoundError
from drivers.gcp._common import last_segment, relative_path
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.gcp._vm_common import check_labels, check_name, id_filter, timestamp
from drivers.types import IID, MyImageInfo, MyImageReqInfo, MyImageStatus

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: Mapping[str, str] = {
    "my_image": "Machine images (the whole VM: all its disks and settings), global to the project; VMs boot "
    "from them with their disks, so a VM from one takes no root disk type or size.",
}

STATUS = {
    "CREATING": MyImageStatus.UNAVAILABLE,
    "UPLOADING": MyImageStatus.UNAVAILABLE,
    "READY": MyImageStatus.AVAILABLE,
    "DELETING": MyImageStatus.DELETING,
    "INVALID": MyImageStatus.UNAVAILABLE,
}


def _images(clients: GCPClients) -> compute_v1.MachineImagesClient:
    return clients.client(compute_v1.MachineImagesClient)


def find_machine_image(clients: GCPClients, iid: IID) -> compute.MachineImage | None:
    """The machine image by id when the IID has one, else by name; None when absent."""
    if iid.system_id:
        request = compute.ListMachineImagesRequest(
            project=clients.project, filter=id_filter(iid.system_id), max_results=PAGE_SIZE
        )
        with translate():
            return next(iter(_images(clients).list(request=request, **CALL)), None)
    if not iid.name_id:
        return None
    try:
        with translate():
            return _images(clients).get(project=clients.project, machine_image=iid.name_id, **CALL)
    except (NotFoundError, InvalidRequestError):
        return None


class GCPMyImageHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        from drivers.gcp.vm import GCPVMHandler

        check_name(req.name, what="Machine image")
        labels = check_labels(req.tags)
        if find_machine_image(self._clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"A machine image named '{req.name}' already exists.", field="name")
        instance = GCPVMHandler(self._clients).get(req.source_vm_iid, field="source_vm_iid")
        image = compute.MachineImage(name=req.name, source_instance=instance.self_link, labels=labels)
        with translate():
            operation = _images(self._clients).insert(
                project=self._clients.project, machine_image_resource=image, **CALL
            )
        # The operation names the new image's id; the image exists (CREATING) from now on.
        return MyImageInfo(
            iid=IID(name_id=req.name, system_id=str(operation.target_id)),
            source_vm_iid=IID(name_id=instance.name, system_id=str(instance.id)),
            status=MyImageStatus.UNAVAILABLE,
            tags=labels,
            extra={"status": "CREATING"},
        )

    def list_my_images(self) -> list[MyImageInfo]:
        request = compute.ListMachineImagesRequest(project=self._clients.project, max_results=PAGE_SIZE)
        with translate():
            images = list(_images(self._clients).list(request=request, **CALL))
        sources = self._sources(images)
        return sorted((machine_image_info(image, sources) for image in images), key=lambda info: info.iid.name_id)

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        image = find_machine_image(self._clients, iid)
        if image is None:
            raise NotFoundError(f"Machine image '{iid.system_id or iid.name_id}' does not exist.", field="iid")
        return machine_image_info(image, self._sources([image]))

    def delete_my_image(self, *, iid: IID) -> None:
        image = find_machine_image(self._clients, iid)
        if image is None:
            return
        try:
            with translate():
                operation = _images(self._clients).delete(
                    project=self._clients.project, machine_image=image.name, **CALL
                )
            self._clients.wait(operation, what=f"deleting machine image '{image.name}'")
        except NotFoundError:
            return

    def _sources(self, images: list[compute.MachineImage]) -> dict[str, IID]:
        """The source VMs that still exist in the connection's zone, by path (their ids)."""
        if not any(image.source_instance for image in images):
            return {}
        request = compute.ListInstancesRequest(
            project=self._clients.project, zone=self._clients.zone(), max_results=PAGE_SIZE
        )
        with translate():
            instances = self._clients.client(compute_v1.InstancesClient).list(request=request, **CALL)
            return {relative_path(i.self_link): IID(name_id=i.name, system_id=str(i.id)) for i in instances}


def machine_image_info(image: compute.MachineImage, sources: Mapping[str, IID]) -> MyImageInfo:
    source = sources.get(relative_path(image.source_instance), IID(name_id=last_segment(image.source_instance)))
    extra = {
        "status": image.status,
        "self_link": image.self_link,
        "storage_locations": ",".join(image.storage_locations),
        "total_storage_bytes": str(image.total_storage_bytes or ""),
    }
    return MyImageInfo(
        iid=IID(name_id=image.name, system_id=str(image.id)),
        source_vm_iid=source,
        status=STATUS.get(image.status, MyImageStatus.UNAVAILABLE),
        created_at=timestamp(image.creation_timestamp),
        tags=dict(image.labels),
        extra={key: value for key, value in extra.items() if value},
    )
