"""Public images: the latest image of each family in the operating systems' own projects.

Google publishes images in one project per OS (debian-cloud, ubuntu-os-cloud...), a new one every
few weeks, and deprecates the previous ones; a family always points at the newest. The list keeps
one image per family, the newest that is READY and not deprecated. Images are global, so the
connection's region does not narrow them. An image is named by its path
`projects/<project>/global/images/<name>`; `get_image` also takes a family path
(`projects/<project>/global/images/family/<family>`), a URL of either, or a bare image name whose
prefix gives away its project (debian-12-bookworm-v20240110).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from google.cloud.compute_v1.types import compute

from drivers.errors import InvalidRequestError, NotFoundError
from drivers.gcp._common import architecture, relative_path
from drivers.gcp._errors import translate
from drivers.gcp._session import CALL, PAGE_SIZE, GCPClients
from drivers.types import IID, ImageInfo, ImageStatus

# The projects whose images are listed, each with the name prefixes of its images.
PUBLIC_PROJECTS: dict[str, tuple[str, ...]] = {
    "debian-cloud": ("debian-",),
    "ubuntu-os-cloud": ("ubuntu-",),
    "rocky-linux-cloud": ("rocky-linux-",),
    "almalinux-cloud": ("almalinux-",),
    "rhel-cloud": ("rhel-",),
    "centos-cloud": ("centos-",),
    "cos-cloud": ("cos-",),
    "suse-cloud": ("sles-",),
    "opensuse-cloud": ("opensuse-",),
    "fedora-coreos-cloud": ("fedora-coreos-",),
    "windows-cloud": ("windows-server-",),
}

MAX_PARALLEL = 6
_IMAGE_PATH = re.compile(r"^projects/(?P<project>[^/]+)/global/images/(?:family/(?P<family>[^/]+)|(?P<name>[^/]+))$")
_GONE = frozenset({"DEPRECATED", "OBSOLETE", "DELETED"})


def image_path(project: str, name: str) -> str:
    return f"projects/{project}/global/images/{name}"


def project_of(image: compute.Image) -> str:
    match = _IMAGE_PATH.match(relative_path(image.self_link))
    return match.group("project") if match else ""


def image_info(image: compute.Image) -> ImageInfo:
    project = project_of(image)
    path = image_path(project, image.name) if project else image.name
    windows = any(feature.type_ == "WINDOWS" for feature in image.guest_os_features) or project == "windows-cloud"
    extra = {
        "project": project,
        "family": image.family,
        "id": str(image.id) if image.id else "",
        "created": image.creation_timestamp,
        "status": image.status,
        "deprecated": image.deprecated.state if "deprecated" in image else "",
        "storage_locations": ",".join(image.storage_locations),
    }
    return ImageInfo(
        iid=IID(name_id=path, system_id=path),
        os_architecture=architecture(image.architecture),
        os_platform="Windows" if windows else "Linux/UNIX",
        os_distribution=image.description or image.family or image.name,
        os_disk_size_gb=int(image.disk_size_gb or 0),
        status=_status(image),
        extra={key: value for key, value in extra.items() if value},
    )


def _status(image: compute.Image) -> ImageStatus:
    if image.status != "READY":
        return ImageStatus.UNAVAILABLE
    state = image.deprecated.state if "deprecated" in image else ""
    if state == "DEPRECATED":
        return ImageStatus.DEPRECATED
    if state in _GONE:
        return ImageStatus.UNAVAILABLE
    return ImageStatus.AVAILABLE


def latest_per_family(images: list[compute.Image]) -> list[compute.Image]:
    """The newest READY, not deprecated image of each family (images without one are left out)."""
    newest: dict[str, compute.Image] = {}
    for image in images:
        if not image.family or _status(image) != ImageStatus.AVAILABLE:
            continue
        current = newest.get(image.family)
        # RFC 3339 stamps of one project share their offset, so they sort as text; the name breaks ties.
        if current is None or (image.creation_timestamp, image.name) > (current.creation_timestamp, current.name):
            newest[image.family] = image
    return list(newest.values())


class GCPImageHandler:
    def __init__(self, clients: GCPClients) -> None:
        self._clients = clients

    def list_images(self) -> list[ImageInfo]:
        first, *others = PUBLIC_PROJECTS
        # The first call alone fetches the access token; the others, side by side, then share it.
        per_project = [self._project_images(first)]
        with ThreadPoolExecutor(max_workers=MAX_PARALLEL) as pool:
            per_project.extend(pool.map(self._project_images, others))
        infos = [image_info(image) for images in per_project for image in latest_per_family(images)]
        return sorted(infos, key=lambda info: info.iid.name_id)

    def get_image(self, *, iid: IID) -> ImageInfo:
        wanted = (iid.system_id or iid.name_id).strip()
        project, name, family = self._locate(wanted)
        images = self._clients.images()
        try:
            with translate(field="iid"):
                if family:
                    image = images.get_from_family(project=project, family=family, **CALL)
                else:
                    image = images.get(project=project, image=name, **CALL)
        except InvalidRequestError as exc:
            # A malformed name names no image; to the caller that is the same as an unknown one.
            raise NotFoundError(
                f"Image '{wanted}' does not exist.", provider_message=exc.provider_message, field="iid"
            ) from exc
        return image_info(image)

    def _locate(self, wanted: str) -> tuple[str, str, str]:
        """(project, image name, family) of an image path, URL or bare public image name."""
        match = _IMAGE_PATH.match(relative_path(wanted))
        if match:
            return match.group("project"), match.group("name") or "", match.group("family") or ""
        if "/" not in wanted:
            for project, prefixes in PUBLIC_PROJECTS.items():
                if wanted.startswith(prefixes):
                    return project, wanted, ""
        raise NotFoundError(
            f"Image '{wanted}' does not exist: name a public image as projects/<project>/global/images/<name> "
            "or .../images/family/<family>.",
            field="iid",
        )

    def _project_images(self, project: str) -> list[compute.Image]:
        try:
            with translate():
                request = compute.ListImagesRequest(project=project, max_results=PAGE_SIZE)
                return list(self._clients.images().list(request=request, **CALL))
        except NotFoundError:
            # A publisher that retired its project leaves the others' images to list.
            return []
