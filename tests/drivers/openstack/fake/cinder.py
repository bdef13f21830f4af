"""Cinder (v3, and v2 for clouds cataloguing volumev2): volumes, their extend action, metadata, types.

Shapes from the block-storage api-ref: a volume goes creating -> available over several polls,
extending -> available, deleting -> gone; attachments are made through Nova (nova.py), which puts
the volume through attaching -> in-use and detaching -> available. Errors are Nova-style faults
(`{"badRequest": {"code": 400, "message": ...}}`): extend to a smaller size is 400 "New size for
extend must be greater than current size. (current: 10, extended: 9).", deleting an attached
volume 400 "Invalid volume: Volume status must be available or error ... and must not be
migrating, attached, belong to a group, have snapshots or be disassociated from snapshots after
volume transfer.", a name is not unique in Cinder.
"""

from __future__ import annotations

import re
from typing import Any

from tests.drivers.openstack.fake.server import FakeOpenStack, Reply, Request, nova_error

TYPES = (
    {"id": "6b1d0c0e-0000-4000-8000-000000000001", "name": "__DEFAULT__", "description": "Default Volume Type"},
    {"id": "6b1d0c0e-0000-4000-8000-000000000002", "name": "ssd", "description": "SSD backed"},
)
DEFAULT_SIZE_GB = 1


def _mv(req: Request) -> dict[str, str]:
    match = re.search(r"volume (\d+\.\d+)", req.headers.get("OpenStack-API-Version", ""))
    version = match.group(1) if match else "3.0"
    return {"OpenStack-API-Version": f"volume {version}", "Vary": "OpenStack-API-Version"}


def ok(req: Request, body: Any, status: int = 200) -> Reply:
    return status, body, _mv(req)


def register(fake: FakeOpenStack) -> None:
    for service in ("block-storage", "volumev2"):
        r = fake.route
        r(
            service,
            "GET",
            "/types",
            lambda req: ok(req, {"volume_types": [{**t, "is_public": True, "extra_specs": {}} for t in TYPES]}),
            query=frozenset({"limit", "marker"}),
        )
        r(
            service,
            "GET",
            "/volumes/detail",
            lambda req: _list(fake, req),
            query=frozenset({"name", "status", "limit", "marker", "offset", "all_tenants"}),
        )
        r(service, "POST", "/volumes", lambda req: _create(fake, req))
        r(service, "GET", "/volumes/(?P<id>[^/?]+)", lambda req: ok(req, {"volume": _view(_get(fake, req, poll=True))}))
        r(
            service,
            "DELETE",
            "/volumes/(?P<id>[^/?]+)",
            lambda req: _delete(fake, req),
            query=frozenset({"cascade", "force"}),
        )
        r(service, "POST", "/volumes/(?P<id>[^/?]+)/action", lambda req: _action(fake, req))
        r(service, "POST", "/volumes/(?P<id>[^/?]+)/metadata", lambda req: _metadata(fake, req))
        r(service, "DELETE", "/volumes/(?P<id>[^/?]+)/metadata/(?P<key>[^/?]+)", lambda req: _delete_meta(fake, req))


def tick(fake: FakeOpenStack, region: str, volume: dict[str, Any]) -> None:
    pending = volume.get("_pending")
    if not pending:
        return
    pending[0] -= 1
    if pending[0] > 0:
        return
    volume["_pending"] = None
    if pending[1].get("_gone"):
        fake.coll(region, "volumes").pop(volume["id"], None)
        return
    volume.update(pending[1])


def _view(volume: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in volume.items() if not k.startswith("_")}


def _get(fake: FakeOpenStack, req: Request, *, poll: bool = False) -> dict[str, Any]:
    volume = fake.find(req.region, "volumes", req.params["id"])
    if volume is not None and poll:
        tick(fake, req.region, volume)
        volume = fake.find(req.region, "volumes", req.params["id"])
    if volume is None or volume["os-vol-tenant-attr:tenant_id"] != req.project:
        raise nova_error(404, f"Volume {req.params['id']} could not be found.")
    return volume


