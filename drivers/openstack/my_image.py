"""Machine images as Nova server snapshots (createImage), kept in Glance as private images.

Glance records the source server in the snapshot's `instance_uuid` property; tags are Glance image
tags ("key=value"). A snapshot is Unavailable while Glance is still saving it.
"""

from __future__ import annotations

from typing import Any

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.openstack._common import check_name, check_tags, parse_time, pick, tags_from_strings, tags_to_strings
from drivers.openstack._errors import translate
from drivers.openstack._session import Clouds
from drivers.openstack.vm import OpenStackVMHandler
from drivers.types import IID, MyImageInfo, MyImageReqInfo, MyImageStatus

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

_STATUSES = {
    "active": MyImageStatus.AVAILABLE,
    "deleted": MyImageStatus.DELETING,
    "pending_delete": MyImageStatus.DELETING,
}


class OpenStackMyImageHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds
        self._vms = OpenStackVMHandler(clouds)

    def images(self) -> list[Any]:
        return [image for image in self._vms.my_images() if str(image.visibility) != "public"]

    def find(self, iid: IID) -> Any:
        return pick(self.images(), iid, what="Machine image", ident=lambda i: i.id, name=lambda i: i.name)

    def info(self, image: Any, servers: dict[str, str] | None = None) -> MyImageInfo:
        source = str(getattr(image, "instance_uuid", "") or image.properties.get("instance_uuid", "") or "")
        if servers is None:
            servers = {s.id: s.name for s in self._vms.servers()}
        return MyImageInfo(
            iid=IID(name_id=str(image.name or ""), system_id=str(image.id)),
            source_vm_iid=IID(name_id=servers.get(source, ""), system_id=source),
            status=_STATUSES.get(str(image.status or ""), MyImageStatus.UNAVAILABLE),
            created_at=parse_time(image.created_at),
            tags=tags_from_strings(image.tags),
            extra={"glance_status": str(image.status or ""), "visibility": str(image.visibility or "")},
        )

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        check_name(req.name)
        check_tags(req.tags)
        server = self._vms.find(req.source_vm_iid)
        if any(image.name == req.name for image in self.images()):
            raise AlreadyExistsError(f"Machine image '{req.name}' already exists.", field="name")
        with translate():
            image_id = server.create_image(self._c.compute, req.name)
            for tag in tags_to_strings(req.tags):
                self._c.image.add_tag(image_id, tag)
            image = self._c.image.get_image(image_id)
        return self.info(image, {server.id: server.name})

    def list_my_images(self) -> list[MyImageInfo]:
        servers = {s.id: s.name for s in self._vms.servers()}
        return [self.info(image, servers) for image in self.images()]

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        return self.info(self.find(iid))

    def delete_my_image(self, *, iid: IID) -> None:
        try:
            image = self.find(iid)
        except NotFoundError:
            return
        with translate():
            self._c.image.delete_image(image, ignore_missing=True)
