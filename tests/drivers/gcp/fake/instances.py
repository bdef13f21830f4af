"""VM instances (compute.instances) of a zone: insert with a boot disk from an image or a machine
image, the control calls, attachDisk/detachDisk, delete, and the project-wide aggregatedList.

An insert is checked when it is asked (the machine type, image, network, subnetwork and data disks
must exist) and takes effect when its operation finishes: the instance appears PROVISIONING, then
one read later STAGING and then RUNNING. stop/suspend/start/resume put the instance in STOPPING,
SUSPENDING or STAGING at once, read once as such, then it settles (TERMINATED, SUSPENDED, RUNNING).
A delete removes the instance at once, with its auto-delete boot disk, and frees its data disks.
Networks and subnetworks are read from the "global/networks" and "regions/<region>/subnetworks"
collections.
"""

from __future__ import annotations

import ipaddress
import itertools
from typing import Any

from tests.drivers.gcp.fake.disks import (
    ZONE_PATH,
    check_name,
    disk_type_of,
    filtered,
    new_disk,
    public,
    settle,
    zone_link_path,
)
from tests.drivers.gcp.fake.operations import start_operation
from tests.drivers.gcp.fake.regions import region_of_zone
from tests.drivers.gcp.fake.server import COMPUTE, LIST_QUERY, ApiError, FakeGCP, Request, not_found

_RELATIVE = "/compute/v1/"


def relative(url: str) -> str:
    return url.split(_RELATIVE, 1)[1] if _RELATIVE in url else url.strip("/")


def _not_ready(instance: dict[str, Any], action: str) -> ApiError:
    return ApiError(
        400,
        f"The resource '{relative(instance['selfLink'])}' is not ready for {action} (status {instance['status']}).",
        "resourceNotReady",
    )


