"""Unmanaged instance groups (compute.instanceGroups) of a zone: insert, get, delete, addInstances,
removeInstances and listInstances.

A group is bound to a network; an instance joins only when its interface is in that network and
it is in the group's zone. An instance that is deleted leaves every group at once (Compute Engine
drops deleted members by itself), so members are read against the zone's instances. A group a
backend service uses cannot be deleted (backend services live in load_balancers.py).
"""

from __future__ import annotations

from typing import Any

from tests.drivers.gcp.fake.disks import ZONE_PATH, settle, zone_link_path
from tests.drivers.gcp.fake.networks import check_name, in_use, path_of, resolve
from tests.drivers.gcp.fake.operations import start_operation
from tests.drivers.gcp.fake.server import COMPUTE, LIST_QUERY, ApiError, FakeGCP, Request, not_found


def groups_of(fake: FakeGCP, project: str, zone: str) -> dict[str, dict[str, Any]]:
    return fake.collection(project, f"zones/{zone}/instanceGroups")


def backend_users(fake: FakeGCP, project: str, link: str) -> list[str]:
    """The backend services (any region) with `link` among their backends."""
    return [
        backend["selfLink"]
        for name, records in fake.projects.get(project, {}).items()
        if name.endswith("/backendServices")
        for backend in records.values()
        if any(item.get("group") == link for item in backend.get("backends", []))
    ]


def members(fake: FakeGCP, project: str, group: dict[str, Any]) -> list[dict[str, Any]]:
    """The group's instances that still exist, in the order they joined."""
    zone = group["zone"].rsplit("/", 1)[-1]
    instances = fake.collection(project, f"zones/{zone}/instances")
    found = []
    for link in list(group["_members"]):
        instance = instances.get(link.rsplit("/", 1)[-1])
        if instance is None:
            group["_members"].remove(link)
            continue
        found.append(instance)
    group["size"] = len(group["_members"])
    return found


def register(fake: FakeGCP) -> None:
    def existing(req: Request) -> dict[str, Any]:
        group = groups_of(fake, req.project, req.params["zone"]).get(req.params["group"])
        if group is None:
            raise not_found(f"projects/{req.project}/zones/{req.params['zone']}/instanceGroups/{req.params['group']}")
        members(fake, req.project, group)
        return group

    def public(group: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in group.items() if not key.startswith("_")}

    def insert_group(req: Request) -> dict[str, Any]:
        project, zone, body = req.project, req.params["zone"], req.body
        name = check_name(body.get("name"))
        path = zone_link_path(zone, "instanceGroups", name)
        if name in groups_of(fake, project, zone):
            raise ApiError(409, f"The resource 'projects/{project}/{path}' already exists", "alreadyExists")
        network = resolve(fake, project, str(body.get("network", "")))
        if network not in {item["selfLink"] for item in fake.collection(project, "global/networks").values()}:
            raise not_found(path_of(network))
        record: dict[str, Any] = {
            "kind": "compute#instanceGroup",
            "id": fake.new_id(),
            "creationTimestamp": fake.now(),
            "name": name,
            "description": body.get("description", ""),
            "network": network,
            "zone": fake.link(project, f"zones/{zone}"),
            "selfLink": fake.link(project, path),
            "fingerprint": "42WmSpB8rSM=",
            "size": 0,
            "_members": [],
        }

        def effect() -> None:
            groups_of(fake, project, zone)[name] = record

        return start_operation(
            fake, project=project, scope=f"zones/{zone}", op_type="compute.instanceGroups.insert", target=path,
            effect=effect,
        )  # fmt: skip

    def delete_group(req: Request) -> dict[str, Any]:
        group = existing(req)
        project, zone, path = req.project, req.params["zone"], path_of(group["selfLink"])
        users = backend_users(fake, project, group["selfLink"])
        if users:
            raise in_use(path, path_of(users[0]))
        groups_of(fake, project, zone).pop(group["name"])
        return start_operation(
            fake, project=project, scope=f"zones/{zone}", op_type="compute.instanceGroups.delete", target=path
        )

    def references(req: Request) -> list[str]:
        refs = req.body.get("instances")
        if not isinstance(refs, list) or not refs:
            raise ApiError(400, "Invalid value for field 'resource.instances': ''.", "invalid")
        return [resolve(fake, req.project, str(ref.get("instance", ""))) for ref in refs]

    def add_instances(req: Request) -> dict[str, Any]:
        group = existing(req)
        project, zone = req.project, req.params["zone"]
        links = references(req)
        for link in links:
            instance = fake.collection(project, f"zones/{zone}/instances").get(link.rsplit("/", 1)[-1])
            if instance is None or instance["selfLink"] != link:
                raise not_found(path_of(link))
            if instance["networkInterfaces"][0]["network"] != group["network"]:
                raise ApiError(
                    400,
                    f"Resource '{path_of(link)}' is not in the network of instance group '{group['name']}'.",
                    "invalid",
                )
            if link in group["_members"]:
                raise ApiError(
                    400, f"Resource '{path_of(link)}' is already a member of '{path_of(group['selfLink'])}'", "invalid"
                )

        def effect() -> None:
            group["_members"].extend(links)
            group["size"] = len(group["_members"])

        return start_operation(
            fake, project=project, scope=f"zones/{zone}", op_type="compute.instanceGroups.addInstances",
            target=path_of(group["selfLink"]), effect=effect,
        )  # fmt: skip

    def remove_instances(req: Request) -> dict[str, Any]:
        group = existing(req)
        project, zone = req.project, req.params["zone"]
        links = references(req)
        for link in links:
            if link not in group["_members"]:
                raise ApiError(
                    400, f"Resource '{path_of(link)}' is not a member of '{path_of(group['selfLink'])}'", "invalid"
                )

        def effect() -> None:
            group["_members"] = [link for link in group["_members"] if link not in links]
            group["size"] = len(group["_members"])

        return start_operation(
            fake, project=project, scope=f"zones/{zone}", op_type="compute.instanceGroups.removeInstances",
            target=path_of(group["selfLink"]), effect=effect,
        )  # fmt: skip

    def list_instances(req: Request) -> dict[str, Any]:
        group = existing(req)
        state = req.body.get("instanceState", "ALL")
        items = []
        for instance in members(fake, req.project, group):
            settle(instance)
            if state == "RUNNING" and instance["status"] != "RUNNING":
                continue
            items.append({"instance": instance["selfLink"], "status": instance["status"]})
        return fake.page(items, req, kind="compute#instanceGroupsListInstances", id=group["selfLink"])

    def get_group(req: Request) -> dict[str, Any]:
        return public(existing(req))

    path = f"{ZONE_PATH}/instanceGroups"
    one = f"{path}/(?P<group>[^/]+)"
    fake.route("POST", COMPUTE, path, insert_group)
    fake.route("GET", COMPUTE, one, get_group)
    fake.route("DELETE", COMPUTE, one, delete_group)
    fake.route("POST", COMPUTE, f"{one}/addInstances", add_instances)
    fake.route("POST", COMPUTE, f"{one}/removeInstances", remove_instances)
    fake.route("POST", COMPUTE, f"{one}/listInstances", list_instances, query=LIST_QUERY)
