"""Public images of the region (CVM DescribeImages with image-type PUBLIC_IMAGE)."""

from __future__ import annotations

from typing import Any

from drivers.errors import NotFoundError
from drivers.tencent._session import TencentClients
from drivers.types import IID, ImageInfo, ImageStatus

PUBLIC = [{"Name": "image-type", "Values": ["PUBLIC_IMAGE"]}]


def architecture(value: str) -> str:
    """Tencent's x86_64/arm as x86_64/arm64."""
    return "arm64" if value.lower() in ("arm", "arm64", "aarch64") else "x86_64"


def image_info(image: dict[str, Any]) -> ImageInfo:
    platform = str(image.get("Platform") or "")
    state = image.get("ImageState")
    return ImageInfo(
        iid=IID(name_id=image["ImageId"], system_id=image["ImageId"]),
        os_architecture=architecture(str(image.get("Architecture") or "")),
        os_platform="Windows" if platform.lower() == "windows" else "Linux/UNIX",
        os_distribution=str(image.get("OsName") or image.get("ImageName") or ""),
        os_disk_type="CLOUD_BSSD",
        os_disk_size_gb=int(image.get("ImageSize") or 0),
        status=ImageStatus.AVAILABLE if state == "NORMAL" else ImageStatus.UNAVAILABLE,
        extra={"ImageName": str(image.get("ImageName") or ""), "Platform": platform},
    )


def find_public_image(clients: TencentClients, iid: IID) -> dict[str, Any]:
    """A public image by id (Tencent images have ids only; names are descriptions)."""
    image_id = iid.system_id or iid.name_id
    if not image_id.startswith("img-"):
        raise NotFoundError(f"Image '{image_id}' does not exist (Tencent image ids look like img-xxxxxxxx).")
    filters = [*PUBLIC, {"Name": "image-id", "Values": [image_id]}]
    found = list(clients.pages("cvm", "DescribeImages", {"Filters": filters}, "ImageSet"))
    if not found:
        raise NotFoundError(f"Public image '{image_id}' does not exist in region {clients.region}.")
    return dict(found[0])


class TencentImageHandler:
    def __init__(self, clients: TencentClients) -> None:
        self._clients = clients

    def list_images(self) -> list[ImageInfo]:
        return [
            image_info(image) for image in self._clients.pages("cvm", "DescribeImages", {"Filters": PUBLIC}, "ImageSet")
        ]

    def get_image(self, *, iid: IID) -> ImageInfo:
        return image_info(find_public_image(self._clients, iid))