def register(fake: FakeGCP) -> None:
    public_ips = (f"34.{a}.{b}.{c}" for a, b, c in itertools.product(range(120, 130), range(256), range(2, 255)))

    def instances_of(project: str, zone: str) -> dict[str, dict[str, Any]]:
        return fake.collection(project, f"zones/{zone}/instances")

    def existing(req: Request) -> dict[str, Any]:
        instance = instances_of(req.project, req.params["zone"]).get(req.params["instance"])
        if instance is None:
            raise not_found(f"projects/{req.project}/zones/{req.params['zone']}/instances/{req.params['instance']}")
        return instance

    def lookup(project: str, path: str, collection: str) -> dict[str, Any]:
        name = path.rstrip("/").rsplit("/", 1)[-1]
        found = fake.collection(project, collection).get(name)
        if found is None:
            raise not_found(relative(path))
        return found

    def image_of(project: str, reference: str) -> dict[str, Any]:
        path = relative(reference)
        parts = path.split("/")
        if len(parts) == 6 and parts[4] == "family":
            images = [i for i in fake.collection(parts[1], "images").values() if i.get("family") == parts[5]]
            live = [i for i in images if i.get("status") == "READY" and not i.get("deprecated", {}).get("state")]
            if not live:
                raise not_found(path)
            return max(live, key=lambda image: image["creationTimestamp"])
        if len(parts) != 5:
            raise ApiError(
                400,
                f"Invalid value for field 'resource.disks[0].initializeParams.sourceImage': '{reference}'.",
                "invalid",
            )
        return lookup(parts[1], path, "images")

    def private_ip(project: str, subnet: dict[str, Any]) -> str:
        taken = {
            nic.get("networkIP")
            for name, instances in fake.projects.get(project, {}).items()
            if name.endswith("/instances")
            for instance in instances.values()
            for nic in instance["networkInterfaces"]
        }
        hosts = ipaddress.IPv4Network(subnet["ipCidrRange"]).hosts()
        next(hosts)  # the gateway
        return next(str(ip) for ip in hosts if str(ip) not in taken)

    def attached(disk: dict[str, Any], index: int, *, boot: bool, auto_delete: bool, device: str) -> dict[str, Any]:
        return {
            "kind": "compute#attachedDisk",
            "type": "PERSISTENT",
            "mode": "READ_WRITE",
            "source": disk["selfLink"],
            "deviceName": device,
            "index": index,
            "boot": boot,
            "autoDelete": auto_delete,
            "interface": "SCSI",
            "diskSizeGb": disk["sizeGb"],
            "architecture": "X86_64",
        }

    def data_disk(project: str, zone: str, spec: dict[str, Any]) -> dict[str, Any]:
        disk = lookup(project, spec.get("source", ""), f"zones/{zone}/disks")
        if disk.get("users"):
            raise ApiError(
                400,
                f"The disk resource '{relative(disk['selfLink'])}' is already being used by "
                f"'{relative(disk['users'][0])}'",
                "resourceInUseByAnotherResource",
            )
        return disk

    def insert_instance(req: Request) -> dict[str, Any]:
        project, zone, body = req.project, req.params["zone"], req.body
        region = region_of_zone(zone)
        check_name(body.get("name"))
        name = str(body["name"])
        path = zone_link_path(zone, "instances", name)
        if name in instances_of(project, zone):
            raise ApiError(409, f"The resource 'projects/{project}/{path}' already exists", "alreadyExists")
        machine_type = str(body.get("machineType", "")).rstrip("/").rsplit("/", 1)[-1]
        if not any(item["name"] == machine_type for item in fake.catalogue["machine_types"]):
            raise ApiError(
                400, f"Invalid value for field 'resource.machineType': '{body.get('machineType')}'.", "invalid"
            )
        nics = body.get("networkInterfaces") or []
        if len(nics) != 1:
            raise ApiError(400, "The fake answers instances with exactly one network interface.", "invalid")
        network = lookup(project, relative(nics[0].get("network", "")), "global/networks")
        subnet = lookup(project, relative(nics[0].get("subnetwork", "")), f"regions/{region}/subnetworks")
        if relative(subnet["network"]) != relative(network["selfLink"]):
            raise ApiError(400, "Invalid value for field 'resource.networkInterfaces[0].subnetwork'.", "invalid")
        disks = body.get("disks") or []
        machine_image = None
        if body.get("sourceMachineImage"):
            machine_image = lookup(project, relative(body["sourceMachineImage"]), "global/machineImages")
            boot_spec: dict[str, Any] = dict(machine_image["sourceInstanceProperties"]["disks"][0])
        else:
            boot_spec = dict(disks[0]) if disks and disks[0].get("boot") else {}
            if not boot_spec:
                raise ApiError(400, "Invalid value for field 'resource.disks': a boot disk is required.", "invalid")
        params = boot_spec.get("initializeParams", {})
        image = image_of(project, params["sourceImage"]) if params.get("sourceImage") else None
        boot_type = disk_type_of(str(params.get("diskType", "pd-standard")), zone)
        boot_size = str(
            params.get("diskSizeGb") or (image or {}).get("diskSizeGb") or boot_spec.get("diskSizeGb", "10")
        )
        data_specs = [spec for spec in disks if not spec.get("boot")]
        for spec in data_specs:
            data_disk(project, zone, spec)

        def effect() -> None:
            if name in fake.collection(project, f"zones/{zone}/disks"):
                raise ApiError(
                    409, f"The resource 'projects/{project}/zones/{zone}/disks/{name}' already exists", "alreadyExists"
                )
            boot = new_disk(fake, project, zone, name, disk_type=boot_type, size_gb=boot_size, image=image)
            fake.collection(project, f"zones/{zone}/disks")[name] = boot
            link = fake.link(project, path)
            boot["users"] = [link]
            attachments = [attached(boot, 0, boot=True, auto_delete=True, device="persistent-disk-0")]
            for index, spec in enumerate(data_specs, start=1):
                disk = data_disk(project, zone, spec)
                disk["users"] = [link]
                device = spec.get("deviceName") or f"persistent-disk-{index}"
                attachments.append(
                    attached(disk, index, boot=False, auto_delete=bool(spec.get("autoDelete")), device=device)
                )
            instance: dict[str, Any] = {
                "kind": "compute#instance",
                "id": fake.new_id(),
                "creationTimestamp": fake.now(),
                "name": name,
                "tags": {"items": list((body.get("tags") or {}).get("items", [])), "fingerprint": "42WmSpB8rSM="},
                "machineType": fake.link(project, zone_link_path(zone, "machineTypes", machine_type)),
                "status": "PROVISIONING",
                "zone": fake.link(project, f"zones/{zone}"),
                "canIpForward": False,
                "networkInterfaces": [
                    {
                        "kind": "compute#networkInterface",
                        "network": network["selfLink"],
                        "subnetwork": subnet["selfLink"],
                        "networkIP": private_ip(project, subnet),
                        "name": "nic0",
                        "accessConfigs": [
                            {
                                **config,
                                "kind": "compute#accessConfig",
                                "natIP": next(public_ips),
                                "networkTier": "PREMIUM",
                            }
                            for config in nics[0].get("accessConfigs", [])
                        ],
                        "fingerprint": "ZI1Q9P5SwpE=",
                        "stackType": "IPV4_ONLY",
                    }
                ],
                "disks": attachments,
                "metadata": {"kind": "compute#metadata", "fingerprint": "Jr3QF8ngAv4=", **(body.get("metadata") or {})},
                "selfLink": link,
                "scheduling": {"onHostMaintenance": "MIGRATE", "automaticRestart": True, "preemptible": False},
                "cpuPlatform": "Unknown CPU Platform",
                "labelFingerprint": "42WmSpB8rSM=",
                "startRestricted": False,
                "deletionProtection": False,
                "fingerprint": "7tO1Ulg3ImA=",
                "_next": ["STAGING", running],
            }
            if body.get("labels"):
                instance["labels"] = dict(body["labels"])
            if machine_image is not None:
                instance["sourceMachineImage"] = machine_image["selfLink"]
            instances_of(project, zone)[name] = instance

        return start_operation(
            fake, project=project, scope=f"zones/{zone}", op_type="insert", target=path, effect=effect
        )

    def running(instance: dict[str, Any]) -> None:
        instance.update(status="RUNNING", lastStartTimestamp=fake.now())
        for config in instance["networkInterfaces"][0]["accessConfigs"]:
            config.setdefault("natIP", next(public_ips))

    def halted(status: str, stamp: str) -> Any:
        def step(instance: dict[str, Any]) -> None:
            instance.update({"status": status, stamp: fake.now()})
            for config in instance["networkInterfaces"][0]["accessConfigs"]:
                config.pop("natIP", None)  # an ephemeral external IP goes with the running machine

        return step

    def control(action: str, allowed: tuple[str, ...], now: str, then: list[Any]) -> Any:
        def handler(req: Request) -> dict[str, Any]:
            instance = existing(req)
            if instance["status"] not in allowed:
                raise _not_ready(instance, action)
            if now:
                instance.update(status=now, _next=[now, *then])  # seen once as it is, then on
            zone = req.params["zone"]
            return start_operation(
                fake, project=req.project, scope=f"zones/{zone}", op_type=action, target=relative(instance["selfLink"])
            )

        return handler

    def delete_instance(req: Request) -> dict[str, Any]:
        instance = existing(req)
        project, zone = req.project, req.params["zone"]
        disks = fake.collection(project, f"zones/{zone}/disks")
        for disk_ref in instance["disks"]:
            disk = disks.get(disk_ref["source"].rsplit("/", 1)[-1])
            if disk is None:
                continue
            if disk_ref.get("autoDelete"):
                disks.pop(disk["name"])
            else:
                disk.pop("users", None)
                disk["lastDetachTimestamp"] = fake.now()
        instances_of(project, zone).pop(instance["name"])
        return start_operation(
            fake, project=project, scope=f"zones/{zone}", op_type="delete", target=relative(instance["selfLink"])
        )

    def attach_disk(req: Request) -> dict[str, Any]:
        instance = existing(req)
        project, zone = req.project, req.params["zone"]
        disk = data_disk(project, zone, req.body)

        def effect() -> None:
            if disk.get("users"):
                raise ApiError(
                    400,
                    f"The disk resource '{relative(disk['selfLink'])}' is already being used",
                    "resourceInUseByAnotherResource",
                )
            index = max((d["index"] for d in instance["disks"]), default=-1) + 1
            device = req.body.get("deviceName") or f"persistent-disk-{index}"
            instance["disks"].append(
                attached(disk, index, boot=False, auto_delete=bool(req.body.get("autoDelete")), device=device)
            )
            disk.update(users=[instance["selfLink"]], lastAttachTimestamp=fake.now())

        return start_operation(
            fake,
            project=project,
            scope=f"zones/{zone}",
            op_type="attachDisk",
            target=relative(instance["selfLink"]),
            effect=effect,
        )

    def detach_disk(req: Request) -> dict[str, Any]:
        instance = existing(req)
        project, zone, device = req.project, req.params["zone"], req.query.get("deviceName", "")
        found = next((d for d in instance["disks"] if d["deviceName"] == device), None)
        if found is None:
            raise ApiError(400, f"Invalid value for field 'deviceName': '{device}'. No attached disk found.", "invalid")

        def effect() -> None:
            instance["disks"].remove(found)
            disk = fake.collection(project, f"zones/{zone}/disks").get(found["source"].rsplit("/", 1)[-1])
            if disk is not None:
                disk.pop("users", None)
                disk["lastDetachTimestamp"] = fake.now()

        return start_operation(
            fake,
            project=project,
            scope=f"zones/{zone}",
            op_type="detachDisk",
            target=relative(instance["selfLink"]),
            effect=effect,
        )

    def read(instances: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for instance in instances:
            settle(instance)
        return [public(instance) for instance in sorted(instances, key=lambda i: i["name"])]

    def get_instance(req: Request) -> dict[str, Any]:
        return read([existing(req)])[0]

    def list_instances(req: Request) -> dict[str, Any]:
        zone = req.params["zone"]
        items = filtered(read(list(instances_of(req.project, zone).values())), req)
        return fake.page(
            items,
            req,
            kind="compute#instanceList",
            id=f"projects/{req.project}/zones/{zone}/instances",
            selfLink=fake.link(req.project, f"zones/{zone}/instances"),
        )

    def aggregated_instances(req: Request) -> dict[str, Any]:
        scoped: dict[str, Any] = {}
        for name, collection in sorted(fake.projects.get(req.project, {}).items()):
            if name.startswith("zones/") and name.endswith("/instances") and collection:
                scoped[name.removesuffix("/instances")] = {"instances": read(list(collection.values()))}
        return {
            "kind": "compute#instanceAggregatedList",
            "id": f"projects/{req.project}/aggregated/instances",
            "items": scoped,
            "selfLink": fake.link(req.project, "aggregated/instances"),
        }

    path = f"{ZONE_PATH}/instances"
    one = f"{path}/(?P<instance>[^/]+)"
    fake.route("GET", COMPUTE, path, list_instances, query=LIST_QUERY | {"filter"})
    fake.route("POST", COMPUTE, path, insert_instance)
    fake.route("GET", COMPUTE, one, get_instance)
    fake.route("DELETE", COMPUTE, one, delete_instance)
    fake.route(
        "POST",
        COMPUTE,
        f"{one}/stop",
        control("stop", ("RUNNING", "SUSPENDED"), "STOPPING", [halted("TERMINATED", "lastStopTimestamp")]),
    )
    fake.route(
        "POST",
        COMPUTE,
        f"{one}/suspend",
        control("suspend", ("RUNNING",), "SUSPENDING", [halted("SUSPENDED", "lastSuspendedTimestamp")]),
    )
    fake.route("POST", COMPUTE, f"{one}/start", control("start", ("TERMINATED",), "STAGING", [running]))
    fake.route("POST", COMPUTE, f"{one}/resume", control("resume", ("SUSPENDED",), "STAGING", [running]))
    fake.route("POST", COMPUTE, f"{one}/reset", control("reset", ("RUNNING",), "", []))
    fake.route("POST", COMPUTE, f"{one}/attachDisk", attach_disk)
    fake.route("POST", COMPUTE, f"{one}/detachDisk", detach_disk, query=frozenset({"deviceName"}))
    fake.route(
        "GET",
        COMPUTE,
        "/projects/(?P<project>[^/]+)/aggregated/instances",
        aggregated_instances,
        query=LIST_QUERY | {"filter", "returnPartialSuccess", "includeAllScopes"},
    )
