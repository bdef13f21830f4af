"""Images (compute.images): the public image projects, seeded from fixtures/images.json."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.drivers.gcp.fake.server import COMPUTE, LIST_QUERY, FakeGCP, Request, not_found

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "images.json"

# Google's public image projects; those without images in the fixture exist and list nothing.
PUBLIC_IMAGE_PROJECTS = (
    "debian-cloud",
    "ubuntu-os-cloud",
    "rocky-linux-cloud",
    "almalinux-cloud",
    "rhel-cloud",
    "centos-cloud",
    "cos-cloud",
    "suse-cloud",
    "opensuse-cloud",
    "fedora-coreos-cloud",
    "windows-cloud",
)


def recorded_images() -> dict[str, list[dict[str, Any]]]:
    """Project -> its images, as images.list answered them."""
    data: dict[str, list[dict[str, Any]]] = json.loads(FIXTURE.read_text())
    return data


def _deprecated(image: dict[str, Any]) -> bool:
    return bool(image.get("deprecated", {}).get("state"))


def register(fake: FakeGCP) -> None:
    recorded = recorded_images()
    for project in PUBLIC_IMAGE_PROJECTS:
        fake.add_project(project, public=True)
        images = fake.collection(project, "images")
        for image in recorded.get(project, []):
            images[image["name"]] = copy.deepcopy(image)

    path = "/projects/(?P<project>[^/]+)/global/images"

    def list_images(req: Request) -> dict[str, Any]:
        items = sorted(fake.collection(req.project, "images").values(), key=lambda image: image["name"])
        return fake.page(
            items,
            req,
            kind="compute#imageList",
            id=f"projects/{req.project}/global/images",
            selfLink=fake.link(req.project, "global/images"),
        )

    def get_image(req: Request) -> dict[str, Any]:
        image = fake.collection(req.project, "images").get(req.params["image"])
        if image is None:
            raise not_found(f"projects/{req.project}/global/images/{req.params['image']}")
        return image

    def get_from_family(req: Request) -> dict[str, Any]:
        # The newest image of the family that is not deprecated, as Compute Engine answers it.
        family = req.params["family"]
        candidates = [
            image
            for image in fake.collection(req.project, "images").values()
            if image.get("family") == family and not _deprecated(image) and image.get("status") == "READY"
        ]
        if not candidates:
            raise not_found(f"projects/{req.project}/global/images/family/{family}")
        return max(candidates, key=lambda image: image["creationTimestamp"])

    fake.route("GET", COMPUTE, path, list_images, query=LIST_QUERY)
    fake.route("GET", COMPUTE, f"{path}/family/(?P<family>[^/]+)", get_from_family)
    fake.route("GET", COMPUTE, f"{path}/(?P<image>[^/]+)", get_image)
