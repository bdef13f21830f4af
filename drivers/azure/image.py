"""Public images: marketplace images named by URN, `publisher:offer:sku:version`.

The marketplace holds tens of thousands of offers, most of them third-party products with terms
to accept. The list keeps to the operating systems' own publishers and their base images, each at
its newest version, named with the version `latest` (which is how a VM asks for "the newest" too);
any other URN, with `latest` or a version, is still reachable through `get_image`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from drivers.azure._common import as_json
from drivers.azure._errors import translate
from drivers.azure._session import AzureSession
from drivers.errors import InvalidRequestError, NotFoundError
from drivers.types import IID, ImageInfo, ImageStatus

LATEST = "latest"
MAX_PARALLEL = 6


@dataclass(frozen=True, slots=True)
class Curated:
    publisher: str
    offer: str
    sku: str
    distribution: str

    @property
    def urn(self) -> str:
        return f"{self.publisher}:{self.offer}:{self.sku}:{LATEST}"


CURATED: tuple[Curated, ...] = (
    Curated("Canonical", "ubuntu-24_04-lts", "server", "Ubuntu 24.04 LTS"),
    Curated("Canonical", "ubuntu-24_04-lts", "server-arm64", "Ubuntu 24.04 LTS"),
    Curated("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "Ubuntu 22.04 LTS"),
    Curated("Debian", "debian-12", "12", "Debian 12"),
    Curated("RedHat", "RHEL", "9-lvm-gen2", "Red Hat Enterprise Linux 9"),
    Curated("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-g2", "Windows Server 2022 Datacenter"),
)
_DISTRIBUTIONS = {(c.publisher.lower(), c.offer.lower(), c.sku.lower()): c.distribution for c in CURATED}

_ARCHITECTURES = {"x64": "x86_64", "arm64": "arm64"}
_PLATFORMS = {"linux": "Linux/UNIX", "windows": "Windows"}


@dataclass(frozen=True, slots=True)
class URN:
    publisher: str
    offer: str
    sku: str
    version: str

    def __str__(self) -> str:
        return f"{self.publisher}:{self.offer}:{self.sku}:{self.version}"


def parse_urn(text: str) -> URN | None:
    parts = text.split(":")
    if len(parts) != 4 or not all(part.strip() for part in parts) or any(" " in part or "/" in part for part in parts):
        return None
    return URN(*parts)


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Orders image versions numerically part by part ("22.04.202410020" after "22.04.9")."""
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in version.split("."))


def image_info(image: dict[str, Any], *, urn: URN) -> ImageInfo:
    """`image` is one version's ARM answer; `urn` the name it was asked by (with `latest` or its version)."""
    properties = dict(image.get("properties") or {})
    os_disk = dict(properties.get("osDiskImage") or {})
    deprecation = dict(properties.get("imageDeprecationStatus") or {})
    state = str(deprecation.get("imageState", ""))
    features = {str(f.get("name", "")): str(f.get("value", "")) for f in properties.get("features") or []}
    architecture = str(properties.get("architecture") or "x64")
    operating_system = str(os_disk.get("operatingSystem", ""))
    key = (urn.publisher.lower(), urn.offer.lower(), urn.sku.lower())
    extra = {
        "publisher": urn.publisher,
        "offer": urn.offer,
        "sku": urn.sku,
        "version": str(image.get("name", "")),
        "hyper_v_generation": str(properties.get("hyperVGeneration", "")),
        "image_state": state,
        "security_type": features.get("SecurityType", ""),
        "plan": str(dict(properties.get("plan") or {}).get("name", "")),
        "id": str(image.get("id", "")),
    }
    return ImageInfo(
        iid=IID(name_id=str(urn), system_id=str(urn)),
        os_architecture=_ARCHITECTURES.get(architecture.lower(), architecture),
        os_platform=_PLATFORMS.get(operating_system.lower(), operating_system),
        os_distribution=_DISTRIBUTIONS.get(key, f"{urn.offer} {urn.sku}"),
        status=ImageStatus.DEPRECATED if state.lower() == "deprecated" else ImageStatus.AVAILABLE,
        extra={name: value for name, value in extra.items() if value},
    )


class AzureImageHandler:
    def __init__(self, session: AzureSession) -> None:
        self._session = session

    def list_images(self) -> list[ImageInfo]:
        # Two calls per image (its versions, then the newest one): asked side by side, once the first
        # image has fetched the token the others share.
        first, *others = CURATED
        with ThreadPoolExecutor(max_workers=MAX_PARALLEL) as pool:
            found = [self._curated(first), *pool.map(self._curated, others)]
        return sorted((image for image in found if image is not None), key=lambda image: image.iid.name_id)

    def get_image(self, *, iid: IID) -> ImageInfo:
        text = iid.system_id or iid.name_id
        urn = parse_urn(text)
        if urn is None:
            raise NotFoundError(f"Image '{text}' does not exist: Azure images are named publisher:offer:sku:version.")
        return image_info(self._version(urn), urn=urn)

    def _curated(self, curated: Curated) -> ImageInfo | None:
        urn = URN(curated.publisher, curated.offer, curated.sku, LATEST)
        try:
            return image_info(self._version(urn), urn=urn)
        except NotFoundError:
            return None  # not offered in this region

    def _version(self, urn: URN) -> dict[str, Any]:
        """The ARM answer for the image version `urn` names, `latest` resolved to the newest one."""
        images = self._session.compute().virtual_machine_images
        region = self._session.region
        try:
            with translate():
                version = urn.version
                if version.lower() == LATEST:
                    listed = images.list(region, urn.publisher, urn.offer, urn.sku)
                    versions = [str(item.name) for item in listed]
                    if not versions:
                        raise NotFoundError("No version is published.")
                    version = max(versions, key=version_key)
                return as_json(images.get(region, urn.publisher, urn.offer, urn.sku, version))
        except (NotFoundError, InvalidRequestError) as exc:
            # A malformed publisher or offer names no image; to the caller that is an unknown one.
            raise NotFoundError(
                f"Image '{urn}' does not exist in {region}.", provider_message=exc.provider_message or exc.message
            ) from exc
