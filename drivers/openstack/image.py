"""Public images from Glance (visibility public), described by their common image properties."""

from __future__ import annotations

from typing import Any

from drivers.errors import NotFoundError
from drivers.openstack._errors import translate
from drivers.openstack._session import Clouds
from drivers.types import IID, ImageInfo, ImageStatus

_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


def platform(image: Any) -> str:
    os_type = str(getattr(image, "os_type", "") or "").lower()
    distro = str(getattr(image, "os_distro", "") or "").lower()
    return "Windows" if "windows" in (os_type, distro) else "Linux/UNIX"


def architecture(image: Any) -> str:
    return _ARCH.get(str(getattr(image, "architecture", "") or "").lower(), "x86_64")


def to_info(image: Any) -> ImageInfo:
    distro = " ".join(str(v) for v in (getattr(image, "os_distro", ""), getattr(image, "os_version", "")) if v)
    status = str(image.status or "")
    return ImageInfo(
        iid=IID(name_id=str(image.name or image.id), system_id=str(image.id)),
        os_architecture=architecture(image),
        os_platform=platform(image),
        os_distribution=distro or str(image.name or ""),
        os_disk_type=str(getattr(image, "disk_format", "") or ""),
        os_disk_size_gb=int(image.min_disk or 0),
        status=ImageStatus.AVAILABLE if status == "active" else ImageStatus.UNAVAILABLE,
        extra={"visibility": str(image.visibility or ""), "status": status},
    )


class OpenStackImageHandler:
    def __init__(self, clouds: Clouds) -> None:
        self._c = clouds

    def public(self) -> list[Any]:
        with translate():
            return list(self._c.image.images(visibility="public"))

    def find(self, iid: IID) -> Any:
        """A public image by id, else by exact name (callers may pass the name as the id too)."""
        images = self.public()
        for image in images:
            if iid.system_id and image.id == iid.system_id:
                return image
        for image in images:
            if iid.name_id and iid.name_id in (image.name, image.id):
                return image
        raise NotFoundError(f"Image '{iid.system_id or iid.name_id}' does not exist.", field="image_iid")

    def list_images(self) -> list[ImageInfo]:
        return [to_info(image) for image in self.public()]

    def get_image(self, *, iid: IID) -> ImageInfo:
        return to_info(self.find(iid))