def _list(fake: FakeOpenStack, req: Request) -> Reply:
    volumes = [
        v for v in list(fake.coll(req.region, "volumes").values()) if v["os-vol-tenant-attr:tenant_id"] == req.project
    ]
    for volume in volumes:
        tick(fake, req.region, volume)
    volumes = [v for v in volumes if v["id"] in fake.coll(req.region, "volumes")]
    for key in ("name", "status"):
        if key in req.query:
            volumes = [v for v in volumes if v[key] == req.q(key)]
    return ok(req, {"volumes": [_view(v) for v in volumes]})


def _create(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("volume", {})
    size = body.get("size")
    if not isinstance(size, int) or size < 1:
        raise nova_error(
            400,
            f"Invalid input for field/attribute size. Value: {size}. {size!r} is not of type 'integer'"
            if not isinstance(size, int)
            else "Invalid volume size provided for create "
            f"request: {size} (size argument must be an integer (or string represenation of an integer) "
            "and greater than zero).",
        )
    type_name = body.get("volume_type") or "__DEFAULT__"
    if type_name not in {t["name"] for t in TYPES} | {t["id"] for t in TYPES}:
        raise nova_error(404, f"Volume type with name {type_name} could not be found.")
    zone = body.get("availability_zone") or fake.layout.zones[req.region][0]
    if zone not in fake.layout.zones[req.region]:
        raise nova_error(400, f"Invalid input received: Availability zone '{zone}' is invalid.")
    volume_id = fake.new_id()
    volume = {
        "id": volume_id,
        "name": body.get("name"),
        "description": body.get("description"),
        "size": size,
        "status": "creating",
        "availability_zone": zone,
        "volume_type": next(t["name"] for t in TYPES if type_name in (t["name"], t["id"])),
        "bootable": "false",
        "encrypted": False,
        "multiattach": False,
        "attachments": [],
        "metadata": dict(body.get("metadata") or {}),
        "created_at": fake.now(),
        "updated_at": None,
        "os-vol-tenant-attr:tenant_id": req.project,
        "user_id": "u-" + req.project[:8],
        "snapshot_id": None,
        "source_volid": None,
        "links": [],
        "_pending": [fake.polls_until_done, {"status": "available"}],
    }
    fake.coll(req.region, "volumes")[volume_id] = volume
    return ok(req, {"volume": _view(volume)}, 202)


def _delete(fake: FakeOpenStack, req: Request) -> Reply:
    volume = _get(fake, req)
    if volume["status"] not in ("available", "error", "error_restoring", "error_extending", "error_managing"):
        raise nova_error(
            400,
            "Invalid volume: Volume status must be available or error or error_restoring or "
            "error_extending or error_managing and must not be migrating, attached, belong to a group, "
            "have snapshots or be disassociated from snapshots after volume transfer.",
        )
    volume["status"] = "deleting"
    volume["_pending"] = [fake.polls_until_done, {"_gone": True}]
    return 202, None, _mv(req)


def _action(fake: FakeOpenStack, req: Request) -> Reply:
    volume = _get(fake, req)
    extend = req.body.get("os-extend")
    if extend is None:
        raise nova_error(400, f"Invalid request to volume action: {sorted(req.body)}")
    new_size = int(extend.get("new_size", 0))
    if volume["status"] not in ("available", "in-use"):
        raise nova_error(
            400,
            f"Invalid volume: Volume {volume['id']} status must be available or in-use, but current "
            f"status is: {volume['status']}.",
        )
    if new_size <= volume["size"]:
        raise nova_error(
            400,
            f"New size for extend must be greater than current size. (current: {volume['size']}, "
            f"extended: {new_size}).",
        )
    previous = volume["status"]
    volume.update(status="extending", size=new_size)
    volume["_pending"] = [fake.polls_until_done, {"status": previous}]
    return 202, None, _mv(req)


def _metadata(fake: FakeOpenStack, req: Request) -> Reply:
    volume = _get(fake, req)
    volume["metadata"].update({str(k): str(v) for k, v in (req.body.get("metadata") or {}).items()})
    return ok(req, {"metadata": volume["metadata"]})


def _delete_meta(fake: FakeOpenStack, req: Request) -> Reply:
    volume = _get(fake, req)
    if req.params["key"] not in volume["metadata"]:
        raise nova_error(404, f"Volume metadata with key {req.params['key']} could not be found.")
    volume["metadata"].pop(req.params["key"])
    return None
