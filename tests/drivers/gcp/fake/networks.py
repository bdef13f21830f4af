"""Networks (compute.networks, global) and subnetworks (compute.subnetworks, regional).

Inserts and deletes are long-running operations. A network cannot be deleted while subnetworks or
firewalls use it (the operation fails), nor a subnetwork while an instance has an interface in it
(the request is refused), as Compute Engine answers; instances are those the state holds under
`zones/<zone>/instances` (instances.py).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from tests.drivers.gcp.fake.operations import start_operation
from tests.drivers.gcp.fake.regions import REGIONS
from tests.drivers.gcp.fake.server import COMPUTE, LIST_QUERY, ApiError, FakeGCP, Request, not_found

NAME = re.compile(r"^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")
NAME_RULE = "(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)"
_LINK = re.compile(r"^(?:https?://[^/]+/compute/v1/)?(?:projects/(?P<project>[^/]+)/)?(?P<path>.+)$")


_FILTER = re.compile(r'^(?P<field>id|name)\s*=\s*"?(?P<value>[-a-z0-9]+)"?$')
FILTERED_LIST = LIST_QUERY | {"filter"}


def filtered(items: list[dict[str, Any]], req: Request) -> list[dict[str, Any]]:
    """The items a list `filter` keeps; the fake understands `id = <number>` and `name = <name>`."""
    text = req.query.get("filter", "").strip()
    if not text:
        return items
    match = _FILTER.match(text)
    if match is None:
        raise ApiError(400, f"Invalid list filter expression '{text}'.", "invalid")
    return [item for item in items if str(item.get(match.group("field"))) == match.group("value")]


def check_name(value: Any, field: str = "resource.name") -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise ApiError(
            400, f"Invalid value for field '{field}': '{value}'. Must be a match of regex '{NAME_RULE}'", "invalid"
        )
    return value


def resolve(fake: FakeGCP, project: str, reference: str) -> str:
    """A reference (URL, projects/... path or global/... path) as the full URL Compute Engine answers."""
    match = _LINK.match(reference.strip())
    if match is None:
        return reference
    return fake.link(match.group("project") or project, match.group("path"))


def path_of(link: str) -> str:
    return link.split("/compute/v1/", 1)[-1]


def in_use(path: str, user: str) -> ApiError:
    return ApiError(
        400,
        f"The {path.split('/')[-2][:-1]} resource '{path}' is already being used by '{user}'",
        "resourceInUseByAnotherResource",
    )


def instances(fake: FakeGCP, project: str) -> list[dict[str, Any]]:
    """Every instance of every zone the state holds."""
    found: list[dict[str, Any]] = []
    for kind, records in sorted(fake.projects.get(project, {}).items()):
        if kind.startswith("zones/") and kind.endswith("/instances"):
            found.extend(records.values())
    return found


def _subnetworks(fake: FakeGCP, project: str) -> list[dict[str, Any]]:
    return [
        subnet
        for region in sorted(REGIONS)
        for subnet in fake.collection(project, f"regions/{region}/subnetworks").values()
    ]


def register(fake: FakeGCP) -> None:
    base = "/projects/(?P<project>[^/]+)"

    def networks(project: str) -> dict[str, dict[str, Any]]:
        return fake.collection(project, "global/networks")

    def list_networks(req: Request) -> dict[str, Any]:
        items = filtered(sorted(networks(req.project).values(), key=lambda item: item["name"]), req)
        return fake.page(
            items,
            req,
            kind="compute#networkList",
            id=f"projects/{req.project}/global/networks",
            selfLink=fake.link(req.project, "global/networks"),
        )

    def get_network(req: Request) -> dict[str, Any]:
        network = networks(req.project).get(req.params["network"])
        if network is None:
            raise not_found(f"projects/{req.project}/global/networks/{req.params['network']}")
        return network

    def insert_network(req: Request) -> dict[str, Any]:
        body, project = req.body, req.project
        name = check_name(body.get("name"))
        if name in networks(project):
            raise ApiError(
                409, f"The resource 'projects/{project}/global/networks/{name}' already exists", "alreadyExists"
            )
        if "IPv4Range" in body:
            raise ApiError(400, "Legacy networks are not supported.", "invalid")
        record = {
            "kind": "compute#network",
            "id": fake.new_id(),
            "creationTimestamp": fake.now(),
            "name": name,
            "description": body.get("description", ""),
            "selfLink": fake.link(project, f"global/networks/{name}"),
            "autoCreateSubnetworks": bool(body.get("autoCreateSubnetworks", False)),
            "routingConfig": {"routingMode": body.get("routingConfig", {}).get("routingMode", "REGIONAL")},
            "mtu": int(body.get("mtu", 1460)),
            "networkFirewallPolicyEnforcementOrder": "AFTER_CLASSIC_FIREWALL",
        }
        if not record["description"]:
            del record["description"]

        def effect() -> None:
            networks(project)[name] = record

        return start_operation(
            fake, project=project, scope="global", op_type="insert", target=f"global/networks/{name}", effect=effect
        )

    def delete_network(req: Request) -> dict[str, Any]:
        project, name = req.project, req.params["network"]
        path = f"projects/{project}/global/networks/{name}"
        if name not in networks(project):
            raise not_found(path)
        link = fake.link(project, f"global/networks/{name}")

        def effect() -> None:
            users = [s["selfLink"] for s in _subnetworks(fake, project) if s["network"] == link]
            users += [
                f["selfLink"] for f in fake.collection(project, "global/firewalls").values() if f["network"] == link
            ]
            if users:
                raise in_use(path, path_of(users[0]))
            networks(project).pop(name, None)

        return start_operation(
            fake, project=project, scope="global", op_type="delete", target=f"global/networks/{name}", effect=effect
        )

    def subnets(project: str, region: str) -> dict[str, dict[str, Any]]:
        if region not in REGIONS:
            raise not_found(f"projects/{project}/regions/{region}")
        return fake.collection(project, f"regions/{region}/subnetworks")

    def list_subnets(req: Request) -> dict[str, Any]:
        region = req.params["region"]
        items = filtered(sorted(subnets(req.project, region).values(), key=lambda item: item["name"]), req)
        return fake.page(
            items,
            req,
            kind="compute#subnetworkList",
            id=f"projects/{req.project}/regions/{region}/subnetworks",
            selfLink=fake.link(req.project, f"regions/{region}/subnetworks"),
        )

    def get_subnet(req: Request) -> dict[str, Any]:
        region, name = req.params["region"], req.params["subnetwork"]
        subnet = subnets(req.project, region).get(name)
        if subnet is None:
            raise not_found(f"projects/{req.project}/regions/{region}/subnetworks/{name}")
        return subnet

    def insert_subnet(req: Request) -> dict[str, Any]:
        body, project, region = req.body, req.project, req.params["region"]
        name = check_name(body.get("name"))
        if name in subnets(project, region):
            raise ApiError(
                409,
                f"The resource 'projects/{project}/regions/{region}/subnetworks/{name}' already exists",
                "alreadyExists",
            )
        network = resolve(fake, project, str(body.get("network", "")))
        if network not in {item["selfLink"] for item in networks(project).values()}:
            raise not_found(path_of(network))
        text = str(body.get("ipCidrRange", ""))
        try:
            net = ipaddress.IPv4Network(text, strict=True)
        except ValueError:
            raise ApiError(
                400,
                f"Invalid value for field 'resource.ipCidrRange': '{text}'. Invalid IPCidrRange: "
                f"{text} is not a valid CIDR range.",
                "invalid",
            ) from None
        if not 8 <= net.prefixlen <= 29:
            raise ApiError(400, f"Invalid IPCidrRange: {text}. The prefix length must be between 8 and 29.", "invalid")
        for other in _subnetworks(fake, project):
            if other["network"] == network and net.overlaps(ipaddress.IPv4Network(other["ipCidrRange"])):
                other_region = other["region"].rsplit("/", 1)[-1]
                raise ApiError(
                    400,
                    f"Invalid IPCidrRange: {text} conflicts with existing subnetwork "
                    f"'{other['name']}' in region '{other_region}'.",
                    "invalid",
                )
        record = {
            "kind": "compute#subnetwork",
            "id": fake.new_id(),
            "creationTimestamp": fake.now(),
            "name": name,
            "description": body.get("description", ""),
            "network": network,
            "ipCidrRange": str(net),
            "gatewayAddress": str(net.network_address + 1),
            "region": fake.link(project, f"regions/{region}"),
            "selfLink": fake.link(project, f"regions/{region}/subnetworks/{name}"),
            "privateIpGoogleAccess": bool(body.get("privateIpGoogleAccess", False)),
            "fingerprint": "9Xq2fC1mQ0s=",
            "stackType": body.get("stackType", "IPV4_ONLY"),
            "purpose": "PRIVATE",
        }

        def effect() -> None:
            subnets(project, region)[name] = record
            owner = next(item for item in networks(project).values() if item["selfLink"] == network)
            owner.setdefault("subnetworks", []).append(record["selfLink"])

        return start_operation(
            fake,
            project=project,
            scope=f"regions/{region}",
            op_type="insert",
            target=f"regions/{region}/subnetworks/{name}",
            effect=effect,
        )

    def delete_subnet(req: Request) -> dict[str, Any]:
        project, region, name = req.project, req.params["region"], req.params["subnetwork"]
        path = f"projects/{project}/regions/{region}/subnetworks/{name}"
        subnet = subnets(project, region).get(name)
        if subnet is None:
            raise not_found(path)
        for instance in instances(fake, project):
            if any(
                resolve(fake, project, nic.get("subnetwork", "")) == subnet["selfLink"]
                for nic in instance.get("networkInterfaces", [])
            ):
                zone = instance["zone"].rsplit("/", 1)[-1]
                raise in_use(path, f"projects/{project}/zones/{zone}/instances/{instance['name']}")

        def effect() -> None:
            subnets(project, region).pop(name, None)
            for network in networks(project).values():
                if subnet["selfLink"] in network.get("subnetworks", []):
                    network["subnetworks"].remove(subnet["selfLink"])
                    if not network["subnetworks"]:
                        del network["subnetworks"]

        return start_operation(
            fake,
            project=project,
            scope=f"regions/{region}",
            op_type="delete",
            target=f"regions/{region}/subnetworks/{name}",
            effect=effect,
        )

    fake.route("GET", COMPUTE, f"{base}/global/networks", list_networks, query=FILTERED_LIST)
    fake.route("POST", COMPUTE, f"{base}/global/networks", insert_network)
    fake.route("GET", COMPUTE, f"{base}/global/networks/(?P<network>[^/]+)", get_network)
    fake.route("DELETE", COMPUTE, f"{base}/global/networks/(?P<network>[^/]+)", delete_network)
    subnet_path = f"{base}/regions/(?P<region>[^/]+)/subnetworks"
    fake.route("GET", COMPUTE, subnet_path, list_subnets, query=FILTERED_LIST)
    fake.route("POST", COMPUTE, subnet_path, insert_subnet)
    fake.route("GET", COMPUTE, f"{subnet_path}/(?P<subnetwork>[^/]+)", get_subnet)
    fake.route("DELETE", COMPUTE, f"{subnet_path}/(?P<subnetwork>[^/]+)", delete_subnet)
