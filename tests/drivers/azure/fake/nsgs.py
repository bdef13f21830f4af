"""Network security groups (Microsoft.Network): get, list, create or update (rules given inline) and
delete, the changes as long-running operations. ARM's checks of the rules (priority range and clash per
direction, protocol, access, direction) answer ARM's 400s; Azure's six default rules are added.

What uses a group is read from the network interfaces and subnets in `fake.resources`
(`properties.networkSecurityGroup.id`), as vnets.py reads subnet users.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from tests.drivers.azure.fake import resource_groups
from tests.drivers.azure.fake.server import FakeAzure, Request, Response, error, ok
from tests.drivers.azure.fake.vnets import NIC_TYPE, PROVIDER, VNET_TYPE, etag, failed_if_its_operation_failed, settle

NSGS = PROVIDER + "/networkSecurityGroups"
NSG = NSGS + "/{networkSecurityGroupName}"
NSG_TYPE = "Microsoft.Network/networkSecurityGroups"
NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$")
PROTOCOLS = {"tcp": "Tcp", "udp": "Udp", "icmp": "Icmp", "esp": "Esp", "ah": "Ah", "*": "*"}

# Azure's default rules, in every group, below any rule a user can add.
DEFAULT_RULES = (
    ("AllowVnetInBound", "Inbound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", "Inbound", 65001, "Allow", "AzureLoadBalancer", "*"),
    ("DenyAllInBound", "Inbound", 65500, "Deny", "*", "*"),
    ("AllowVnetOutBound", "Outbound", 65000, "Allow", "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", "Outbound", 65001, "Allow", "*", "Internet"),
    ("DenyAllOutBound", "Outbound", 65500, "Deny", "*", "*"),
)


def register(fake: FakeAzure) -> None:
    fake.arm("GET", NSGS, _list)
    fake.arm("GET", NSG, _get)
    fake.arm("PUT", NSG, _put)
    fake.arm("DELETE", NSG, _delete)


def nsg_id(fake: FakeAzure, group: str, name: str) -> str:
    return f"{resource_groups.group_id(fake, group)}/providers/{NSG_TYPE}/{name}"


def find(fake: FakeAzure, group: str, name: str) -> dict[str, Any] | None:
    return fake.resources.get(nsg_id(fake, group, name).lower())


def users(fake: FakeAzure, ident: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(network interfaces, subnets) that the group is attached to."""

    def uses(props: dict[str, Any]) -> bool:
        return str((props.get("networkSecurityGroup") or {}).get("id", "")).lower() == ident.lower()

    nics, subnets = [], []
    for body in fake.resources.values():
        kind = str(body.get("type", "")).lower()
        if kind == NIC_TYPE and uses(body.get("properties") or {}):
            nics.append({"id": str(body["id"])})
        if kind == VNET_TYPE.lower():
            subnets += [{"id": str(s["id"])} for s in body["properties"]["subnets"] if uses(s["properties"])]
    return nics, subnets


def _view(fake: FakeAzure, body: dict[str, Any]) -> dict[str, Any]:
    settle(fake, body)
    shown = copy.deepcopy(body)
    nics, subnets = users(fake, str(body["id"]))
    if nics:
        shown["properties"]["networkInterfaces"] = nics
    if subnets:
        shown["properties"]["subnets"] = subnets
    return shown


def _group(fake: FakeAzure, request: Request) -> tuple[str, Response | None]:
    name = request.args["resourceGroupName"]
    group = resource_groups.find(fake, name)
    if group is None:
        return name, error(404, "ResourceGroupNotFound", f"Resource group '{name}' could not be found.")
    return str(group["name"]), None


def _rule(ident: str, name: str, props: dict[str, Any], kind: str = "securityRules") -> dict[str, Any]:
    return {
        "id": f"{ident}/{kind}/{name}",
        "name": name,
        "etag": etag(),
        "type": f"{NSG_TYPE}/{kind}",
        "properties": {**props, "provisioningState": "Succeeded"},
    }


def _defaults(ident: str) -> list[dict[str, Any]]:
    return [
        _rule(
            ident,
            name,
            {
                "description": "Default rule",
                "protocol": "*",
                "sourcePortRange": "*",
                "destinationPortRange": "*",
                "sourceAddressPrefix": source,
                "destinationAddressPrefix": destination,
                "access": access,
                "priority": priority,
                "direction": direction,
                "sourcePortRanges": [],
                "destinationPortRanges": [],
                "sourceAddressPrefixes": [],
                "destinationAddressPrefixes": [],
            },
            "defaultSecurityRules",
        )
        for name, direction, priority, access, source, destination in DEFAULT_RULES
    ]


