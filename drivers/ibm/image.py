"""Public images of the region (`GET /images?visibility=public`): IBM's stock images, found by id or name."""

from __future__ import annotations

from typing import Any

from drivers.errors import NotFoundError
from drivers.ibm._common import ID, ident
from drivers.ibm._errors import translate
from drivers.ibm._session import IBMClients, result
from drivers.types import IID, ImageInfo, ImageStatus

ARCHITECTURES = {"amd64": "x86_64", "arm64": "arm64", "s390x": "s390x"}
STATUSES = {"available": ImageStatus.AVAILABLE, "deprecated": ImageStatus.DEPRECATED}


def image_info(image: dict[str, Any]) -> ImageInfo:
    system = image.get("operating_system") or {}
    platform = "Windows" if "windows" in str(system.get("name", "")).lower() else "Linux/UNIX"
    distribution = " ".join(part for part in (str(system.get("family", "")), str(system.get("version", ""))) if part)
    return ImageInfo(
        iid=IID(name_id=str(image["name"]), system_id=str(image["id"])),
        os_architecture=ARCHITECTURES.get(str(system.get("architecture", "")), str(system.get("architecture", ""))),
        os_platform=platform,
        os_distribution=distribution or str(system.get("display_name", "")),
        os_disk_type="general-purpose",
        os_disk_size_gb=int(image.get("minimum_provisioned_size") or 0),
        status=STATUSES.get(str(image.get("status", "")), ImageStatus.UNAVAILABLE),
        extra={"os_name": str(system.get("name", "")), "display_name": str(system.get("display_name", ""))},
    )


class IBMImageHandler:
    def __init__(self, clients: IBMClients) -> None:
        self._clients = clients

    def list_images(self) -> list[ImageInfo]:
        images = self._clients.list_all(self._clients.vpc.list_images, "images", visibility="public")
        return [image_info(image) for image in images]

    def get_image(self, *, iid: IID) -> ImageInfo:
        return image_info(find_public_image(self._clients, iid))


def find_public_image(clients: IBMClients, iid: IID, *, field: str = "") -> dict[str, Any]:
    """The public image an IID names: by id, else by name (callers may give a name in both fields)."""
    wanted = ident(iid)
    if ID.fullmatch(iid.system_id):
        found = clients.get_or_none(clients.vpc.get_image, id=iid.system_id)
        if found is not None and found.get("visibility") == "public":
            return found
    for name in dict.fromkeys(name for name in (iid.name_id, iid.system_id) if name):
        with translate():
            page = result(clients.vpc.list_images(name=name, visibility="public", limit=1))
        if page.get("images"):
            return dict(page["images"][0])
    raise NotFoundError(f"Public image '{wanted}' does not exist in region '{clients.region}'.", field=field)
