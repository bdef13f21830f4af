"""Custom images made from a VM (ECS CreateImage, which snapshots all of the instance's disks).
ECS does not keep which instance an image came from, so the driver writes it into the image's
description ("Created by Spiderweb from ECS instance i-…") and reads it back from there. An image
is deleted with Force, so the VMs already started from it keep running, as on other clouds."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from drivers.alibaba._common import tag_params, tags_of
from drivers.alibaba._session import AlibabaClients, dig
from drivers.alibaba.vm import find_instance
from drivers.errors import AlreadyExistsError, NotFoundError
from drivers.types import IID, MyImageInfo, MyImageReqInfo, MyImageStatus

OFFERED = True
UNSUPPORTED: frozenset[str] = frozenset()
NOTES: dict[str, str] = {}

PAGE = 100
_SOURCE = re.compile(r"ECS instance (i-[0-9a-z]+)(?: \((.*)\))?")
STATUS = {
    "Available": MyImageStatus.AVAILABLE,
    "Creating": MyImageStatus.UNAVAILABLE,
    "Waiting": MyImageStatus.UNAVAILABLE,
    "UnAvailable": MyImageStatus.UNAVAILABLE,
    "CreateFailed": MyImageStatus.UNAVAILABLE,
    "Deprecated": MyImageStatus.UNAVAILABLE,
}


def find_my_image(clients: AlibabaClients, iid: IID) -> dict[str, Any]:
    params: dict[str, Any] = {"RegionId": clients.region, "ImageOwnerAlias": "self", "PageSize": PAGE}
    if iid.system_id:
        params["ImageId"] = iid.system_id
    else:
        params["ImageName"] = iid.name_id
    body = clients.rpc("ecs", "DescribeImages", params)
    for image in dig(body, "Images", "Image"):
        if image.get("ImageId") == iid.system_id or (not iid.system_id and image.get("ImageName") == iid.name_id):
            return dict(image)
    raise NotFoundError(f"Image '{iid.system_id or iid.name_id}' does not exist in {clients.region}.")


def _info(image: dict[str, Any]) -> MyImageInfo:
    match = _SOURCE.search(str(image.get("Description") or ""))
    source = IID(name_id=match.group(2) or "", system_id=match.group(1)) if match else IID(name_id="")
    created = None
    try:
        created = datetime.strptime(str(image.get("CreationTime", "")), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        created = None
    return MyImageInfo(
        iid=IID(name_id=str(image.get("ImageName", "")), system_id=str(image.get("ImageId", ""))),
        source_vm_iid=source,
        status=STATUS.get(str(image.get("Status", "")), MyImageStatus.UNAVAILABLE),
        created_at=created,
        tags=tags_of(image),
        extra={"Status": str(image.get("Status", "")), "Progress": str(image.get("Progress", ""))},
    )


class AlibabaMyImageHandler:
    def __init__(self, clients: AlibabaClients) -> None:
        self._clients = clients

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        instance = find_instance(self._clients, req.source_vm_iid)
        try:
            find_my_image(self._clients, IID(name_id=req.name))
        except NotFoundError:
            pass
        else:
            raise AlreadyExistsError(f"An image named '{req.name}' already exists in {self._clients.region}.")
        instance_id = str(instance["InstanceId"])
        description = f"Created by Spiderweb from ECS instance {instance_id} ({instance.get('InstanceName', '')})"
        body = self._clients.rpc(
            "ecs",
            "CreateImage",
            {
                "RegionId": self._clients.region,
                "InstanceId": instance_id,
                "ImageName": req.name,
                "Description": description,
                "Tag": tag_params(req.tags),
            },
        )
        return self.get_my_image(iid=IID(name_id=req.name, system_id=str(body["ImageId"])))

    def list_my_images(self) -> list[MyImageInfo]:
        images = self._clients.pages(
            "ecs",
            "DescribeImages",
            {"RegionId": self._clients.region, "ImageOwnerAlias": "self"},
            items=lambda body: dig(body, "Images", "Image"),
            page_size=PAGE,
        )
        return [_info(image) for image in images]

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        return _info(find_my_image(self._clients, iid))

    def delete_my_image(self, *, iid: IID) -> None:
        try:
            image = find_my_image(self._clients, iid)
        except NotFoundError:
            return
        self._clients.rpc(
            "ecs", "DeleteImage", {"RegionId": self._clients.region, "ImageId": image["ImageId"], "Force": True}
        )