def _check_rules(rules: list[dict[str, Any]]) -> Response | None:
    taken: dict[tuple[str, int], str] = {}
    for rule in rules:
        name = str(rule.get("name", ""))
        props = rule.get("properties") or {}
        priority = props.get("priority")
        direction = str(props.get("direction", ""))
        if not isinstance(priority, int) or not 100 <= priority <= 4096:
            return error(
                400,
                "SecurityRuleInvalidPriority",
                f"Security rule {name} has invalid Priority. Value provided: {priority}. Allowed range 100-4096.",
            )
        if direction not in ("Inbound", "Outbound"):
            return error(400, "InvalidRequestFormat", f"Security rule {name} has an invalid direction {direction!r}.")
        if str(props.get("protocol", "")).lower() not in PROTOCOLS:
            return error(400, "InvalidRequestFormat", f"Security rule {name} has an invalid protocol.")
        if props.get("access") not in ("Allow", "Deny"):
            return error(400, "InvalidRequestFormat", f"Security rule {name} has an invalid access.")
        clash = taken.get((direction, priority))
        if clash is not None:
            return error(
                400,
                "SecurityRuleConflict",
                f"Security rule {clash} conflicts with rule {name}. Rules cannot have the same Priority and Direction.",
            )
        taken[(direction, priority)] = name
    return None


def _list(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    prefix = f"{resource_groups.group_id(fake, group)}/providers/{NSG_TYPE}/".lower()
    found = [_view(fake, b) for k, b in fake.resources.items() if k.startswith(prefix) and "/" not in k[len(prefix) :]]
    return fake.page(request, sorted(found, key=lambda body: str(body["name"]).lower()))


def _get(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    name = request.args["networkSecurityGroupName"]
    body = find(fake, group, name)
    if body is None:
        return error(
            404, "ResourceNotFound", f"The Resource '{NSG_TYPE}/{name}' under resource group '{group}' was not found."
        )
    return ok(_view(fake, body))


def _put(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    name = request.args["networkSecurityGroupName"]
    if not NAME.match(name):
        return error(400, "InvalidResourceName", f"Resource name {name} is invalid.")
    wanted = request.json() or {}
    location = str(wanted.get("location", ""))
    if not location:
        return error(400, "LocationRequired", "The location property is required for this definition.")
    rules = list((wanted.get("properties") or {}).get("securityRules") or [])
    refused = _check_rules(rules)
    if refused is not None:
        return refused
    existing = find(fake, group, name)
    ident = str(existing["id"]) if existing else nsg_id(fake, group, name)
    body: dict[str, Any] = {
        "id": ident,
        "name": str(existing["name"]) if existing else name,
        "type": NSG_TYPE,
        "location": location,
        "etag": etag(),
        "properties": {
            "provisioningState": "Updating",
            "resourceGuid": str(existing["properties"]["resourceGuid"]) if existing else str(uuid.uuid4()),
            "securityRules": [_rule(ident, str(r["name"]), dict(r.get("properties") or {})) for r in rules],
            "defaultSecurityRules": _defaults(ident),
        },
    }
    if wanted.get("tags"):
        body["tags"] = dict(wanted["tags"])
    fake.resources[ident.lower()] = body

    def done() -> None:
        body["properties"]["provisioningState"] = "Succeeded"

    headers = fake.begin("Microsoft.Network", location, done)
    failed_if_its_operation_failed(fake, body, headers)
    return ok(_view(fake, body), 200 if existing else 201, **headers)


def _delete(fake: FakeAzure, request: Request) -> Response:
    group, missing = _group(fake, request)
    if missing is not None:
        return missing
    body = find(fake, group, request.args["networkSecurityGroupName"])
    if body is None:
        return Response(204)
    nics, subnets = users(fake, str(body["id"]))
    if nics or subnets:
        user = (nics or subnets)[0]["id"]
        return error(
            400,
            "InUseNetworkSecurityGroupCannotBeDeleted",
            f"Network security group {body['id']} cannot be deleted because it is in use by the following "
            f"resources: {user}. In order to delete the Network security group, remove the association with the "
            "resource(s).",
        )
    body["properties"]["provisioningState"] = "Deleting"
    key = str(body["id"]).lower()
    return Response(
        202, None, fake.begin("Microsoft.Network", str(body["location"]), lambda: fake.resources.pop(key, None))
    )
