"""Nova servers: create over several polls, actions, metadata, volume attachments and createImage.

See nova.py for the shapes and the microversion handling (compute api-ref). A server builds over
several polls (BUILD/spawning -> ACTIVE); suspend, resume, reboot, stop and start pass through their
task states before settling, and delete through "deleting". An action in the wrong state is 409
"Cannot 'suspend' instance <id> while it is in vm_state suspended" (conflictingRequest).
"""

from __future__ import annotations

import re
from typing import Any

from tests.drivers.openstack.fake.nova import microversion, mv_headers, ok
from tests.drivers.openstack.fake.server import ApiError, FakeOpenStack, Reply, Request, nova_error

SERVER_QUERY = frozenset({"name", "status", "limit", "marker", "ip", "flavor", "image", "tags", "changes-since"})


def register(fake: FakeOpenStack) -> None:
    route = fake.route
    route("compute", "GET", "/servers/detail", lambda req: _list_servers(fake, req), query=SERVER_QUERY)
    route("compute", "POST", "/servers", lambda req: _create_server(fake, req))
    route(
        "compute",
        "GET",
        "/servers/(?P<id>[^/?]+)",
        lambda req: ok(req, {"server": _view(fake, req, _server(fake, req, poll=True))}),
    )
    route("compute", "DELETE", "/servers/(?P<id>[^/?]+)", lambda req: _delete_server(fake, req))
    route("compute", "POST", "/servers/(?P<id>[^/?]+)/action", lambda req: _action(fake, req))
    route("compute", "POST", "/servers/(?P<id>[^/?]+)/metadata", lambda req: _update_metadata(fake, req))
    route("compute", "DELETE", "/servers/(?P<id>[^/?]+)/metadata/(?P<key>[^/?]+)", lambda req: _delete_meta(fake, req))
    route(
        "compute",
        "GET",
        "/servers/(?P<id>[^/?]+)/os-volume_attachments",
        lambda req: ok(
            req, {"volumeAttachments": [_attachment(_server(fake, req), v) for v in _server(fake, req)["_volumes"]]}
        ),
        query=frozenset({"limit", "offset"}),
    )
    route("compute", "POST", "/servers/(?P<id>[^/?]+)/os-volume_attachments", lambda req: _attach(fake, req))
    route(
        "compute",
        "DELETE",
        "/servers/(?P<id>[^/?]+)/os-volume_attachments/(?P<volume>[^/?]+)",
        lambda req: _detach(fake, req),
    )


# --- servers -------------------------------------------------------------------------------------


def tick(fake: FakeOpenStack, region: str, server: dict[str, Any]) -> None:
    """One poll of a server in a transitional state; the change lands after `polls_until_done` polls."""
    pending = server.get("_pending")
    if not pending:
        return
    pending[0] -= 1
    if pending[0] > 0:
        return
    server["_pending"] = None
    updates = pending[1]
    if updates.get("_gone"):
        _remove(fake, region, server)
        return
    server.update(updates)
    server["updated"] = fake.now()


def _remove(fake: FakeOpenStack, region: str, server: dict[str, Any]) -> None:
    fake.coll(region, "servers").pop(server["id"], None)
    for port in fake.coll(region, "ports").values():
        if port["device_id"] == server["id"]:
            if port.get("_nova_created"):
                fake.coll(region, "ports").pop(port["id"])
                break
            port.update(device_id="", device_owner="", status="DOWN")
    for volume_id in server["_volumes"]:
        volume = fake.find(region, "volumes", volume_id)
        if volume is not None:
            volume.update(status="available", attachments=[])


def _server(fake: FakeOpenStack, req: Request, *, poll: bool = False) -> dict[str, Any]:
    server = fake.find(req.region, "servers", req.params["id"])
    if server is None or server["tenant_id"] != req.project:
        raise nova_error(404, f"Instance {req.params['id']} could not be found.")
    if poll:
        tick(fake, req.region, server)
        if fake.find(req.region, "servers", req.params["id"]) is None:
            raise nova_error(404, f"Instance {req.params['id']} could not be found.")
    return server


def _attachment(server: dict[str, Any], volume_id: str) -> dict[str, Any]:
    index = server["_volumes"].index(volume_id)
    return {
        "id": volume_id,
        "volumeId": volume_id,
        "serverId": server["id"],
        "device": f"/dev/vd{chr(ord('b') + index)}",
        "tag": None,
        "delete_on_termination": False,
    }


