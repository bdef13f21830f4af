"""Persistent disks (compute.disks) of a zone, and the helpers the instance fake shares.

A resource's private bookkeeping lives under keys starting with "_" and never leaves the fake
(`public()`); "_next" holds the statuses a resource still passes through, one per read of it, as
Compute Engine's resources settle a moment after the operation that changed them.
"""

from __future__ import annotations

import re
from typing import Any

from tests.drivers.gcp.fake.operations import start_operation
from tests.drivers.gcp.fake.server import COMPUTE, LIST_QUERY, ApiError, FakeGCP, Request, not_found

ZONE_PATH = "/projects/(?P<project>[^/]+)/zones/(?P<zone>[^/]+)"
DISK_TYPES = frozenset(
    {"pd-standard", "pd-balanced", "pd-ssd", "pd-extreme", "hyperdisk-balanced", "hyperdisk-extreme"}
)
DEFAULT_SIZE_GB = {"pd-standard": "500"}  # a blank disk of another type gets 100 GB
NAME = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")
_ID_FILTER = re.compile(r"^id\s*=\s*(\d+)$")


def public(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as the API answers it, without the fake's bookkeeping."""
    return {key: value for key, value in resource.items() if not key.startswith("_")}


def settle(resource: dict[str, Any]) -> None:
    """One step on towards the resource's final status (each read is a moment later)."""
    pending = resource.get("_next") or []
    if pending:
        step = pending.pop(0)
        step(resource) if callable(step) else resource.update(status=step)


def filtered(items: list[dict[str, Any]], req: Request) -> list[dict[str, Any]]:
    """The items a list `filter` keeps; the fake understands `id = <number>` only."""
    text = req.query.get("filter", "").strip()
    if not text:
        return items
    match = _ID_FILTER.match(text)
    if match is None:
        raise ApiError(400, f"Invalid list filter expression '{text}'.", "invalid")
    return [item for item in items if item["id"] == match.group(1)]


def check_name(name: Any, field: str = "resource.name") -> None:
    if not isinstance(name, str) or not NAME.match(name):
        raise ApiError(
            400,
            f"Invalid value for field '{field}': '{name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{{0,61}}"
            "[a-z0-9])?)'",
            "invalid",
        )


def zone_link_path(zone: str, kind: str, name: str) -> str:
    return f"zones/{zone}/{kind}/{name}"


def disk_type_of(value: str, zone: str) -> str:
    """The type name of a diskType reference (a name, a zonal path or a URL)."""
    name = value.rstrip("/").rsplit("/", 1)[-1] if value else "pd-standard"
    if name not in DISK_TYPES:
        raise ApiError(400, f"Invalid value for field 'resource.type': '{value}'. Unknown disk type.", "invalid")
    return name


def new_disk(
    fake: FakeGCP,
    project: str,
    zone: str,
    name: str,
    *,
    disk_type: str,
    size_gb: str,
    labels: dict[str, str] | None = None,
    image: dict[str, Any] | None = None,
) -> dict[str, Any]:
    disk: dict[str, Any] = {
        "kind": "compute#disk",
        "id": fake.new_id(),
        "creationTimestamp": fake.now(),
        "name": name,
        "sizeGb": size_gb,
        "zone": fake.link(project, f"zones/{zone}"),
        "status": "READY",
        "selfLink": fake.link(project, zone_link_path(zone, "disks", name)),
        "type": fake.link(project, zone_link_path(zone, "diskTypes", disk_type)),
        "physicalBlockSizeBytes": "4096",
        "labelFingerprint": "42WmSpB8rSM=",
        "architecture": "X86_64",
    }
    if labels:
        disk["labels"] = dict(labels)
    if image is not None:
        disk.update(
            sourceImage=image["selfLink"],
            sourceImageId=image["id"],
            guestOsFeatures=list(image.get("guestOsFeatures", [])),
            licenses=list(image.get("licenses", [])),
        )
    return disk


def register(fake: FakeGCP) -> None:
    def disks_of(req: Request) -> dict[str, dict[str, Any]]:
        return fake.collection(req.project, f"zones/{req.params['zone']}/disks")

    def existing(req: Request) -> dict[str, Any]:
        disk = disks_of(req).get(req.params["disk"])
        if disk is None:
            raise not_found(f"projects/{req.project}/zones/{req.params['zone']}/disks/{req.params['disk']}")
        return disk

    def list_disks(req: Request) -> dict[str, Any]:
        zone = req.params["zone"]
        for disk in disks_of(req).values():
            settle(disk)
        items = [public(disk) for disk in sorted(disks_of(req).values(), key=lambda d: d["name"])]
        return fake.page(
            filtered(items, req),
            req,
            kind="compute#diskList",
            id=f"projects/{req.project}/zones/{zone}/disks",
            selfLink=fake.link(req.project, f"zones/{zone}/disks"),
        )

    def get_disk(req: Request) -> dict[str, Any]:
        disk = existing(req)
        settle(disk)
        return public(disk)

    def insert_disk(req: Request) -> dict[str, Any]:
        zone, body = req.params["zone"], req.body
        check_name(body.get("name"))
        name = str(body["name"])
        disk_type = disk_type_of(str(body.get("type", "")), zone)
        size = str(body.get("sizeGb") or DEFAULT_SIZE_GB.get(disk_type, "100"))
        path = zone_link_path(zone, "disks", name)

        def effect() -> None:
            if name in disks_of(req):
                raise ApiError(
                    409,
                    f"The resource 'projects/{req.project}/{path}' already exists",
                    "alreadyExists",
                    op_code="RESOURCE_ALREADY_EXISTS",
                )
            disks_of(req)[name] = new_disk(
                fake, req.project, zone, name, disk_type=disk_type, size_gb=size, labels=body.get("labels")
            )

        return start_operation(
            fake, project=req.project, scope=f"zones/{zone}", op_type="insert", target=path, effect=effect
        )

    def delete_disk(req: Request) -> dict[str, Any]:
        disk = existing(req)
        if disk.get("users"):
            raise ApiError(
                400,
                f"The disk resource '{disk['selfLink'].split('/v1/', 1)[1]}' is already being used by "
                f"'{disk['users'][0].split('/v1/', 1)[1]}'",
                "resourceInUseByAnotherResource",
            )
        zone, name = req.params["zone"], disk["name"]

        def effect() -> None:
            disks_of(req).pop(name, None)

        return start_operation(
            fake,
            project=req.project,
            scope=f"zones/{zone}",
            op_type="delete",
            target=zone_link_path(zone, "disks", name),
            effect=effect,
        )

    def resize_disk(req: Request) -> dict[str, Any]:
        disk = existing(req)
        wanted = int(req.body.get("sizeGb", 0))
        if wanted <= int(disk["sizeGb"]):
            raise ApiError(
                400,
                f"Invalid value for field 'sizeGb': '{wanted}'. Disk size cannot be smaller than or equal to the "
                f"current size ({disk['sizeGb']} GB).",
                "invalid",
            )
        zone = req.params["zone"]
        return start_operation(
            fake,
            project=req.project,
            scope=f"zones/{zone}",
            op_type="resizeDisk",
            target=zone_link_path(zone, "disks", disk["name"]),
            effect=lambda: disk.update(sizeGb=str(wanted)),
        )

    path = f"{ZONE_PATH}/disks"
    fake.route("GET", COMPUTE, path, list_disks, query=LIST_QUERY | {"filter"})
    fake.route("POST", COMPUTE, path, insert_disk)
    fake.route("GET", COMPUTE, f"{path}/(?P<disk>[^/]+)", get_disk)
    fake.route("DELETE", COMPUTE, f"{path}/(?P<disk>[^/]+)", delete_disk)
    fake.route("POST", COMPUTE, f"{path}/(?P<disk>[^/]+)/resize", resize_disk)
