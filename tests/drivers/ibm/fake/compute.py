"""Instances with their network interface, initialization and actions; floating IPs.

The rules modelled (VPC API reference, "Virtual server instances" and "Floating IPs"):
- an instance starts `pending` -> `starting` -> `running`; `stop` goes `stopping` -> `stopped`, `start`
  `starting` -> `running`, `reboot` `restarting` -> `running`; an action the status does not allow is
  refused (409); a delete goes through `deleting`, then frees its interface (security group targets,
  floating IP binding) and its data volumes, and deletes the boot volume it created;
- the image, profile, keys, subnet and security groups of a new instance must exist; the subnet must
  be `available` and in the instance's zone;
- an instance boots from a public image or from a `stable` snapshot (a restored boot volume);
- a floating IP is bound to one network interface and must be unbound (or deleted) separately.
"""

from __future__ import annotations

from typing import Any

from tests.drivers.ibm.fake.catalog import PROFILES
from tests.drivers.ibm.fake.network import next_address, ref
from tests.drivers.ibm.fake.server import ApiError, FakeIBM, Request, not_found
from tests.drivers.ibm.fake.storage import new_attachment, new_volume

LIST = frozenset({"limit", "start"})
ACTIONS = {
    "stop": ("running", "stopping", "stopped"),
    "start": ("stopped", "starting", "running"),
    "reboot": ("running", "restarting", "running"),
}


def register(fake: FakeIBM) -> None:
    fake.route("GET", r"/instances", lambda req: _list(fake, req, "instances"), query=LIST)
    fake.route("POST", r"/instances", lambda req: create_instance(fake, req))
    fake.route("GET", r"/instances/(?P<id>[^/]+)", lambda req: _get(fake, req, "instances", "Instance"))
    fake.route("DELETE", r"/instances/(?P<id>[^/]+)", lambda req: delete_instance(fake, req))
    fake.route("GET", r"/instances/(?P<id>[^/]+)/initialization", lambda req: _initialization(fake, req))
    fake.route("POST", r"/instances/(?P<id>[^/]+)/actions", lambda req: instance_action(fake, req))
    fake.route("GET", r"/instances/(?P<id>[^/]+)/network_interfaces/(?P<nic>[^/]+)", lambda req: _nic(fake, req))
    fake.route("GET", r"/floating_ips", lambda req: _list(fake, req, "floating_ips"), query=LIST)
    fake.route("POST", r"/floating_ips", lambda req: create_floating_ip(fake, req))
    fake.route("DELETE", r"/floating_ips/(?P<id>[^/]+)", lambda req: delete_floating_ip(fake, req))


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


# --- instances -------------------------------------------------------------------------------------