def _view(fake: FakeOpenStack, req: Request, server: dict[str, Any]) -> dict[str, Any]:
    region = req.region
    addresses: dict[str, list[dict[str, Any]]] = {}
    groups: list[dict[str, str]] = []
    for port in fake.coll(region, "ports").values():
        if port["device_id"] != server["id"]:
            continue
        network = fake.coll(region, "networks").get(port["network_id"], {"name": port["network_id"]})
        entries = addresses.setdefault(network["name"], [])
        for ip in port["fixed_ips"]:
            entries.append(
                {
                    "addr": ip["ip_address"],
                    "version": 4,
                    "OS-EXT-IPS:type": "fixed",
                    "OS-EXT-IPS-MAC:mac_addr": port["mac_address"],
                }
            )
        for fip in fake.coll(region, "floatingips").values():
            if fip["port_id"] == port["id"]:
                entries.append(
                    {
                        "addr": fip["floating_ip_address"],
                        "version": 4,
                        "OS-EXT-IPS:type": "floating",
                        "OS-EXT-IPS-MAC:mac_addr": port["mac_address"],
                    }
                )
        for sg_id in port["security_groups"]:
            sg = fake.coll(region, "security-groups").get(sg_id)
            if sg and {"name": sg["name"]} not in groups:
                groups.append({"name": sg["name"]})
    flavor = fake.coll(region, "flavors")[server["_flavor"]]
    view = {k: v for k, v in server.items() if not k.startswith("_")}
    view["addresses"] = addresses
    view["security_groups"] = groups
    view["os-extended-volumes:volumes_attached"] = [
        {"id": v, "delete_on_termination": False} for v in server["_volumes"]
    ]
    if microversion(req) >= (2, 47):
        view["flavor"] = {
            "original_name": flavor["name"],
            "vcpus": flavor["vcpus"],
            "ram": flavor["ram"],
            "disk": flavor["disk"],
            "ephemeral": 0,
            "swap": 0,
            "extra_specs": {},
        }
    else:
        view["flavor"] = {"id": flavor["id"], "links": []}
    if microversion(req) < (2, 26):
        view.pop("tags")
    return view


def _list_servers(fake: FakeOpenStack, req: Request) -> Reply:
    servers = [s for s in list(fake.coll(req.region, "servers").values()) if s["tenant_id"] == req.project]
    for server in servers:
        tick(fake, req.region, server)
    servers = [s for s in servers if s["id"] in fake.coll(req.region, "servers")]
    if "name" in req.query:
        # Nova filters names as a regular expression, so "vm-1" also matches "vm-10".
        pattern = re.compile(req.q("name"))
        servers = [s for s in servers if pattern.search(s["name"])]
    return ok(req, {"servers": [_view(fake, req, s) for s in servers]})


def _bad(message: str) -> ApiError:
    return nova_error(400, message)


