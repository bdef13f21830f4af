"""Machine images (MyImage) in the mock cloud: snapshots of a VM's root disk that VMs boot from.

An image keeps what it copied from its source VM (architecture, platform, distribution, root
disk), so it outlives the VM and VMs started from it get the same system. Snapshotting takes
`settle_seconds`, during which the image is Unavailable. Like deregistering an AMI, deleting an
image does not touch the VMs started from it.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from drivers.errors import InvalidStateError, NotFoundError
from drivers.mock import _catalogue
from drivers.mock._common import Record, check_new_name, check_tags, find, get, iid_of, new_id, table, timestamp
from drivers.mock._context import Context
from drivers.mock._relations import require_settled_vm
from drivers.mock._store import Doc
from drivers.types import IID, ImageInfo, MyImageInfo, MyImageReqInfo, MyImageStatus


def my_image_status(record: Mapping[str, Any], now: float) -> MyImageStatus:
    return MyImageStatus.UNAVAILABLE if now < record["settles_at"] else MyImageStatus.AVAILABLE


def my_image_info(record: Mapping[str, Any], *, now: float) -> MyImageInfo:
    status = my_image_status(record, now)
    return MyImageInfo(
        iid=iid_of(record),
        source_vm_iid=IID(name_id=record["source_vm_name"], system_id=record["source_vm_id"]),
        status=status,
        created_at=timestamp(record["created_at"]),
        tags=record["tags"],
        extra={
            "state": "pending" if status == MyImageStatus.UNAVAILABLE else "available",
            "architecture": record["architecture"],
            "platform": record["platform"],
            "distribution": record["distribution"],
            "root_disk_type": record["root_disk_type"],
            "root_disk_size_gb": str(record["root_disk_size_gb"]),
        },
    )


def boot_image(doc: Doc, iid: IID, *, now: float) -> ImageInfo:
    """A machine image as the image a new VM boots from; it must exist and be Available."""
    record = get(table(doc, "my_images").values(), iid, what="Machine image", field="image_iid")
    if my_image_status(record, now) != MyImageStatus.AVAILABLE:
        raise InvalidStateError(
            f"Machine image '{record['name']}' is still being created; start VMs from it once it is Available.",
            field="image_iid",
        )
    return ImageInfo(
        iid=iid_of(record),
        os_architecture=record["architecture"],
        os_platform=record["platform"],
        os_distribution=record["distribution"],
        os_disk_type=record["root_disk_type"],
        os_disk_size_gb=record["root_disk_size_gb"],
    )


def _distribution(vm: Mapping[str, Any]) -> str:
    if "distribution" in vm:
        return str(vm["distribution"])
    try:  # VMs recorded before distributions were kept booted from public images
        return _catalogue.image(IID(name_id=vm["image"], system_id=vm["image"])).os_distribution
    except NotFoundError:
        return ""


class MockMyImageHandler:
    def __init__(self, cx: Context) -> None:
        self._cx = cx

    def create_my_image(self, *, req: MyImageReqInfo) -> MyImageInfo:
        self._cx.enter()
        tags = check_tags(req.tags)

        def change(doc: Doc) -> MyImageInfo:
            images = table(doc, "my_images")
            check_new_name(images.values(), req.name, what="machine image")
            vm = get(table(doc, "vms").values(), req.source_vm_iid, what="VM", field="source_vm_iid")
            now = time.time()
            require_settled_vm(vm, now, doing=f"snapshot VM '{vm['name']}'", field="source_vm_iid")
            record: Record = {
                "id": new_id("img"),
                "name": req.name,
                "source_vm_id": vm["id"],
                "source_vm_name": vm["name"],
                "architecture": vm["architecture"],
                "platform": vm["platform"],
                "distribution": _distribution(vm),
                "root_disk_type": vm["root_disk_type"],
                "root_disk_size_gb": vm["root_disk_size_gb"],
                "tags": tags,
                "created_at": now,
                "settles_at": now + self._cx.settle_seconds,
            }
            images[record["id"]] = record
            return my_image_info(record, now=now)

        return self._cx.update(change)

    def list_my_images(self) -> list[MyImageInfo]:
        self._cx.enter()
        now = time.time()
        records = sorted(table(self._cx.read(), "my_images").values(), key=lambda r: r["name"])
        return [my_image_info(record, now=now) for record in records]

    def get_my_image(self, *, iid: IID) -> MyImageInfo:
        self._cx.enter()
        record = get(table(self._cx.read(), "my_images").values(), iid, what="Machine image")
        return my_image_info(record, now=time.time())

    def delete_my_image(self, *, iid: IID) -> None:
        self._cx.enter()

        def change(doc: Doc) -> None:
            images = table(doc, "my_images")
            record = find(images.values(), iid)
            if record is not None:
                del images[record["id"]]

        self._cx.update(change)
