"""Public machine images (AMIs) of the connection's region.

A region holds hundreds of thousands of public AMIs, most of them community builds. The list keeps
to the operating systems' own publishers and their base images, which is what a VM is started
from; any other AMI is still reachable by id through `get_image`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from drivers.aws._errors import translate
from drivers.aws._session import AWSClients
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import IID, ImageInfo, ImageStatus

# Account ids of the publishers whose images are listed.
PUBLISHERS: dict[str, str] = {
    "137112412989": "Amazon",  # Amazon Linux
    "801119661308": "Amazon",  # Windows Server
    "099720109477": "Canonical",
    "136693071363": "Debian",
    "309956199498": "Red Hat",
    "013907871322": "SUSE",
}

# Base images only (no nightly, minimal-container, NAT or marketplace builds).
NAME_PATTERNS = (
    "al2023-ami-2023*",
    "amzn2-ami-hvm-*",
    "amzn2-ami-kernel-*",
    "ubuntu/images/hvm-ssd*/ubuntu-*-server-*",
    "debian-1*",
    "RHEL-*",
    "suse-sles-*",
    "Windows_Server-20*-English-Full-Base-*",
)

PAGE_SIZE = 1000


def image_info(image: dict[str, Any]) -> ImageInfo:
    image_id = str(image["ImageId"])
    root_name = image.get("RootDeviceName")
    ebs: dict[str, Any] = {}
    for mapping in image.get("BlockDeviceMappings", []):
        if "Ebs" in mapping and (root_name is None or mapping.get("DeviceName") == root_name):
            ebs = dict(mapping["Ebs"])
            break
    if not ebs:
        ebs = next((dict(m["Ebs"]) for m in image.get("BlockDeviceMappings", []) if "Ebs" in m), {})
    windows = str(image.get("Platform", "")).lower() == "windows"
    platform = str(image.get("PlatformDetails") or ("Windows" if windows else "Linux/UNIX"))
    extra = {
        "name": str(image.get("Name", "")),
        "owner_id": str(image.get("OwnerId", "")),
        "publisher": PUBLISHERS.get(str(image.get("OwnerId", "")), str(image.get("ImageOwnerAlias", ""))),
        "state": str(image.get("State", "")),
        "root_device_type": str(image.get("RootDeviceType", "")),
        "virtualization_type": str(image.get("VirtualizationType", "")),
    }
    return ImageInfo(
        iid=IID(name_id=image_id, system_id=image_id),
        os_architecture=_architecture(str(image.get("Architecture", ""))),
        os_platform=platform,
        os_distribution=str(image.get("Description") or image.get("Name") or image_id),
        os_disk_type=str(ebs.get("VolumeType", "")),
        os_disk_size_gb=int(ebs.get("VolumeSize", 0) or 0),
        status=_status(image),
        extra={key: value for key, value in extra.items() if value},
    )


def _architecture(value: str) -> str:
    # AWS says "x86_64_mac"/"arm64_mac" for Mac hosts; the OS architecture is the same.
    return value.removesuffix("_mac")


def _status(image: dict[str, Any]) -> ImageStatus:
    if image.get("State") != "available":
        return ImageStatus.UNAVAILABLE
    deprecation = image.get("DeprecationTime")
    if deprecation:
        when = deprecation if isinstance(deprecation, datetime) else _parse_time(str(deprecation))
        if when is not None and when <= datetime.now(tz=UTC):
            return ImageStatus.DEPRECATED
    return ImageStatus.AVAILABLE


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class AWSImageHandler:
    def __init__(self, clients: AWSClients) -> None:
        self._clients = clients

    def list_images(self) -> list[ImageInfo]:
        images: list[ImageInfo] = []
        paginator = self._clients.ec2().get_paginator("describe_images")
        pages = paginator.paginate(
            Owners=list(PUBLISHERS),
            Filters=[
                {"Name": "state", "Values": ["available"]},
                {"Name": "image-type", "Values": ["machine"]},
                {"Name": "name", "Values": list(NAME_PATTERNS)},
            ],
            IncludeDeprecated=False,
            PaginationConfig={"PageSize": PAGE_SIZE},
        )
        with translate():
            for page in pages:
                images.extend(image_info(dict(image)) for image in page.get("Images", []))
        return sorted(images, key=lambda image: (image.extra.get("name", ""), image.iid.system_id))

    def get_image(self, *, iid: IID) -> ImageInfo:
        image_id = iid.system_id or iid.name_id
        if not image_id.startswith("ami-"):
            raise NotFoundError(f"Image '{image_id}' does not exist: AWS image ids look like ami-0123abcd.")
        try:
            with translate():
                answer = self._clients.ec2().describe_images(ImageIds=[image_id])
        except InvalidRequestError as exc:
            # A malformed id names no image; to the caller that is the same as an unknown one.
            raise NotFoundError(
                f"Image '{image_id}' does not exist in {self._clients.region}.", provider_message=exc.provider_message
            ) from exc
        images = answer.get("Images", [])
        if not images:
            raise NotFoundError(f"Image '{image_id}' does not exist in {self._clients.region}.")
        return image_info(dict(images[0]))
