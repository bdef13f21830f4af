"""Volumes and their attachments to instances, and snapshots of volumes.

The rules modelled (VPC API reference, "Block storage volumes" and "Snapshots"): volumes start
`pending` -> `available`; a volume is attached to one instance at most (409 when attached
elsewhere) and in the instance's zone; its capacity only grows; an attached volume cannot be deleted
(409); a boot volume cannot be detached. A snapshot of a volume starts `pending` and becomes
`stable`; it can restore the boot volume of a new instance.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.ibm.fake.catalog import VOLUME_PROFILES
from tests.drivers.ibm.fake.network import ref
from tests.drivers.ibm.fake.server import ApiError, FakeIBM, Request, in_use, not_found

LIST = frozenset({"limit", "start"})


def register(fake: FakeIBM) -> None:
    fake.route("POST", r"/instances/(?P<id>[^/]+)/volume_attachments", lambda req: attach(fake, req))
    fake.route("DELETE", r"/instances/(?P<id>[^/]+)/volume_attachments/(?P<att>[^/]+)", lambda req: detach(fake, req))
    fake.route("GET", r"/volumes", lambda req: _list(fake, req, "volumes"), query=LIST)
    fake.route("POST", r"/volumes", lambda req: create_volume(fake, req))
    fake.route("GET", r"/volumes/(?P<id>[^/]+)", lambda req: _get(fake, req, "volumes", "Volume"))
    fake.route("PATCH", r"/volumes/(?P<id>[^/]+)", lambda req: update_volume(fake, req))
    fake.route("DELETE", r"/volumes/(?P<id>[^/]+)", lambda req: delete_volume(fake, req))
    fake.route("GET", r"/snapshots", lambda req: _list(fake, req, "snapshots"), query=LIST)
    fake.route("POST", r"/snapshots", lambda req: create_snapshot(fake, req))
    fake.route("GET", r"/snapshots/(?P<id>[^/]+)", lambda req: _get(fake, req, "snapshots", "Snapshot"))
    fake.route("DELETE", r"/snapshots/(?P<id>[^/]+)", lambda req: delete_snapshot(fake, req))


def _col(fake: FakeIBM, req: Request, kind: str) -> dict[str, dict[str, Any]]:
    return fake.collection(req.account, req.region, kind)


def _list(fake: FakeIBM, req: Request, kind: str) -> tuple[int, Any]:
    return 200, fake.page(req, kind, fake.settle_all(_col(fake, req, kind)), kind)


def _get(fake: FakeIBM, req: Request, kind: str, label: str) -> tuple[int, Any]:
    item = fake.settle(_col(fake, req, kind), req.params["id"])
    if item is None:
        raise not_found(label, req.params["id"])
    return 200, fake.public(item)


def _ident(body: Any) -> str:
    return str(body.get("id", "")) if isinstance(body, dict) else ""


def _need(fake: FakeIBM, req: Request, kind: str, ident: str, label: str) -> dict[str, Any]:
    item = _col(fake, req, kind).get(ident)
    if item is None:
        raise not_found(label, ident)
    return item


def new_attachment(
    fake: FakeIBM, instance: dict[str, Any], volume: dict[str, Any], kind: str, *, delete_with: bool
) -> dict[str, Any]:
    ident = fake.new_id(instance["zone"]["name"])
    attachment = {
        "id": ident,
        "name": f"att-{ident[-8:]}",
        "type": kind,
        "volume": ref(volume),
        "device": {"id": f"{ident}-{kind}"},
        "delete_volume_on_instance_delete": delete_with,
    }
    volume["volume_attachments"] = [
        {
            **{k: attachment[k] for k in ("id", "name", "type", "device", "delete_volume_on_instance_delete")},
            "instance": ref(instance),
        }
    ]
    volume["attachment_state"] = "attached"
    return attachment


# --- volumes -----------------------------------------------------------------------------------------


def new_volume(fake: FakeIBM, req: Request, name: str, zone: str, capacity: int, profile: str) -> dict[str, Any]:
    ident = fake.new_id(zone)
    return {
        "id": ident,
        "crn": fake.crn(req.account, req.region, "volume", ident),
        "href": fake.href(req.region, f"volumes/{ident}"),
        "name": name,
        "capacity": capacity,
        "iops": 3000,
        "profile": {"name": profile},
        "zone": {"name": zone},
        "status": "pending",
        "attachment_state": "unattached",
        "volume_attachments": [],
        "encryption": "provider_managed",
        "created_at": fake.now(),
        "resource_type": "volume",
    }


def create_volume(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    volumes = _col(fake, req, "volumes")
    name = str(req.body.get("name", ""))
    fake.unique_name(volumes, name)
    zone = str((req.body.get("zone") or {}).get("name", ""))
    if not zone.startswith(f"{req.region}-"):
        raise ApiError(400, "validation_invalid_zone", f"Zone {zone} is not a zone of {req.region}.", target="zone")
    capacity = int(req.body.get("capacity") or 100)
    if not 10 <= capacity <= 16000:
        raise ApiError(400, "validation_invalid_capacity", "capacity must be between 10 and 16000.", target="capacity")
    profile = str((req.body.get("profile") or {}).get("name", ""))
    if profile not in VOLUME_PROFILES:
        raise not_found("Volume profile", profile)
    volume = new_volume(fake, req, name, zone, capacity, profile)
    fake.settle_later(volume, "status", "available")
    volumes[volume["id"]] = volume
    return 201, fake.public(volume)


def update_volume(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    volume = fake.lookup(_col(fake, req, "volumes"), req.params["id"], "Volume")
    if "capacity" in req.body:
        capacity = int(req.body["capacity"])
        if capacity < volume["capacity"]:
            raise ApiError(
                400, "volume_capacity_decrease", "The capacity of a volume can only be increased.", target="capacity"
            )
        volume["capacity"] = capacity
    if "name" in req.body:
        volume["name"] = str(req.body["name"])
    return 200, fake.public(volume)


def delete_volume(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    volume = fake.lookup(_col(fake, req, "volumes"), req.params["id"], "Volume")
    if volume["volume_attachments"]:
        raise in_use("volume", f"Volume {volume['name']} is attached to an instance.")
    volume["status"] = "deleting"
    volume["_settle"] = []
    fake.settle_later(volume, "status", None)
    return 204, None


def attach(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    instance = _need(fake, req, "instances", req.params["id"], "Instance")
    volume = _need(fake, req, "volumes", _ident(req.body.get("volume")), "Volume")
    if volume["volume_attachments"]:
        raise ApiError(409, "volume_in_use_by_another_instance", f"Volume {volume['name']} is already attached.")
    if volume["zone"]["name"] != instance["zone"]["name"]:
        raise ApiError(400, "volume_zone_mismatch", "The volume must be in the instance's zone.")
    attachment = new_attachment(
        fake, instance, volume, "data", delete_with=bool(req.body.get("delete_volume_on_instance_delete"))
    )
    instance["volume_attachments"].append(attachment)
    return 201, {**attachment, "status": "attaching"}


def detach(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    instance = _need(fake, req, "instances", req.params["id"], "Instance")
    attachment = next((a for a in instance["volume_attachments"] if a["id"] == req.params["att"]), None)
    if attachment is None:
        raise not_found("Volume attachment", req.params["att"])
    if attachment["type"] == "boot":
        raise ApiError(400, "volume_attachment_boot", "A boot volume cannot be detached.")
    instance["volume_attachments"].remove(attachment)
    volume = _col(fake, req, "volumes").get(attachment["volume"]["id"])
    if volume is not None:
        volume["volume_attachments"] = []
        volume["attachment_state"] = "unattached"
    return 204, None


# --- snapshots ---------------------------------------------------------------------------------------


def create_snapshot(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    snapshots = _col(fake, req, "snapshots")
    name = str(req.body.get("name", ""))
    fake.unique_name(snapshots, name)
    volume = _need(fake, req, "volumes", _ident(req.body.get("source_volume")), "Volume")
    ident = fake.new_id()
    boot = any(att["type"] == "boot" for att in volume["volume_attachments"])
    snapshot = {
        "id": ident,
        "crn": fake.crn(req.account, req.region, "snapshot", ident),
        "href": fake.href(req.region, f"snapshots/{ident}"),
        "name": name,
        "lifecycle_state": "pending",
        "bootable": boot,
        "source_volume": ref(volume),
        "minimum_capacity": volume["capacity"],
        "size": 2,
        "encryption": "provider_managed",
        "created_at": fake.now(),
        "resource_type": "snapshot",
        "_image": volume.get("_image"),
    }
    if snapshot["_image"]:
        snapshot["source_image"] = ref(snapshot["_image"])
        snapshot["operating_system"] = snapshot["_image"]["operating_system"]
    fake.settle_later(snapshot, "lifecycle_state", "stable")
    snapshots[ident] = snapshot
    return 201, fake.public(snapshot)


def delete_snapshot(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    snapshot = fake.lookup(_col(fake, req, "snapshots"), req.params["id"], "Snapshot")
    snapshot["lifecycle_state"] = "deleting"
    snapshot["_settle"] = []
    fake.settle_later(snapshot, "lifecycle_state", None)
    return 204, None
