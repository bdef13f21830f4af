"""Virtual networks and their subnets (Microsoft.Network): get, list, create or update and delete, the
changes as long-running operations (201/202 with Azure-AsyncOperation, "Updating" until done).

A subnet's `ipConfigurations` (what uses it) are read from the network interfaces kept in
`fake.resources` (type Microsoft.Network/networkInterfaces, ARM's shape), so a family that adds NICs
to the fake makes subnets and VNets "in use" without touching this module.
"""

from __future__ import annotations

import copy
import ipaddress
import re
import uuid
from typing import Any

from tests.drivers.azure.fake import resource_groups
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok

PROVIDER = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network"
VNETS = PROVIDER + "/virtualNetworks"
VNET = VNETS + "/{virtualNetworkName}"
SUBNETS = VNET + "/subnets"
SUBNET = SUBNETS + "/{subnetName}"
VNET_TYPE = "Microsoft.Network/virtualNetworks"
NIC_TYPE = "microsoft.network/networkinterfaces"
NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9_])?$")


def register(fake: FakeAzure) -> None:
    # Network resource id -> the operations begun on it, so a failed one shows as provisioningState Failed.
    fake.network_operations = {}
    fake.arm("GET", VNETS, _list)
    fake.arm("GET", VNET, _get)
    fake.arm("PUT", VNET, _put)
    fake.arm("DELETE", VNET, _delete)
    fake.arm("GET", SUBNETS, _list_subnets)
    fake.arm("GET", SUBNET, _get_subnet)
    fake.arm("PUT", SUBNET, _put_subnet)
    fake.arm("DELETE", SUBNET, _delete_subnet)


def vnet_id(fake: FakeAzure, group: str, name: str) -> str:
    return f"{resource_groups.group_id(fake, group)}/providers/{VNET_TYPE}/{name}"


def find(fake: FakeAzure, group: str, name: str) -> dict[str, Any] | None:
    return fake.resources.get(vnet_id(fake, group, name).lower())


def etag() -> str:
    return f'W/"{uuid.uuid4()}"'


def nic_configs(fake: FakeAzure) -> list[tuple[str, dict[str, Any]]]:
    """(NIC id, IP configuration) of every network interface in the fake."""
    found = []
    for body in fake.resources.values():
        if str(body.get("type", "")).lower() == NIC_TYPE:
            for config in (body.get("properties") or {}).get("ipConfigurations") or []:
                found.append((str(body["id"]), config))
    return found


def subnet_users(fake: FakeAzure, subnet_id: str) -> list[dict[str, str]]:
    return [
        {"id": f"{nic}/ipConfigurations/{config.get('name', 'ipconfig1')}"}
        for nic, config in nic_configs(fake)
        if str(((config.get("properties") or {}).get("subnet") or {}).get("id", "")).lower() == subnet_id.lower()
    ]


def failed_if_its_operation_failed(fake: FakeAzure, body: dict[str, Any], headers: dict[str, str]) -> None:
    """Show the resource as Failed once the operation begun for it (`headers` of fake.begin) fails, as ARM does."""
    operation_id = headers["Azure-AsyncOperation"].split("?")[0].rsplit("/", 1)[-1]
    fake.network_operations.setdefault(str(body["id"]).lower(), []).append(operation_id)


def settle(fake: FakeAzure, body: dict[str, Any]) -> None:
    for operation_id in fake.network_operations.get(str(body["id"]).lower(), []):
        if fake.operations[operation_id].status == "Failed":
            body["properties"]["provisioningState"] = "Failed"


def view(fake: FakeAzure, body: dict[str, Any]) -> dict[str, Any]:
    """The VNet as ARM shows it, with what uses each subnet."""
    settle(fake, body)
    shown = copy.deepcopy(body)
    for subnet in shown["properties"]["subnets"]:
        _show_subnet(fake, subnet)
    return shown


def _show_subnet(fake: FakeAzure, subnet: dict[str, Any]) -> dict[str, Any]:
    users = subnet_users(fake, subnet["id"])
    if users:
        subnet["properties"]["ipConfigurations"] = users
    return subnet


