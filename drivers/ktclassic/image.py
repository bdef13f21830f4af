"""Public images: the templates of the products KT Cloud sells in the zone (`listAvailableProductTypes`).

A product is a template, a service offering and a disk offering together; the templates of the
zone's available products are its public images. An image's IID is the template id; its
description ("Ubuntu 20.04 64bit") is its distribution and also finds it by name.
"""

from __future__ import annotations

from typing import Any

from drivers.ktclassic._client import KTClient
from drivers.ktclassic._common import find
from drivers.types import IID, ImageInfo

# Root disk sizes KT Cloud gives a VM of a public image (CB-Spider's KT Classic VM handler).
LINUX_ROOT_GB = 20
WINDOWS_ROOT_GB = 50


def products(client: KTClient) -> list[dict[str, Any]]:
    """The zone's products that can be ordered."""
    items = client.listing("listAvailableProductTypes", "producttypes", {"zoneid": client.zone_id})
    return [item for item in items if str(item.get("productstate", "available")).lower() == "available"]


def is_windows(description: str) -> bool:
    return description.upper().startswith("WIN")


def _image(template_id: str, description: str) -> ImageInfo:
    windows = is_windows(description)
    return ImageInfo(
        iid=IID(name_id=template_id, system_id=template_id),
        os_architecture="arm64" if "arm" in description.lower() else "x86_64",
        os_platform="Windows" if windows else "Linux/UNIX",
        os_distribution=description,
        os_disk_type="HDD",
        os_disk_size_gb=WINDOWS_ROOT_GB if windows else LINUX_ROOT_GB,
        extra={"description": description},
    )


def public_images(client: KTClient) -> list[ImageInfo]:
    seen: dict[str, ImageInfo] = {}
    for product in products(client):
        template_id = str(product.get("templateid", ""))
        if template_id and template_id not in seen:
            seen[template_id] = _image(template_id, str(product.get("templatedesc", "")))
    return list(seen.values())


class KTImageHandler:
    def __init__(self, client: KTClient) -> None:
        self._client = client

    def list_images(self) -> list[ImageInfo]:
        return public_images(self._client)

    def get_image(self, *, iid: IID) -> ImageInfo:
        images = public_images(self._client)
        return find(
            images, iid, lambda image: (image.os_distribution, image.iid.system_id), what="Image", field="image"
        )