def create_instance(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    instances = _col(fake, req, "instances")
    body = req.body
    name = str(body.get("name", ""))
    fake.unique_name(instances, name)
    profile = str((body.get("profile") or {}).get("name", ""))
    row = next((row for row in PROFILES if row[0] == profile), None)
    if row is None:
        raise not_found("Instance profile", profile)
    zone = str((body.get("zone") or {}).get("name", ""))
    vpc = _need(fake, req, "vpcs", _ident(body.get("vpc")), "VPC")
    boot = body.get("boot_volume_attachment") or {}
    boot_volume = boot.get("volume") or {}
    image: dict[str, Any] | None = None
    snapshot: dict[str, Any] | None = None
    if "image" in body:
        image = next((i for i in fake.catalogue["images"] if i["id"] == _ident(body["image"])), None)
        if image is None:
            raise not_found("Image", _ident(body["image"]))
    elif "source_snapshot" in boot_volume:
        snapshot = _need(fake, req, "snapshots", _ident(boot_volume["source_snapshot"]), "Snapshot")
        if snapshot["lifecycle_state"] != "stable":
            raise ApiError(409, "snapshot_not_stable", "The snapshot is not stable yet.")
    else:
        raise ApiError(
            400,
            "validation_required_field_missing",
            "image or boot_volume_attachment.volume.source_snapshot is required",
        )
    keys = [_need(fake, req, "keys", _ident(key), "Key") for key in body.get("keys", [])]
    nic_body = body.get("primary_network_interface") or {}
    subnet = _need(fake, req, "subnets", _ident(nic_body.get("subnet")), "Subnet")
    if subnet["status"] != "available":
        raise ApiError(409, "subnet_not_available", f"Subnet {subnet['name']} is not available.")
    if subnet["zone"]["name"] != zone or subnet["vpc"]["id"] != vpc["id"]:
        raise ApiError(400, "subnet_zone_mismatch", "The subnet must be in the instance's VPC and zone.")
    groups = [
        _need(fake, req, "security_groups", _ident(sg), "Security group") for sg in nic_body.get("security_groups", [])
    ]
    data = [
        _need(fake, req, "volumes", _ident(att.get("volume") or {}), "Volume")
        for att in body.get("volume_attachments", [])
    ]
    for volume in data:
        if volume["volume_attachments"]:
            raise ApiError(409, "volume_in_use_by_another_instance", f"Volume {volume['name']} is already attached.")
        if volume["zone"]["name"] != zone:
            raise ApiError(400, "volume_zone_mismatch", f"Volume {volume['name']} is not in zone {zone}.")
    if not groups:
        groups = [_need(fake, req, "security_groups", vpc["default_security_group"]["id"], "Security group")]
    instance = {
        "id": fake.new_id(zone),
        "name": name,
        "created_at": fake.now(),
        "resource_type": "instance",
        "resource_group": {"id": "a1b2c3d4e5f6", "name": "Default"},
        "status": "pending",
        "profile": {"name": profile},
        "vcpu": {"architecture": row[4], "count": row[2]},
        "memory": row[3],
        "vpc": ref(vpc),
        "zone": {"name": zone},
        "image": ref(image) if image else (ref(snapshot["_image"]) if snapshot and snapshot.get("_image") else None),
        "startable": True,
    }
    instance["crn"] = fake.crn(req.account, req.region, "instance", instance["id"])
    instance["href"] = fake.href(req.region, f"instances/{instance['id']}")
    if instance["image"] is None:
        instance.pop("image")
    nic_id = fake.new_id(zone)
    nic = {
        "id": nic_id,
        "name": str(nic_body.get("name") or "eth0"),
        "href": fake.href(req.region, f"instances/{instance['id']}/network_interfaces/{nic_id}"),
        "subnet": ref(subnet),
        "primary_ip": {"address": next_address(subnet)},
        "resource_type": "network_interface",
    }
    instance["primary_network_interface"] = nic
    instance["network_interfaces"] = [nic]
    instance["_nic"] = {**nic, "security_groups": [ref(sg) for sg in groups], "floating_ips": []}
    for sg in groups:
        sg["targets"].append({"id": nic_id, "resource_type": "network_interface"})
    instance["_user_data"] = str(body.get("user_data", ""))
    instance["_keys"] = [{"id": k["id"], "name": k["name"], "fingerprint": k["fingerprint"]} for k in keys]
    volumes = _col(fake, req, "volumes")
    boot_vol = new_volume(
        fake,
        req,
        str(boot_volume.get("name") or f"{name}-boot"),
        zone,
        int(boot_volume.get("capacity") or 100),
        str((boot_volume.get("profile") or {}).get("name") or "general-purpose"),
    )
    boot_vol["status"] = "available"
    boot_vol["_settle"] = []
    boot_vol["_image"] = image or (snapshot or {}).get("_image")
    if snapshot is not None:
        boot_vol["source_snapshot"] = ref(snapshot)
    volumes[boot_vol["id"]] = boot_vol
    instance["boot_volume_attachment"] = new_attachment(fake, instance, boot_vol, "boot", delete_with=True)
    instance["volume_attachments"] = [instance["boot_volume_attachment"]]
    for volume in data:
        instance["volume_attachments"].append(new_attachment(fake, instance, volume, "data", delete_with=False))
    instance["lifecycle_state"] = "pending"
    fake.settle_later(instance, "status", "starting")
    fake.settle_later(instance, "status", "running", then=lambda: instance.update(lifecycle_state="stable"))
    instances[instance["id"]] = instance
    return 201, fake.public(instance)


def _initialization(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    instance = _need(fake, req, "instances", req.params["id"], "Instance")
    return 200, {
        "keys": instance["_keys"],
        "user_accounts": [],
        "boot_volume_attachment": instance["boot_volume_attachment"],
    }


def _nic(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    instance = _need(fake, req, "instances", req.params["id"], "Instance")
    if instance["_nic"]["id"] != req.params["nic"]:
        raise not_found("Network interface", req.params["nic"])
    return 200, instance["_nic"]


def instance_action(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    instance = _need(fake, req, "instances", req.params["id"], "Instance")
    kind = str(req.body.get("type", ""))
    if kind not in ACTIONS:
        raise ApiError(400, "validation_invalid_type", f"Action type {kind} is not valid.", target="type")
    before, during, after = ACTIONS[kind]
    if instance["status"] != before:
        raise ApiError(409, "instance_invalid_state", f"Instance is {instance['status']}; {kind} needs it {before}.")
    instance["status"] = during
    instance["_settle"] = []
    fake.settle_later(instance, "status", after)
    return 201, {"id": fake.new_id(), "type": kind, "status": "pending", "created_at": fake.now()}


def delete_instance(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    instances = _col(fake, req, "instances")
    instance = fake.lookup(instances, req.params["id"], "Instance")
    if instance["status"] == "deleting":
        return 204, None
    if instance["_nic"]["floating_ips"]:
        # IBM keeps a bound floating IP; the instance delete unbinds it (the IP itself stays).
        for fip in _col(fake, req, "floating_ips").values():
            if fip.get("target", {}).get("id") == instance["_nic"]["id"]:
                fip.pop("target", None)

    def gone() -> None:
        nic_id = instance["_nic"]["id"]
        for sg in _col(fake, req, "security_groups").values():
            sg["targets"] = [t for t in sg["targets"] if t["id"] != nic_id]
        volumes = _col(fake, req, "volumes")
        for attachment in instance["volume_attachments"]:
            volume = volumes.get(attachment["volume"]["id"])
            if volume is None:
                continue
            if attachment["delete_volume_on_instance_delete"]:
                volumes.pop(volume["id"])
            else:
                volume["volume_attachments"] = []
                volume["attachment_state"] = "unattached"

    instance["status"] = "deleting"
    instance["_settle"] = []
    fake.settle_later(instance, "status", None, then=gone)
    return 204, None


# --- floating IPs ------------------------------------------------------------------------------------


def create_floating_ip(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    fips = _col(fake, req, "floating_ips")
    name = str(req.body.get("name", ""))
    fake.unique_name(fips, name)
    target_id = _ident(req.body.get("target"))
    owner = next((i for i in _col(fake, req, "instances").values() if i["_nic"]["id"] == target_id), None)
    if owner is None:
        raise not_found("Network interface", target_id)
    if owner["_nic"]["floating_ips"]:
        raise ApiError(409, "floating_ip_target_in_use", "The network interface already has a floating IP.")
    number = len(fips) + 1
    ident = fake.new_id(owner["zone"]["name"])
    fip = {
        "id": ident,
        "name": name,
        "href": fake.href(req.region, f"floating_ips/{ident}"),
        "crn": fake.crn(req.account, req.region, "floating-ip", ident),
        "address": f"52.116.{number // 250}.{number % 250 + 1}",
        "status": "available",
        "zone": owner["zone"],
        "target": {"id": target_id, "resource_type": "network_interface", "primary_ip": owner["_nic"]["primary_ip"]},
        "created_at": fake.now(),
    }
    owner["_nic"]["floating_ips"].append({k: fip[k] for k in ("id", "name", "address", "crn")})
    fips[ident] = fip
    return 201, fip


def delete_floating_ip(fake: FakeIBM, req: Request) -> tuple[int, Any]:
    fips = _col(fake, req, "floating_ips")
    fip = fake.lookup(fips, req.params["id"], "Floating IP")
    for instance in _col(fake, req, "instances").values():
        instance["_nic"]["floating_ips"] = [f for f in instance["_nic"]["floating_ips"] if f["id"] != fip["id"]]
    fips.pop(fip["id"])
    return 204, None
