"""Glance v2: public images, server snapshots (made by Nova's createImage), image tags.

Shapes from the image api-ref ("List images", "Show image"): flat image objects with the common
properties (os_distro, os_version, architecture, min_disk, os_type) beside the core ones, lists as
`{"images": [...], "first": ..., "schema": ...}` with `next` while more follow. A snapshot goes
queued -> saving -> active over several polls. Errors are webob's HTML pages ("404 Not Found ...
No image found with ID <id>").
"""

from __future__ import annotations

from typing import Any

from tests.drivers.openstack.fake.server import FakeOpenStack, Reply, Request, glance_error

PUBLIC = (
    ("ubuntu-22.04", "ubuntu", "22.04", "x86_64", 10, ""),
    ("ubuntu-22.04-arm64", "ubuntu", "22.04", "aarch64", 10, ""),
    ("rocky-9", "rocky", "9", "x86_64", 10, ""),
    ("windows-server-2022", "windows", "2022", "x86_64", 40, "windows"),
)
LIST_QUERY = frozenset(
    {"limit", "marker", "visibility", "name", "status", "owner", "sort_key", "sort_dir", "tag", "sort"}
)


def register(fake: FakeOpenStack) -> None:
    for region in fake.layout.regions:
        for index, (name, distro, version, arch, min_disk, os_type) in enumerate(PUBLIC):
            image_id = f"{index + 1:08d}-0000-4000-8000-{region.lower().encode().hex()[:12]:0>12}"
            image = {
                "id": image_id,
                "name": name,
                "status": "active",
                "visibility": "public",
                "owner": "admin",
                "os_distro": distro,
                "os_version": version,
                "architecture": arch,
                "min_disk": min_disk,
                "min_ram": 0,
                "disk_format": "qcow2",
                "container_format": "bare",
                "size": 2361393152,
                "virtual_size": min_disk * 1024**3,
                "tags": [],
                "protected": False,
                "created_at": "2024-01-10T00:00:00Z",
                "updated_at": "2024-01-10T00:00:00Z",
                "hw_disk_bus": "virtio",
            }
            if os_type:
                image["os_type"] = os_type
            fake.coll(region, "images")[image_id] = image
    fake.route("image", "GET", "/v2/images", lambda req: _list(fake, req), root=True, query=LIST_QUERY)
    fake.route("image", "GET", "/v2/images/(?P<id>[^/?]+)", lambda req: _view(_get(fake, req, poll=True)), root=True)
    fake.route("image", "DELETE", "/v2/images/(?P<id>[^/?]+)", lambda req: _delete(fake, req), root=True)
    fake.route(
        "image", "PUT", "/v2/images/(?P<id>[^/?]+)/tags/(?P<tag>[^/?]+)", lambda req: _tag(fake, req, True), root=True
    )
    fake.route(
        "image",
        "DELETE",
        "/v2/images/(?P<id>[^/?]+)/tags/(?P<tag>[^/?]+)",
        lambda req: _tag(fake, req, False),
        root=True,
    )


def tick(fake: FakeOpenStack, image: dict[str, Any]) -> None:
    pending = image.get("_pending")
    if not pending:
        return
    if image["status"] == "queued":
        image["status"] = "saving"
    pending[0] -= 1
    if pending[0] <= 0:
        image["_pending"] = None
        image.update(pending[1])


def _visible(image: dict[str, Any], project: str) -> bool:
    return image["visibility"] in ("public", "community") or image["owner"] == project


def _view(image: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in image.items() if not k.startswith("_")}
    view.update(self=f"/v2/images/{image['id']}", file=f"/v2/images/{image['id']}/file", schema="/v2/schemas/image")
    return view


def _get(fake: FakeOpenStack, req: Request, *, poll: bool = False) -> dict[str, Any]:
    image = fake.find(req.region, "images", req.params["id"])
    if image is None or not _visible(image, req.project):
        raise glance_error(404, "Not Found", f"No image found with ID {req.params['id']}")
    if poll:
        tick(fake, image)
    return image


def _list(fake: FakeOpenStack, req: Request) -> Reply:
    images = [i for i in fake.coll(req.region, "images").values() if _visible(i, req.project)]
    for image in images:
        tick(fake, image)
    for key in ("visibility", "name", "status", "owner"):
        if key in req.query:
            images = [i for i in images if i.get(key) == req.q(key)]
    images.sort(key=lambda i: i["id"])
    marker = req.q("marker")
    if marker:
        ids = [i["id"] for i in images]
        if marker not in ids:
            raise glance_error(400, "Bad Request", f"marker {marker} could not be found.")
        images = images[ids.index(marker) + 1 :]
    limit = int(req.q("limit") or 25)
    page = images[:limit]
    answer: dict[str, Any] = {"images": [_view(i) for i in page], "first": "/v2/images", "schema": "/v2/schemas/images"}
    if len(images) > limit:
        answer["next"] = f"/v2/images?marker={page[-1]['id']}&limit={limit}"
    return answer


def _delete(fake: FakeOpenStack, req: Request) -> Reply:
    image = _get(fake, req)
    if image["owner"] != req.project:
        raise glance_error(403, "Forbidden", "You are not permitted to delete this image.")
    if image.get("protected"):
        raise glance_error(403, "Forbidden", f"Image {image['id']} is protected and cannot be deleted.")
    fake.coll(req.region, "images").pop(image["id"])
    return None


def _tag(fake: FakeOpenStack, req: Request, add: bool) -> Reply:
    image = _get(fake, req)
    tag = req.params["tag"]
    if add:
        if tag not in image["tags"]:
            image["tags"].append(tag)
        return None
    if tag not in image["tags"]:
        raise glance_error(404, "Not Found", f"Tag {tag} not found")
    image["tags"].remove(tag)
    return None