def _group(fake: FakeAzure, request: Request) -> tuple[str, Response | None]:
    name = request.args["resourceGroupName"]
    group = resource_groups.find(fake, name)
    if group is None:
        return name, error(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
    return str(group["name"]), None


def _not_found(name: str, group: str) -> Response:
    return error(
        404,
        "ResourceNotFound",
        f"The Resource '{VNET_TYPE}/{name}' under resource group '{group}' was not found.",
    )


def _check_space(space: list[ipaddress.IPv4Network], subnets: list[dict[str, Any]]) -> Response | None:
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for subnet in subnets:
        prefix = str((subnet.get("properties") or {}).get("addressPrefix", ""))
        try:
            cidr = ipaddress.IPv4Network(prefix)
        except ValueError:
            return error(400, "InvalidAddressPrefixFormat", f"Address prefix {prefix} has an invalid format.")
        if not any(cidr.subnet_of(net) for net in space):
            return error(
                400,
                "NetcfgSubnetRangeOutsideVnet",
                f"Subnet '{subnet.get('name')}' is not valid because its IP address range is outside the IP "
                "address range of virtual network.",
            )
        for other_name, other in seen:
            if cidr.overlaps(other):
                return error(
                    400,
                    "NetcfgSubnetRangesOverlap",
                    f"Subnet '{subnet.get('name')}' is not valid because its IP address range overlaps with that "
                    f"of an existing subnet '{other_name}' in virtual network.",
                )
        seen.append((str(subnet.get("name")), cidr))
    return None


def _subnet_body(vnet: str, name: str, wanted: dict[str, Any], state: str) -> dict[str, Any]:
    props = dict(wanted.get("properties") or {})
    props["provisioningState"] = state
    props.setdefault("privateEndpointNetworkPolicies", "Disabled")
    props.setdefault("privateLinkServiceNetworkPolicies", "Enabled")
    return {
        "id": f"{vnet}/subnets/{name}",
        "name": name,
        "etag": etag(),
        "type": f"{VNET_TYPE}/subnets",
        "properties": props,
    }


def _list(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    prefix = f"{resource_groups.group_id(fake, group)}/providers/{VNET_TYPE}/".lower()
    found = [
        view(fake, body)
        for key, body in fake.resources.items()
        if key.startswith(prefix) and "/" not in key[len(prefix) :]
    ]
    return fake.page(request, sorted(found, key=lambda body: str(body["name"]).lower()))


def _get(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    name = request.args["virtualNetworkName"]
    body = find(fake, group, name)
    return ok(view(fake, body)) if body is not None else _not_found(name, group)


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    name = request.args["virtualNetworkName"]
    if not NAME.match(name):
        return error(400, "InvalidResourceName", f"Resource name {name} is invalid.")
    wanted = request.json() or {}
    location = str(wanted.get("location", ""))
    if not location:
        return error(400, "LocationRequired", "The location property is required for this definition.")
    props = wanted.get("properties") or {}
    prefixes = list((props.get("addressSpace") or {}).get("addressPrefixes") or [])
    try:
        space = [ipaddress.IPv4Network(prefix) for prefix in prefixes]
    except ValueError:
        return error(400, "InvalidAddressPrefixFormat", f"Address prefixes {prefixes} have an invalid format.")
    if not space:
        return error(400, "InvalidRequestFormat", "The virtual network needs an address space.")
    subnets = list(props.get("subnets") or [])
    refused = _check_space(space, subnets)
    if refused is not None:
        return refused
    existing = find(fake, group, name)
    ident = str(existing["id"]) if existing else vnet_id(fake, group, name)
    body: dict[str, Any] = {
        "id": ident,
        "name": str(existing["name"]) if existing else name,
        "type": VNET_TYPE,
        "location": location,
        "etag": etag(),
        "properties": {
            "provisioningState": "Updating",
            "resourceGuid": str(existing["properties"]["resourceGuid"]) if existing else str(uuid.uuid4()),
            "addressSpace": {"addressPrefixes": prefixes},
            "subnets": [_subnet_body(ident, str(s["name"]), s, "Updating") for s in subnets],
            "virtualNetworkPeerings": [],
            "enableDdosProtection": False,
        },
    }
    if wanted.get("tags"):
        body["tags"] = dict(wanted["tags"])
    fake.resources[ident.lower()] = body

    def done() -> None:
        body["properties"]["provisioningState"] = "Succeeded"
        for subnet in body["properties"]["subnets"]:
            subnet["properties"]["provisioningState"] = "Succeeded"

    headers = fake.begin("Microsoft.Network", location, done)
    failed_if_its_operation_failed(fake, body, headers)
    return ok(view(fake, body), 200 if existing else 201, **headers)


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    body = find(fake, group, request.args["virtualNetworkName"])
    if body is None:
        return Response(204)
    for subnet in body["properties"]["subnets"]:
        users = subnet_users(fake, subnet["id"])
        if users:
            return _in_use(subnet, users)
    body["properties"]["provisioningState"] = "Deleting"
    key = str(body["id"]).lower()
    return Response(
        202, None, fake.begin("Microsoft.Network", str(body["location"]), lambda: fake.resources.pop(key, None))
    )


def _in_use(subnet: dict[str, Any], users: list[dict[str, str]]) -> Response:
    return error(
        400,
        "InUseSubnetCannotBeDeleted",
        f"Subnet {subnet['name']} is in use by {users[0]['id']} and cannot be deleted. In order to delete the "
        "subnet, delete all the resources within the subnet.",
    )


def _parent(fake: FakeAzure, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
    group, missing = _group(fake, request)
    if missing is not None:
        return None, missing
    name = request.args["virtualNetworkName"]
    body = find(fake, group, name)
    if body is None:
        return None, _not_found(name, group)
    return body, None


def _subnet(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in body["properties"]["subnets"] if str(s["name"]).lower() == name.lower()), None)


def _list_subnets(fake: FakeAzure, request: Request) -> Response:
    body, missing = _parent(fake, request)
    if body is None:
        assert missing is not None
        return missing
    return fake.page(request, view(fake, body)["properties"]["subnets"])


def _get_subnet(fake: FakeAzure, request: Request) -> Response:
    body, missing = _parent(fake, request)
    if body is None:
        assert missing is not None
        return missing
    subnet = _subnet(body, request.args["subnetName"])
    if subnet is None:
        return error(404, "NotFound", f"Resource {body['id']}/subnets/{request.args['subnetName']} not found.")
    return ok(_show_subnet(fake, copy.deepcopy(subnet)))


def _put_subnet(fake: FakeAzure, request: Request) -> Response:
    body, missing = _parent(fake, request)
    if body is None:
        assert missing is not None
        return missing
    name = request.args["subnetName"]
    if not re.match(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$", name):
        return error(400, "InvalidResourceName", f"Resource name {name} is invalid.")
    wanted = request.json() or {}
    others = [s for s in body["properties"]["subnets"] if str(s["name"]).lower() != name.lower()]
    space = [ipaddress.IPv4Network(p) for p in body["properties"]["addressSpace"]["addressPrefixes"]]
    refused = _check_space(space, [*others, {"name": name, **wanted}])
    if refused is not None:
        return refused
    existing = _subnet(body, name)
    subnet = _subnet_body(str(body["id"]), str(existing["name"]) if existing else name, wanted, "Updating")
    body["properties"]["subnets"] = [*others, subnet]

    def done() -> None:
        subnet["properties"]["provisioningState"] = "Succeeded"

    headers = fake.begin("Microsoft.Network", str(body["location"]), done)
    return ok(_show_subnet(fake, copy.deepcopy(subnet)), 200 if existing else 201, **headers)


def _delete_subnet(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    body = find(fake, group, request.args["virtualNetworkName"])
    subnet = _subnet(body, request.args["subnetName"]) if body is not None else None
    if body is None or subnet is None:
        return Response(204)
    users = subnet_users(fake, subnet["id"])
    if users:
        return _in_use(subnet, users)
    subnet["properties"]["provisioningState"] = "Deleting"

    def done() -> None:
        body["properties"]["subnets"] = [s for s in body["properties"]["subnets"] if s is not subnet]

    return Response(202, None, fake.begin("Microsoft.Network", str(body["location"]), done))