def _create_server(fake: FakeOpenStack, req: Request) -> Reply:
    body = req.body.get("server", {})
    region = req.region
    flavor = fake.find(region, "flavors", str(body.get("flavorRef", "")))
    if flavor is None:
        raise _bad(f"Flavor {body.get('flavorRef')} could not be found.")
    image = fake.find(region, "images", str(body.get("imageRef", "")))
    if image is None:
        raise _bad(f"Image {body.get('imageRef')} could not be found.")
    if image["status"] != "active":
        raise _bad(f"Image {image['id']} is not active.")
    key_name = body.get("key_name")
    if key_name and fake.find(region, "keypairs", f"{req.project}/{key_name}") is None:
        raise _bad("Invalid key_name provided.")
    zone = body.get("availability_zone") or fake.layout.zones[region][0]
    if zone not in fake.layout.zones[region]:
        raise _bad("The requested availability zone is not available")
    ports = []
    for net in body.get("networks") or []:
        port = fake.find(region, "ports", str(net.get("port", "")))
        if port is None:
            raise _bad(f"Port id {net.get('port')} could not be found.")
        if port["device_id"]:
            raise nova_error(409, f"Port {port['id']} is still in use.")
        ports.append(port)
    if not ports:
        raise _bad("Multiple possible networks found, use a Network ID to be more specific.")
    volumes = []
    for mapping in body.get("block_device_mapping_v2") or []:
        if mapping.get("source_type") == "volume":
            volume = fake.find(region, "volumes", str(mapping.get("uuid", "")))
            if volume is None or volume["status"] != "available":
                raise _bad(f"Block Device Mapping is Invalid: failed to get volume {mapping.get('uuid')}.")
            volumes.append(volume)
    server_id = fake.new_id()
    now = fake.now()
    server = {
        "id": server_id,
        "name": body.get("name", ""),
        "status": "BUILD",
        "OS-EXT-STS:task_state": "spawning",
        "OS-EXT-STS:vm_state": "building",
        "OS-EXT-STS:power_state": 0,
        "tenant_id": req.project,
        "user_id": "u-" + req.project[:8],
        "created": now,
        "updated": now,
        "hostId": "",
        "key_name": key_name,
        "image": {"id": image["id"], "links": []},
        "metadata": dict(body.get("metadata") or {}),
        "OS-EXT-AZ:availability_zone": zone,
        "OS-SRV-USG:launched_at": None,
        "OS-DCF:diskConfig": "MANUAL",
        "tags": list(body.get("tags") or []),
        "accessIPv4": "",
        "accessIPv6": "",
        "progress": 0,
        "config_drive": "",
        "locked": False,
        "description": None,
        "_user_data": body.get("user_data", ""),
        "_flavor": flavor["id"],
        "_volumes": [v["id"] for v in volumes],
        "_pending": [
            fake.polls_until_done,
            {
                "status": "ACTIVE",
                "OS-EXT-STS:task_state": None,
                "OS-EXT-STS:vm_state": "active",
                "OS-EXT-STS:power_state": 1,
                "OS-SRV-USG:launched_at": now,
                "progress": 100,
            },
        ],
    }
    fake.coll(region, "servers")[server_id] = server
    for port in ports:
        port.update(device_id=server_id, device_owner=f"compute:{zone}", status="ACTIVE")
    for volume in volumes:
        volume.update(
            status="in-use",
            attachments=[
                {
                    "server_id": server_id,
                    "volume_id": volume["id"],
                    "attachment_id": fake.new_id(),
                    "id": volume["id"],
                    "device": _attachment(server, volume["id"])["device"],
                }
            ],
        )
    answer = {
        "id": server_id,
        "links": [],
        "OS-DCF:diskConfig": "MANUAL",
        "adminPass": "x" * 12,
        "security_groups": [{"name": "default"}],
    }
    return ok(req, {"server": answer}, 202)


def _delete_server(fake: FakeOpenStack, req: Request) -> Reply:
    server = _server(fake, req)
    server.update({"OS-EXT-STS:task_state": "deleting"})
    server["_pending"] = [fake.polls_until_done, {"_gone": True}]
    return 204, None, mv_headers(req)


# action -> (vm_states it is allowed in, transitional fields, settled fields)
ACTIONS: dict[str, tuple[tuple[str, ...], dict[str, Any], dict[str, Any]]] = {
    "suspend": (
        ("active",),
        {"OS-EXT-STS:task_state": "suspending"},
        {"status": "SUSPENDED", "OS-EXT-STS:vm_state": "suspended", "OS-EXT-STS:power_state": 4},
    ),
    "resume": (
        ("suspended",),
        {"OS-EXT-STS:task_state": "resuming"},
        {"status": "ACTIVE", "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:power_state": 1},
    ),
    "reboot": (
        ("active", "stopped"),
        {"status": "REBOOT", "OS-EXT-STS:task_state": "rebooting"},
        {"status": "ACTIVE", "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:power_state": 1},
    ),
    "os-stop": (
        ("active",),
        {"OS-EXT-STS:task_state": "powering-off"},
        {"status": "SHUTOFF", "OS-EXT-STS:vm_state": "stopped", "OS-EXT-STS:power_state": 4},
    ),
    "os-start": (
        ("stopped",),
        {"OS-EXT-STS:task_state": "powering-on"},
        {"status": "ACTIVE", "OS-EXT-STS:vm_state": "active", "OS-EXT-STS:power_state": 1},
    ),
}


def _action(fake: FakeOpenStack, req: Request) -> Reply:
    server = _server(fake, req)
    ((name, argument),) = req.body.items() if len(req.body) == 1 else ((None, None),)
    if name == "createImage":
        return _create_image(fake, req, server, argument or {})
    if name not in ACTIONS:
        raise _bad(f"There is no such action: {name}")
    allowed, moving, settled = ACTIONS[name]
    label = {"os-stop": "stop", "os-start": "start"}.get(name, name)
    if server["OS-EXT-STS:task_state"]:
        raise nova_error(
            409, f"Cannot '{label}' instance {server['id']} while it is in task_state {server['OS-EXT-STS:task_state']}"
        )
    if server["OS-EXT-STS:vm_state"] not in allowed:
        raise nova_error(
            409, f"Cannot '{label}' instance {server['id']} while it is in vm_state {server['OS-EXT-STS:vm_state']}"
        )
    server.update(moving)
    server["_pending"] = [fake.polls_until_done, {**settled, "OS-EXT-STS:task_state": None}]
    return 202, None, mv_headers(req)


