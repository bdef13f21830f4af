"""Machine images: CVM custom images of a VM's system disk (CreateImage, DescribeImages, DeleteImages).

CreateImage answers at once and the image is CREATING until it is NORMAL (Available). Tencent does not
record which instance an image was made from; the handler keeps it in the image's description
("spiderweb source=<instance id>"). Image names are unique per region on Tencent Cloud.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.tencent._common import find_instance, require
from drivers.tencent._session import TencentClients, tags_of
from drivers.tencent._vm_convert import parse_time
from drivers.types import IID, MyImageInfo, MyImageReqInfo, MyImageStatus

NOTES: Mapping[str, str] = {
    "my_image": "CVM custom images of the VM's system disk (made while it runs); names are unique per region.",
}

_SOURCE = re.compile(r"spiderweb source=(ins-[0-9a-z]+)")
PRIVATE = {"Name": "image-type", "Values": ["PRIVATE_IMAGE"]}


def find_my_image(clients: TencentClients, iid: IID) -> dict[str, Any] | None:
    """A custom (private) image by id or name."""
    if iid.system_id:
        filters = [PRIVATE, {"Name": "image-id", "Values": [iid.system_id]}]
    elif iid.name_id:
        filters = [PRIVATE, {"Name": "image-name", "Values": [iid.name_id]}]
    else:
        return None
    for image in clients.pages("cvm", "DescribeImages", {"Filters": filters}, "ImageSet"):
        if image["ImageId"] == iid.system_id or (not iid.system_id and image.get("ImageName") == iid.name_id):
            return dict(image)
    return None


def image_status(image: dict[str, Any]) -> MyImageStatus:
    state = str(image.get("ImageState") or "")
    if state in ("NORMAL", "USING"):
        return MyImageStatus.AVAILABLE
    if state == "DELETING":
        return MyImageStatus.DELETING
    return MyImageStatus.UNAVAILABLE


class TencentMyImageHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def _info(self, image: dict[str, Any], vm_names: dict[str, str] | None = None) -> MyImageInfo:
        found = _SOURCE.search(str(image.get("ImageDescription") or ""))
        source = found.group(1) if found else ""
        if source and vm_names is None:
            vm = find_instance(self._clients, IID(name_id="", system_id=source))
            vm_names = {source: vm["InstanceName"]} if vm else {}
        return MyImageInfo(
            iid=IID(name_id=str(image.get("ImageName") or ""), system_id=image["ImageId"]),
            source_vm_iid=IID(name_id=(vm_names or {}).get(source, source), system_id=source),
            status=image_status(image),
            created_at=parse_time(image.get("CreatedTime")),
            tags=tags_of(image.get("Tags")),
            extra={"ImageState": str(image.get("ImageState") or ""), "OsName": str(image.get("OsName") or "")},
        )

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        vm = require(find_instance(self._clients, req.source_vm_iid), "VM", req.source_vm_iid)
        if find_my_image(self._clients, IID(name_id=req.name)) is not None:
            raise AlreadyExistsError(f"Machine image '{req.name}' already exists.")
        params: dict[str, Any] = {
            "ImageName": req.name,
            "InstanceId": vm["InstanceId"],
            "ImageDescription": f"spiderweb source={vm['InstanceId']}",
        }
        if req.tags:
            tags = [{"Key": key, "Value": value} for key, value in req.tags.items()]
            params["TagSpecification"] = [{"ResourceType": "image", "Tags": tags}]
        image_id = self._clients.call("cvm", "CreateImage", params)["ImageId"]
        image = require(
            find_my_image(self._clients, IID(name_id=req.name, system_id=image_id)), "Image", req.source_vm_iid
        )
        return self._info(image, {vm["InstanceId"]: vm["InstanceName"]})

    def list_my_images(self) -> list[MyImageInfo]:
        images = list(self._clients.pages("cvm", "DescribeImages", {"Filters": [PRIVATE]}, "ImageSet"))
        vm_names = {}
        if images:
            instances = self._clients.pages("cvm", "DescribeInstances", {}, "InstanceSet")
            vm_names = {one["InstanceId"]: one["InstanceName"] for one in instances}
        return [self._info(image, vm_names) for image in images]

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        return self._info(require(find_my_image(self._clients, iid), "Machine image", iid))

    def delete_my_image(self, *, iid: IID) -> None:
        image = find_my_image(self._clients, iid)
        if image is None:
            return
        try:
            self._clients.call("cvm", "DeleteImages", {"ImageIds": [image["ImageId"]]})
        except NotFoundError:
            return