def _create_image(fake: FakeOpenStack, req: Request, server: dict[str, Any], argument: dict[str, Any]) -> Reply:
    if server["OS-EXT-STS:vm_state"] not in ("active", "stopped", "suspended") or server["OS-EXT-STS:task_state"]:
        raise nova_error(
            409, f"Cannot 'createImage' instance {server['id']} while it is in vm_state {server['OS-EXT-STS:vm_state']}"
        )
    base = fake.coll(req.region, "images")[server["image"]["id"]]
    image_id = fake.new_id()
    image = {
        **{
            k: v
            for k, v in base.items()
            if k
            in ("os_distro", "os_version", "architecture", "min_disk", "min_ram", "disk_format", "container_format")
        },
        "id": image_id,
        "name": argument.get("name", ""),
        "status": "queued",
        "visibility": "private",
        "owner": req.project,
        "image_type": "snapshot",
        "instance_uuid": server["id"],
        "base_image_ref": base["id"],
        "tags": [],
        "size": None,
        "created_at": fake.now(),
        "updated_at": fake.now(),
        "protected": False,
        **{str(k): str(v) for k, v in (argument.get("metadata") or {}).items()},
        "_pending": [fake.polls_until_done, {"status": "active", "size": 2147483648}],
    }
    fake.coll(req.region, "images")[image_id] = image
    if microversion(req) >= (2, 45):
        return ok(req, {"image_id": image_id}, 202)
    return 202, None, {**mv_headers(req), "Location": f"{req.url.split('/servers/')[0]}/images/{image_id}"}


def _update_metadata(fake: FakeOpenStack, req: Request) -> Reply:
    server = _server(fake, req)
    server["metadata"].update({str(k): str(v) for k, v in (req.body.get("metadata") or {}).items()})
    return ok(req, {"metadata": server["metadata"]})


def _delete_meta(fake: FakeOpenStack, req: Request) -> Reply:
    server = _server(fake, req)
    if req.params["key"] not in server["metadata"]:
        raise nova_error(404, "Metadata item was not found")
    server["metadata"].pop(req.params["key"])
    return 204, None, mv_headers(req)


def _attach(fake: FakeOpenStack, req: Request) -> Reply:
    server = _server(fake, req)
    body = req.body.get("volumeAttachment", {})
    volume = fake.find(req.region, "volumes", str(body.get("volumeId", "")))
    if volume is None:
        raise nova_error(404, f"Volume {body.get('volumeId')} could not be found.")
    if volume["status"] != "available":
        raise _bad(
            f"Invalid input received: Invalid volume: Volume {volume['id']} status must be available or "
            f"downloading to reserve, but the current status is {volume['status']}."
        )
    if server["OS-EXT-STS:vm_state"] not in ("active", "stopped"):
        raise nova_error(
            409,
            f"Cannot 'attach_volume' instance {server['id']} while it is in vm_state {server['OS-EXT-STS:vm_state']}",
        )
    server["_volumes"].append(volume["id"])
    attachment = _attachment(server, volume["id"])
    volume.update(
        status="attaching",
        attachments=[
            {
                "server_id": server["id"],
                "volume_id": volume["id"],
                "attachment_id": fake.new_id(),
                "id": volume["id"],
                "device": attachment["device"],
            }
        ],
    )
    volume["_pending"] = [fake.polls_until_done, {"status": "in-use"}]
    return ok(req, {"volumeAttachment": attachment})


def _detach(fake: FakeOpenStack, req: Request) -> Reply:
    server = _server(fake, req)
    volume_id = req.params["volume"]
    if volume_id not in server["_volumes"]:
        raise nova_error(404, f"volume_id not found: {volume_id}")
    server["_volumes"].remove(volume_id)
    volume = fake.find(req.region, "volumes", volume_id)
    if volume is not None:
        volume.update(status="detaching")
        volume["_pending"] = [fake.polls_until_done, {"status": "available", "attachments": []}]
    return 202, None, mv_headers(req)
